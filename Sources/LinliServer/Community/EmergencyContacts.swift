import Fluent
import Foundation
import LinliCore
import Vapor

struct EmergencyContactInput: Content {
    let name: String
    let phone: String
    let relation: String?
}

struct EmergencyContactRead: Content, Equatable {
    let name: String
    let phone: String
    let relation: String
}

/// The whole list, read and written at once (at most 5: not a paged list).
struct EmergencyContactList: Content, Equatable {
    let contacts: [EmergencyContactRead]
}

struct EmergencyContactListInput: Content {
    let contacts: [EmergencyContactInput]
}

/// The household's emergency contacts (family who may not live there): the residents keep the list,
/// the guards see it with an alarm, the care watch tells them.
enum EmergencyContacts {
    static let path = "/api/v1/me/households/{householdID}/emergency-contacts"

    static func list(_ household: UUID, on db: any Database) async throws -> [EmergencyContact] {
        try await EmergencyContact.query(on: db).filter(\.$householdID == household).sort(\.$position).all()
    }

    /// Tells the household's emergency contacts who are Linli users (by their phone) in the app; the
    /// others are the guards' and the worker's to call (their numbers are on the desk and the care page).
    static func tell(_ household: Household, _ title: String, _ topic: NotificationTopic, now: Date, on db: any Database)
        async throws
    {
        let phones = try await list(try household.requireID(), on: db).compactMap { PhoneNumber($0.phone)?.digits }
        guard !phones.isEmpty else { return }
        for person in try await Person.query(on: db).filter(\.$phone ~~ phones).all() {
            try await Notifier.send(
                title, topic, to: .person(try person.requireID()), community: household.communityID, now: now, on: db)
        }
    }

    /// Replaces the list (at most 5), all or nothing.
    static func replace(_ household: Household, _ input: [EmergencyContactInput], on req: Request) async throws
        -> EmergencyContactList
    {
        guard input.count <= 5 else { throw LinliError.invalid("contacts", "too_many") }
        var v = Validation()
        var rows: [EmergencyContact] = []
        for (index, entry) in input.enumerated() {
            let name = v.text(entry.name, "\(index).name", max: 30) ?? ""
            let phone = v.text(entry.phone, "\(index).phone", max: 30) ?? ""
            if !phone.isEmpty, !phone.allSatisfy({ $0.isNumber || "-+ ()".contains($0) }) {
                v.fail("\(index).phone", "invalid_phone")
            }
            let relation = v.text(entry.relation?.nilIfEmpty, "\(index).relation", max: 20, required: false) ?? ""
            let row = EmergencyContact()
            row.communityID = household.communityID
            row.householdID = try household.requireID()
            row.name = name
            row.phone = phone
            row.relation = relation
            row.position = index
            rows.append(row)
        }
        try v.check()
        let id = try household.requireID()
        let saved = rows
        try await req.db.writeTransaction { db in
            try await EmergencyContact.query(on: db).filter(\.$householdID == id).delete()
            for row in saved { try await row.create(on: db) }
            try await Audit.record(
                .update, "emergency_contacts", id: id, community: household.communityID, after: saved.map(\.name),
                by: req, on: db)
        }
        return EmergencyContactList(
            contacts: rows.map { EmergencyContactRead(name: $0.name, phone: $0.phone, relation: $0.relation) })
    }

    static func register(_ app: Application, _ api: any RoutesBuilder) {
        let contact = Schema.object(
            [("name", Schema.string()), ("phone", Schema.string()), ("relation", Schema.string())],
            required: ["name", "phone", "relation"])
        let input = Schema.object(
            [
                (
                    "contacts",
                    Schema.array(
                        Schema.object(
                            [
                                ("name", Schema.string(min: 1, max: 30)),
                                ("phone", Schema.string(min: 1, max: 30, pattern: "^[0-9+() -]+$")),
                                ("relation", Schema.string(max: 20)),
                            ], required: ["name", "phone"]))
                )
            ], required: ["contacts"])
        let listSchema = Schema.object([("contacts", Schema.array(contact))], required: ["contacts"])
        api.register(
            .init(
                method: .GET, path: path, operationID: "listEmergencyContacts",
                summary: "The household's emergency contacts (family to call with an alarm or a welfare check)",
                tag: "security", authority: .resident, response: listSchema), in: app, listEmergencyContacts)
        api.register(
            .init(
                method: .PUT, path: path, operationID: "setEmergencyContacts",
                summary: "Replace the household's emergency contacts (at most 5)", tag: "security", authority: .resident, body: input,
                response: listSchema), in: app, setEmergencyContacts)
    }
}

/// Someone to call for a household — family who may not live there — kept by the household: shown to
/// the guards with an alarm and told by the care watch. Household data of the registry, which every
/// feature may read; its table was made by home security's first migration.
final class EmergencyContact: Model, @unchecked Sendable {
    static let schema = "emergency_contacts"
    @ID(key: .id) var id: UUID?
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "household_id") var householdID: UUID
    @Field(key: "name") var name: String
    @Field(key: "phone") var phone: String
    @Field(key: "relation") var relation: String
    @Field(key: "position") var position: Int
    init() {}
}
