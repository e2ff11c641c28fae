import Fluent
import Foundation
import LinliCore
import SQLKit
import Vapor

extension GovernmentServices {
    static func registerPensioners(_ app: Application, _ api: any RoutesBuilder) {
        let c = RegistryAPI.c + "/pensioners"
        let handle = Authority.community { .handleApplications($0) }
        let one = Authority.community(object: "pensionerID") { .handleApplications($0) }
        api.register(
            .init(
                method: .POST, path: c + "/import", operationID: "importPensioners",
                summary: "Import the bureau's list as CSV (name,id_last4,phone,last_authenticated): all rows or none", tag: "government",
                authority: handle, body: Schema.string(), bodyContentType: "text/csv", maxBody: "2mb", status: .created,
                response: Schema.object([("imported", Schema.integer())])), in: app, importPensioners)
        api.register(
            .init(
                method: .GET, path: c, operationID: "listPensioners",
                summary: "Pensioners soonest due first; `due=month` (due this month), `overdue`, `bedridden`", tag: "government",
                authority: handle, response: Schema.page(of: "Pensioner"),
                query: Endpoint.listQuery(.pensioners) + [.init(name: "due", schema: Schema.enumeration(["month", "overdue", "bedridden"]))]),
            in: app, listPensioners)
        api.register(
            .init(
                method: .POST, path: c + "/{pensionerID}/authentication", operationID: "recordPensionAuthentication",
                summary: "Record an authentication: the day and the channel (self, family, home_visit)", tag: "government", authority: one,
                body: Schema.object([("on", Schema.string(max: 10)), ("channel", Schema.enumeration(["self", "family", "home_visit"]))], required: ["on", "channel"]),
                response: Schema.ref("Pensioner")), in: app, recordAuthentication)
        api.register(
            .init(
                method: .POST, path: c + "/{pensionerID}/home-visit", operationID: "askPensionHomeVisit",
                summary: "Mark as bedridden and give a worker the home visit to authenticate (a task)", tag: "government", authority: one,
                response: Schema.ref("Pensioner")), in: app, askHomeVisit)
    }

    struct ImportedRead: Content { let imported: Int }

    @Sendable static func importPensioners(_ req: Request) async throws -> some AsyncResponseEncodable {
        guard let buffer = req.body.data, let text = String(data: Data(buffer: buffer), encoding: .utf8) else {
            throw LinliError(.importRejected, ["count": "1"], issues: [FieldIssue(line: 1, reason: "import.not_csv")])
        }
        let count = try await Pensioners.importCSV(text, community: try req.scope.communityID(), now: req.clock.now(), on: req.db)
        try await Audit.record(.create, "pensioners", id: nil, community: try req.scope.communityID(), after: "\(count)", by: req, on: req.db)
        return Created(value: ImportedRead(imported: count))
    }

    @Sendable static func listPensioners(_ req: Request) async throws -> some AsyncResponseEncodable {
        let options = try req.listOptions(.pensioners)
        let today = CivilApplications.today(req.clock.now())
        var rows = try await Pensioners.list(try req.scope.communityID(), due: req.query[String.self, at: "due"], today: today, on: req.db)
        if let q = options.query { rows = rows.filter { $0.name.contains(q) || $0.phone.contains(q) } }
        if options.descending { rows.reverse() }
        var items: [PensionerRead] = []
        for row in rows.dropFirst(options.offset).prefix(options.per) {
            items.append(try await PensionerRead.withSigns(row, today: today, app: req.application, on: req.db))
        }
        return ListPage(items: items, metadata: PageMetadata(page: options.page, per: options.per, total: rows.count))
    }

    @Sendable static func recordAuthentication(_ req: Request) async throws -> PensionerRead {
        let row = try await Pensioner.find(try req.id("pensionerID"), in: try req.scope.communityID(), on: req.db)
        let input = try req.decode(AuthenticationInput.self)
        let today = CivilApplications.today(req.clock.now())
        try await Pensioners.record(row, on: input.on, channel: input.channel, today: today, on: req.db)
        try await Audit.record(.update, "pensioner", id: row.id, community: row.communityID, after: "\(input.on) \(input.channel)", by: req, on: req.db)
        return try await PensionerRead.withSigns(row, today: today, app: req.application, on: req.db)
    }

    @Sendable static func askHomeVisit(_ req: Request) async throws -> PensionerRead {
        let row = try await Pensioner.find(try req.id("pensionerID"), in: try req.scope.communityID(), on: req.db)
        let now = req.clock.now()
        try await req.db.writeTransaction { tx in
            let changed = try await tx.conditionalUpdate(Pensioner.schema) {
                $0.set("bedridden", to: true).where("id", .equal, row.id).where("bedridden", .equal, false)
            }
            if changed == 1 {
                _ = try await StaffTasks.open("gov.task.homeVisit", .init(role: .communityWorker, person: row.personID), community: row.communityID, now: now, on: tx)
            }
        }
        row.bedridden = true
        return try PensionerRead(row, today: CivilApplications.today(now))
    }
}

extension Sorting {
    static let pensioners = Sorting(keys: ["last_authenticated_on"], defaultSort: "last_authenticated_on")
}

enum PensionerSchemas {
    static let all: [(String, JSONValue)] = [
        (
            "Pensioner",
            Schema.object(
                [
                    ("id", Schema.uuid), ("name", Schema.string()), ("idLast4", Schema.string()), ("phone", Schema.string()),
                    ("lastAuthenticatedOn", Schema.string()), ("dueOn", Schema.string()), ("daysLeft", Schema.integer()),
                    ("bedridden", Schema.bool), ("channel", Schema.nullable(Schema.string())),
                    ("signs", Schema.array(Schema.object([("source", Schema.string()), ("at", Schema.dateTime)], required: ["source", "at"]))),
                ], required: ["id", "name", "dueOn", "daysLeft", "signs"])
        )
    ]
}
