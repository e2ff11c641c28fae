import Fluent
import Foundation
import LinliCore
import Vapor

/// A number residents may need: the property service desk, the guard room, the police station, the
/// community office, the hospital, the utilities.
final class Contact: Model, @unchecked Sendable {
    static let schema = "contacts"
    enum Kind: String, Codable, CaseIterable, Sendable {
        case propertyDesk = "property_desk", guardRoom = "guard_room", police, communityOffice = "community_office"
        case hospital, water, power, gas, other
    }

    @ID(key: .id) var id: UUID?
    @Field(key: "community_id") var communityID: UUID
    @Enum(key: "kind") var kind: Kind
    @Field(key: "name") var name: String
    @Field(key: "phone") var phone: String
    /// Free text such as `24 小时` or `8:30–17:30`.
    @Field(key: "hours") var hours: String
    @Field(key: "position") var position: Int
    init() {}
}

extension Contact: CommunityScoped {
    static var communityField: KeyPath<Contact, FieldProperty<Contact, UUID>> { \.$communityID }
}

struct ContactInput: Content {
    let kind: Contact.Kind
    let name: String
    let phone: String
    let hours: String?
    let position: Int?
}

struct ContactRead: Content, Equatable {
    let id: UUID
    let kind: Contact.Kind
    let name: String
    let phone: String
    let hours: String
    let position: Int

    init(_ c: Contact) throws {
        id = try c.requireID()
        kind = c.kind
        name = c.name
        phone = c.phone
        hours = c.hours
        position = c.position
    }
}

/// The contacts directory of a community: everyone in it reads, operators keep it.
enum Contacts: Feature {
    static let c = RegistryAPI.c
    static var strings: (any LocalizedStrings.Type)? { ContactsStrings.self }

    /// The contacts in their order on the page (`position`, then name).
    static func list(_ community: UUID, on db: any Database) async throws -> [Contact] {
        try await Contact.scoped(to: community, on: db).sort(\.$position).sort(\.$name).all()
    }

    static func apply(_ input: ContactInput, to row: Contact) throws {
        var v = Validation()
        let name = v.text(input.name, "name", max: 50) ?? ""
        let phone = v.text(input.phone, "phone", max: 30) ?? ""
        if !phone.isEmpty, !phone.allSatisfy({ $0.isNumber || "-+ ()".contains($0) }) {
            v.fail("phone", "invalid_phone")
        }
        let hours = v.text(input.hours?.nilIfEmpty, "hours", max: 50, required: false) ?? ""
        if let position = input.position { v.range(position, "position", 0...999) }
        try v.check()
        row.kind = input.kind
        row.name = name
        row.phone = phone
        row.hours = hours
        row.position = input.position ?? 100
    }

    static func register(_ app: Application) {
        app.migrations.add(CreateContacts())
        ContactsTV.register(app)
        let api = app.api.authenticated
        let contact = Schema.object(
            [
                ("id", Schema.uuid), ("kind", Schema.enumeration(Contact.Kind.allCases.map(\.rawValue))),
                ("name", Schema.string()), ("phone", Schema.string()), ("hours", Schema.string()),
                ("position", Schema.integer()),
            ], required: ["id", "kind", "name", "phone", "hours", "position"])
        let input = Schema.object(
            [
                ("kind", Schema.enumeration(Contact.Kind.allCases.map(\.rawValue))),
                ("name", Schema.string(min: 1, max: 50)),
                ("phone", Schema.string(min: 1, max: 30, pattern: "^[0-9+() -]+$")),
                ("hours", Schema.string(max: 50)), ("position", Schema.integer(min: 0, max: 999)),
            ], required: ["kind", "name", "phone"])
        api.register(
            .init(
                method: .GET, path: c + "/contacts", operationID: "listContacts",
                summary: "The community's useful numbers: service desk, guard room, police, hospital, utilities",
                tag: "property", authority: .community { .viewCommunity($0) }, response: Schema.page(contact), query: Endpoint.listQuery(.contacts)), in: app, listContacts)
        api.register(
            .init(
                method: .POST, path: c + "/contacts", operationID: "createContact", summary: "Add a contact",
                tag: "property", authority: .community { .manageCommunity($0) }, body: input, status: .created, response: contact), in: app, createContact)
        api.register(
            .init(
                method: .PUT, path: c + "/contacts/{contactID}", operationID: "updateContact",
                summary: "Change a contact", tag: "property", authority: .community { .manageCommunity($0) }, body: input, response: contact), in: app, updateContact)
        api.register(
            .init(
                method: .DELETE, path: c + "/contacts/{contactID}", operationID: "deleteContact",
                summary: "Remove a contact", tag: "property", authority: .community { .manageCommunity($0) }, status: .noContent), in: app, deleteContact)
    }

    /// The demo community's directory.
    static func seedDemo(_ world: DemoWorld, on db: any Database) async throws {
        let community = world.community
        let rows: [(Contact.Kind, String, String, String)] = [
            (.propertyDesk, "礼嘉物业服务中心", "023-6788 1000", "24 小时"),
            (.guardRoom, "正门保安室", "023-6788 1001", "24 小时"),
            (.communityOffice, "礼嘉街道社区居委会", "023-6788 2000", "周一至周五 8:30–17:30"),
            (.police, "礼嘉派出所", "023-6788 3110", "24 小时"),
            (.hospital, "两江新区第一人民医院", "023-6788 4120", "急诊 24 小时"),
            (.water, "自来水报修", "96969", "24 小时"),
            (.power, "国家电网", "95598", "24 小时"),
            (.gas, "燃气抢修", "96777", "24 小时"),
        ]
        for (index, (kind, name, phone, hours)) in rows.enumerated() {
            let row = Contact()
            row.communityID = community
            row.kind = kind
            row.name = name
            row.phone = phone
            row.hours = hours
            row.position = index
            try await row.create(on: db)
        }
    }
}

extension Sorting {
    static let contacts = Sorting(keys: ["position"], defaultSort: "position")
}

/// A contact of the community was added, changed or removed: home pages drop the community.
struct ContactsChanged: LinliEvent {
    let community: UUID
}
