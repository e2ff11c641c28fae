import Fluent
import Foundation
import LinliCore
import Vapor

extension GovernmentServices {
    static func read(_ row: CivilApplication, _ req: Request, steps: Bool = false) async throws -> ApplicationRead {
        let clock = ApplicationClock(calendar: try await CivilApplications.calendar(row.communityID, on: req.db))
        let id = try row.requireID()
        let records = steps ? try await ApplicationStep.query(on: req.db).filter(\.$applicationID == id).sort(\.$at).all() : nil
        let materials = steps ? try await Materials.list(id, on: req.db) : nil
        return try ApplicationRead(row, clock: clock, today: CivilApplications.today(req.clock.now()), steps: records, materials: materials)
    }

    @Sendable static func createApplication(_ req: Request) async throws -> some AsyncResponseEncodable {
        let community = try req.scope.communityID()
        let input = try req.decode(ApplicationInput.self)
        var received: CivilDate? = nil
        if let text = input.receivedAt {
            guard let day = CivilDate(text) else { throw LinliError.invalid("receivedAt", "invalid_date") }
            received = day
        }
        let row = try await CivilApplications.create(
            .init(kind: input.kind, person: input.personID, household: input.householdID, receivedOn: received,
                  channel: input.channel ?? "office", by: try req.user().principal.personID),
            community: community, now: req.clock.now(), today: req.today, on: req.db)
        try await Audit.record(.create, "application", id: row.id, community: community, after: row.kind, by: req, on: req.db)
        return Created(value: try await read(row, req))
    }

    @Sendable static func listApplications(_ req: Request) async throws -> some AsyncResponseEncodable {
        let community = try req.scope.communityID()
        let options = try req.listOptions(.applications)
        let clock = ApplicationClock(calendar: try await CivilApplications.calendar(community, on: req.db))
        let today = CivilApplications.today(req.clock.now())
        var query = CivilApplication.scoped(to: community, on: req.db)
        if let q = options.query { query = query.filter(\.$kind == q) }
        return try await query.page(options, map: { try ApplicationRead($0, clock: clock, today: today) })
    }

    static func pathApplication(_ req: Request) async throws -> CivilApplication {
        try await CivilApplication.find(try req.id("applicationID"), in: try req.scope.communityID(), on: req.db)
    }

    @Sendable static func getApplication(_ req: Request) async throws -> ApplicationRead {
        try await read(try await pathApplication(req), req, steps: true)
    }

    @Sendable static func takeStep(_ req: Request) async throws -> ApplicationRead {
        let row = try await pathApplication(req)
        try await CivilApplications.take(
            row, try req.decode(StepInput.self), by: try req.user().principal.personID, now: req.clock.now(), board: req.application.noticePosting,
            on: req.db)
        req.application.events.publish(NotificationsChanged(community: row.communityID))
        req.application.noticePosting.changed(row.communityID)
        return try await read(try await pathApplication(req), req, steps: true)
    }

    @Sendable static func extendApplication(_ req: Request) async throws -> ApplicationRead {
        let row = try await pathApplication(req)
        try await CivilApplications.extend(row, reason: try req.decode(ExtensionInput.self).reason, by: try req.user().principal.personID, now: req.clock.now(), on: req.db)
        return try await read(try await pathApplication(req), req, steps: true)
    }

    @Sendable static func listPublicity(_ req: Request) async throws -> some AsyncResponseEncodable {
        let community = try req.scope.communityID()
        let options = try req.listOptions(.applications)
        let today = CivilApplications.today(req.clock.now()).description
        let rows = try await CivilApplication.scoped(to: community, on: req.db).filter(\.$status == .publicized)
            .filter(\.$publicityStart <= today).filter(\.$publicityEnd >= today).sort(\.$publicityEnd).limit(500).all()
        let people = try await Person.byID(rows.map(\.personID), on: req.db)
        let items = rows.map {
            PublicityRead(name: people[$0.personID]?.name ?? "", kind: $0.kind, familySize: $0.familySize, amountFen: $0.amountFen, until: $0.publicityEnd ?? "")
        }
        return ListPage(items: Array(items.dropFirst(options.offset).prefix(options.per)), metadata: PageMetadata(page: options.page, per: options.per, total: items.count))
    }

    struct CalendarLinesRead: Content { let lines: [String] }

    @Sendable static func getWorkingCalendar(_ req: Request) async throws -> CalendarLinesRead {
        CalendarLinesRead(lines: try await CalendarLine.query(on: req.db).filter(\.$communityID == (try req.scope.communityID())).sort(\.$createdAt).all(\.$line))
    }

    @Sendable static func extendWorkingCalendar(_ req: Request) async throws -> CalendarLinesRead {
        let community = try req.scope.communityID()
        let text = try req.decode(CalendarLinesInput.self).lines
        do { _ = try WorkingCalendar.parse(text) } catch let error as WorkingCalendar.LineError {
            throw LinliError(.validationFailed, ["field": "lines"], issues: [FieldIssue(field: "lines", line: error.line, reason: "invalid_value")])
        }
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
        try await req.db.writeTransaction { tx in
            for line in lines {
                let row = CalendarLine()
                row.communityID = community
                row.line = line
                row.createdAt = req.clock.now()
                try await row.create(on: tx)
            }
        }
        try await Audit.record(.update, "working_calendar", id: nil, community: community, after: lines.joined(separator: "; "), by: req, on: req.db)
        return try await getWorkingCalendar(req)
    }

    /// Applies online for one of the caller's current homes.
    @Sendable static func applyOnline(_ req: Request) async throws -> some AsyncResponseEncodable {
        let input = try req.decode(MyApplicationInput.self)
        let principal = try req.user().principal
        guard let community = principal.households[input.householdID] else { throw LinliError(.notFound) }
        let row = try await CivilApplications.create(
            .init(kind: input.kind, person: principal.personID, household: input.householdID, receivedOn: nil, channel: "online", by: principal.personID),
            community: community, now: req.clock.now(), today: req.today, on: req.db)
        return Created(value: try await read(row, req))
    }

    /// The adults of the caller's current homes (who, with the applicant, may read an application).
    static func householdAdults(_ req: Request) async throws -> (homes: [UUID], mine: UUID) {
        let principal = try req.user().principal
        let person = try req.user().person
        let year = Int(req.today.prefix(4)) ?? 2026
        let adult = !person.isChild && (person.birthYear.map { year - $0 >= 18 } ?? true)
        return (adult ? Array(principal.households.keys) : [], principal.personID)
    }

    @Sendable static func listMyApplications(_ req: Request) async throws -> some AsyncResponseEncodable {
        let options = try req.listOptions(.applications)
        let (homes, me) = try await householdAdults(req)
        let rows = try await CivilApplication.query(on: req.db).group(.or) { $0.filter(\.$personID == me).filter(\.$householdID ~~ homes) }
            .sort(\.$createdAt, .descending).limit(200).all()
        var items: [ApplicationRead] = []
        for row in rows.dropFirst(options.offset).prefix(options.per) { items.append(try await read(row, req)) }
        return ListPage(items: items, metadata: PageMetadata(page: options.page, per: options.per, total: rows.count))
    }

    /// The path's application when the caller is its applicant or an adult of its household; else 404.
    static func myApplication(_ req: Request) async throws -> CivilApplication {
        let (homes, me) = try await householdAdults(req)
        guard let row = try await CivilApplication.find(try req.id("applicationID"), on: req.db),
            row.personID == me || homes.contains(row.householdID)
        else { throw LinliError(.notFound) }
        return row
    }

    @Sendable static func getMyApplication(_ req: Request) async throws -> ApplicationRead {
        try await read(try await myApplication(req), req, steps: true)
    }
}
