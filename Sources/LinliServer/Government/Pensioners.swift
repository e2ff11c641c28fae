import Fluent
import Foundation
import LinliCore
import SQLKit
import Vapor

/// A pensioner on the social-security bureau's list the community keeps, for the yearly pension
/// authentication (养老金待遇资格认证): due 12 months after the last one.
final class Pensioner: Model, @unchecked Sendable {
    static let schema = "gov_pensioners"

    @ID(key: .id) var id: UUID?
    @Field(key: "community_id") var communityID: UUID
    /// The person with this phone in the registry, when there is one (reminders go to them and their home).
    @OptionalField(key: "person_id") var personID: UUID?
    @Field(key: "name") var name: String
    /// The last four characters of the id number — never more.
    @Field(key: "id_last4") var idLast4: String
    @Field(key: "phone") var phone: String
    @Field(key: "last_authenticated_on") var lastAuthenticatedOn: String
    @OptionalField(key: "channel") var channel: String?
    @Field(key: "bedridden") var bedridden: Bool
    /// Reminders sent for the current due day, as `due:offset` marks (`2027-03-01:-30`).
    @Field(key: "reminded") var reminded: String
    @Field(key: "created_at") var createdAt: Date

    init() {
        reminded = ""
        bedridden = false
    }

    var dueOn: CivilDate? { CivilDate(lastAuthenticatedOn).flatMap { Pensioners.dueDay(after: $0) } }
}

extension Pensioner: CommunityScoped {
    static var communityField: KeyPath<Pensioner, FieldProperty<Pensioner, UUID>> { \.$communityID }
}

struct CreatePensioners: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Pensioner.schema).id()
            .field("community_id", .uuid, .required).field("person_id", .uuid).field("name", .string, .required)
            .field("id_last4", .string, .required).field("phone", .string, .required)
            .field("last_authenticated_on", .string, .required).field("channel", .string)
            .field("bedridden", .bool, .required).field("reminded", .string, .required).field("created_at", .datetime, .required)
            .unique(on: "community_id", "phone")
            .create()
    }

    func revert(on database: any Database) async throws { try await database.schema(Pensioner.schema).delete() }
}

struct PensionerRead: Content {
    let id: UUID
    let name: String
    let idLast4: String
    let phone: String
    let lastAuthenticatedOn: String
    let dueOn: String
    /// Days until due (negative: overdue, payments at risk of suspension).
    let daysLeft: Int
    let bedridden: Bool
    let channel: String?
    /// The community's own signs of life (a gate passage, a sign-in, a care check-in, an event attended):
    /// evidence for the worker, never a substitute for the bureau's authentication. Empty when the
    /// pensioner is not in the registry.
    let signs: [LifeSign]

    struct LifeSign: Content {
        let source: String
        let at: Date
    }

    init(_ p: Pensioner, today: CivilDate, signs: [LifeSign] = []) throws {
        id = try p.requireID()
        name = p.name
        idLast4 = p.idLast4
        phone = p.phone
        lastAuthenticatedOn = p.lastAuthenticatedOn
        let due = p.dueOn ?? today
        dueOn = due.description
        daysLeft = due.dayNumber - today.dayNumber
        bedridden = p.bedridden
        channel = p.channel
        self.signs = signs
    }

    /// The read with the pensioner's signs of life from every feature that records one.
    static func withSigns(_ p: Pensioner, today: CivilDate, app: Application, on db: any Database) async throws -> PensionerRead {
        var signs: [(source: String, at: Date)] = []
        if let person = p.personID { signs = try await app.activity.signs(person, on: db) }
        return try PensionerRead(p, today: today, signs: signs.map { LifeSign(source: $0.source, at: $0.at) })
    }
}

struct AuthenticationInput: Content {
    let on: String
    /// `self` (the person, by app or at the office), `family` (亲情代办), `home_visit`.
    let channel: String
}

enum Pensioners {
    /// Reminders this many days before (negative) and after (positive) the due day.
    static let offsets = [-30, -7, -1, 1, 7, 30]

    /// Twelve months after the last authentication (29 February moves to the 28th).
    static func dueDay(after last: CivilDate) -> CivilDate? {
        last.adding(months: 12)
    }

    /// The community's pensioners on one list — `month` (due this month), `overdue`, `bedridden`, or nil
    /// for all (another name 422) — longest since their last authentication first.
    static func list(_ community: UUID, due: String?, today: CivilDate, on db: any Database) async throws -> [Pensioner] {
        var rows = try await Pensioner.scoped(to: community, on: db).limit(50_000).all()
        switch due {
        case "month": rows = rows.filter { $0.dueOn.map { $0.year == today.year && $0.month == today.month } ?? false }
        case "overdue": rows = rows.filter { ($0.dueOn ?? today) < today }
        case "bedridden": rows = rows.filter(\.bedridden)
        case nil: break
        default: throw LinliError.invalid("due", "invalid_value")
        }
        return rows.sorted { ($0.lastAuthenticatedOn, $0.name) < ($1.lastAuthenticatedOn, $1.name) }
    }

    /// Records an authentication on `on` (not in the future) by `channel`: the due day moves only forward.
    static func record(_ row: Pensioner, on text: String, channel: String, today: CivilDate, on db: any Database) async throws {
        var v = Validation()
        let day = CivilDate(text)
        if day == nil { v.fail("on", "invalid_date") } else if let day, day > today { v.fail("on", "in_the_future") }
        if !["self", "family", "home_visit"].contains(channel) { v.fail("channel", "invalid_value") }
        try v.check()
        guard let day, day.description > row.lastAuthenticatedOn else { return }
        row.lastAuthenticatedOn = day.description
        row.channel = channel
        try await row.save(on: db)
    }

    /// Imports the bureau's list (`name,id_last4,phone,last_authenticated`, one row per person): all rows or
    /// none, every bad row named by its line. A phone already on the list is updated.
    static func importCSV(_ text: String, community: UUID, now: Date, on db: any Database) async throws -> Int {
        let table: CSVTable
        do { table = try CSVTable(parsing: text) } catch { throw LinliError(.importRejected, ["count": "1"], issues: [FieldIssue(line: 1, reason: "import.not_csv")]) }
        guard table.header.map({ $0.lowercased() }) == ["name", "id_last4", "phone", "last_authenticated"] else {
            throw LinliError(.importRejected, ["count": "1"], issues: [FieldIssue(field: "header", line: 1, reason: "invalid_value")])
        }
        guard table.records.count <= 20_000 else { throw LinliError(.payloadTooLarge) }
        var issues: [FieldIssue] = []
        var rows: [(String, String, String, String)] = []
        let today = CivilApplications.today(now)
        for record in table.records {
            let f = record.fields.map { $0.trimmingCharacters(in: .whitespaces) }
            guard f.count == 4 else { issues.append(FieldIssue(line: record.line, reason: "wrong_type")); continue }
            if f[0].isEmpty || f[0].count > 40 { issues.append(FieldIssue(field: "name", line: record.line, reason: "invalid_value")) }
            if f[1].count != 4 || !f[1].allSatisfy({ $0.isNumber || $0 == "X" || $0 == "x" }) {
                issues.append(FieldIssue(field: "id_last4", line: record.line, reason: "invalid_value"))
            }
            guard let phone = PhoneNumber(f[2]) else { issues.append(FieldIssue(field: "phone", line: record.line, reason: "invalid_phone")); continue }
            guard let last = CivilDate(f[3]), last <= today else { issues.append(FieldIssue(field: "last_authenticated", line: record.line, reason: "invalid_date")); continue }
            rows.append((f[0], f[1].uppercased(), phone.digits, last.description))
        }
        guard issues.isEmpty else { throw LinliError(.importRejected, ["count": "\(issues.count)"], issues: Array(issues.prefix(100))) }
        let valid = rows
        try await db.writeTransaction { tx in
            for (name, last4, phone, last) in valid {
                let person = try await Person.query(on: tx).filter(\.$phone == phone).first()?.id
                if let existing = try await Pensioner.scoped(to: community, on: tx).filter(\.$phone == phone).first() {
                    existing.name = name
                    existing.idLast4 = last4
                    existing.personID = person
                    if last > existing.lastAuthenticatedOn { existing.lastAuthenticatedOn = last }
                    try await existing.save(on: tx)
                    continue
                }
                let row = Pensioner()
                row.communityID = community
                row.personID = person
                row.name = name
                row.idLast4 = last4
                row.phone = phone
                row.lastAuthenticatedOn = last
                row.createdAt = now
                try await row.create(on: tx)
            }
        }
        return rows.count
    }

    static let job = "pensioners.remind"

    /// Sends each reminder that has come due, once (the mark written with the notes): to the pensioner
    /// and the other members of their home (亲情代办).
    static func remind(now: Date, app: Application) async throws {
        let today = CivilApplications.today(now)
        var told: Set<UUID> = []
        for row in try await Pensioner.query(on: app.db).filter(\.$personID != nil).all() {
            guard let due = row.dueOn, let person = row.personID else { continue }
            let passed = offsets.filter { due.dayNumber + $0 <= today.dayNumber && today.dayNumber - (due.dayNumber + $0) < 7 }
            guard let offset = passed.last else { continue }
            let mark = "\(due):\(offset)"
            guard !row.reminded.split(separator: ";").contains(Substring(mark)) else { continue }
            let sent = try await app.db.writeTransaction { tx -> Bool in
                let claimed = try await tx.conditionalUpdate(Pensioner.schema) {
                    $0.set("reminded", to: row.reminded.isEmpty ? mark : row.reminded + ";" + mark)
                        .where("id", .equal, row.id).where("reminded", .equal, row.reminded)
                }
                guard claimed == 1 else { return false }
                let key = offset < 0 ? "gov.note.pensionDue" : "gov.note.pensionOverdue"
                let homes = try await Membership.query(on: tx).filter(\.$personID == person).filter(\.$communityID == row.communityID).all(\.$householdID)
                if homes.isEmpty {
                    try await Notifier.send(key, .applications, to: .person(person), community: row.communityID, now: now, on: tx)
                }
                for home in Set(homes) {
                    try await Notifier.send(key, .applications, to: .household(home), community: row.communityID, now: now, on: tx)
                }
                return true
            }
            if sent { told.insert(row.communityID) }
        }
        for community in told { app.events.publish(NotificationsChanged(community: community)) }
    }
}
