import Fluent
import SQLKit
import Foundation
import LinliCore
import Vapor

struct NoticeInput: Content {
    let category: Notice.Category
    let title: String
    let body: String
    let buildingIDs: [UUID]?
    let groups: [NoticeAudience.Group]?
    let channels: [String]?
    let publishAt: Date?
    let expiresAt: Date?
    let pinned: Bool?
}

struct NoticeOut: Content, Equatable {
    let id: UUID
    let category: Notice.Category
    let title: String
    let body: String
    let buildingIDs: [UUID]
    let groups: [NoticeAudience.Group]
    let channels: [String]
    let publishAt: Date
    let expiresAt: Date?
    let pinned: Bool
    /// For the reader: whether I read it. For staff: reads, audience and read rate (%).
    let read: Bool?
    let reads: Int?
    let audience: Int?
    let readRate: Double?
}

/// Notices: staff and community workers publish to the community, buildings or groups, on channels,
/// scheduled and expiring, pinned or not; residents read them (receipts, read rate); an unread emergency
/// notice is a banner on every page until it is read.
enum Notices {
    static let c = RegistryAPI.c
    static let channels = ["app", "tv", "kiosk"]

    /// One current stay with what the audience needs of its person (read in one query, no models).
    private struct Stay: Decodable {
        let person_id: UUID
        let household_id: UUID
        let building_id: UUID
        let birth_year: Int?
        let is_elderly: Bool
        let lives_alone: Bool
        let is_child: Bool
    }

    /// The audience facts of every current resident of a community — or, with `only`, of that person and
    /// their housemates (a reader's own facts cost their households, not the whole community).
    static func residents(of community: UUID, only person: UUID? = nil, on db: any Database, now: Date) async throws
        -> [UUID: NoticeAudience.Resident]
    {
        let today = Calendar.chinaDate(now)
        guard let sql = db as? any SQLDatabase else { return [:] }
        // Stays (rows of `table`) current today.
        func current(_ table: String) -> any SQLExpression {
            SQLBinaryExpression(
                SQLBinaryExpression(SQLColumn("moved_in", table: table), .lessThanOrEqual, SQLBind(today)), .and,
                SQLGroupExpression(
                    SQLBinaryExpression(
                        SQLBinaryExpression(SQLColumn("moved_out", table: table), .is, SQLLiteral.null), .or,
                        SQLBinaryExpression(SQLColumn("moved_out", table: table), .greaterThan, SQLBind(today)))))
        }
        var query = sql.select()
            .column(SQLColumn("person_id", table: "m")).column(SQLColumn("household_id", table: "m"))
            .column(SQLColumn("building_id", table: "h")).column(SQLColumn("birth_year", table: "p"))
            .column(SQLColumn("is_elderly", table: "p")).column(SQLColumn("lives_alone", table: "p"))
            .column(SQLColumn("is_child", table: "p"))
            .from(SQLAlias(SQLIdentifier(Membership.schema), as: SQLIdentifier("m")))
            .join(SQLAlias(SQLIdentifier(Person.schema), as: SQLIdentifier("p")), on: SQLColumn("id", table: "p"), .equal, SQLColumn("person_id", table: "m"))
            .join(SQLAlias(SQLIdentifier(Household.schema), as: SQLIdentifier("h")), on: SQLColumn("id", table: "h"), .equal, SQLColumn("household_id", table: "m"))
            .where(SQLColumn("community_id", table: "m"), .equal, SQLBind(community))
            .where(current("m"))
        if let person {
            // The person's own current homes here, then everyone living in them.
            query = query.where(
                SQLColumn("household_id", table: "m"), .in,
                SQLGroupExpression(
                    sql.select().column(SQLColumn("household_id", table: "own"))
                        .from(SQLAlias(SQLIdentifier(Membership.schema), as: SQLIdentifier("own")))
                        .where(SQLColumn("community_id", table: "own"), .equal, SQLBind(community))
                        .where(SQLColumn("person_id", table: "own"), .equal, SQLBind(person))
                        .where(current("own")).query))
        }
        let stays = try await query.all(decoding: Stay.self)
        let year = Calendar.chinaYear(now)
        func isYoung(_ stay: Stay) -> Bool { stay.is_child || (stay.birth_year.map { year - $0 } ?? 99) < 14 }
        let childHomes = Set(stays.filter(isYoung).map(\.household_id))
        var result: [UUID: (Set<UUID>, Set<NoticeAudience.Group>)] = [:]
        for stay in stays {
            let groups = NoticeAudience.Resident.groups(
                age: stay.birth_year.map { year - $0 }, markedElderly: stay.is_elderly, livesAlone: stay.lives_alone,
                childInHome: childHomes.contains(stay.household_id) && !isYoung(stay))
            var entry = result[stay.person_id] ?? ([], [])
            entry.0.insert(stay.building_id)
            entry.1.formUnion(groups)
            result[stay.person_id] = entry
        }
        return result.mapValues { NoticeAudience.Resident(buildings: $0.0, groups: $0.1) }
    }

    static func out(_ n: Notice, read: Bool? = nil, reads: Int? = nil, audience: Int? = nil) throws -> NoticeOut {
        let target = n.target
        return NoticeOut(
            id: try n.requireID(), category: n.category, title: n.title, body: n.body,
            buildingIDs: target.buildings.sorted { $0.uuidString < $1.uuidString },
            groups: target.groups.sorted { $0.rawValue < $1.rawValue },
            channels: n.channels.split(separator: ",").map(String.init), publishAt: n.publishAt,
            expiresAt: n.expiresAt, pinned: n.pinned, read: read, reads: reads, audience: audience,
            readRate: audience.map { NoticeStatistics.readRate(reads: reads ?? 0, audience: $0) })
    }

    static func publish(_ input: NoticeInput, in community: UUID, on req: Request) async throws -> Notice {
        try req.authorize(.publishNotices(community))
        var v = Validation()
        let title = v.text(input.title, "title", max: 100) ?? ""
        let body = v.text(input.body, "body", max: 5000, multiline: true) ?? ""
        let channels = input.channels ?? ["app"]
        if channels.isEmpty || !channels.allSatisfy(Self.channels.contains) { v.fail("channels", "invalid_value") }
        let now = req.clock.now()
        let publishAt = input.publishAt ?? now
        if let expires = input.expiresAt, expires <= publishAt { v.fail("expiresAt", "before_publish") }
        try v.check()
        let buildings = Set(input.buildingIDs ?? [])
        if !buildings.isEmpty {
            let known = try await Building.scoped(to: community, on: req.db).filter(\.$id ~~ Array(buildings)).count()
            guard known == buildings.count else { throw LinliError.invalid("buildingIDs", "unknown_building") }
        }
        let notice = Notice()
        notice.communityID = community
        notice.category = input.category
        notice.title = title
        notice.body = body
        let audience = NoticeAudience(buildings: buildings, groups: Set(input.groups ?? []))
        notice.audience = String(decoding: try JSONEncoder().encode(audience), as: UTF8.self)
        notice.channels = Array(Set(channels)).sorted().joined(separator: ",")
        notice.publishAt = publishAt
        notice.expiresAt = input.expiresAt
        notice.pinned = input.pinned ?? (input.category == .emergency)
        notice.createdBy = try req.user().principal.personID
        notice.createdAt = now
        try await req.db.writeTransaction { db in
            try await notice.create(on: db)
            try await Audit.record(
                .create, "notice", id: notice.id, community: community, after: title, by: req, on: db)
        }
        changed(community, on: req)
        return notice
    }

    /// Withdraws a notice (audited): residents no longer see it; its receipts stay.
    static func withdraw(_ id: UUID, in community: UUID, on req: Request) async throws {
        try req.authorize(.publishNotices(community))
        let notice = try await Notice.find(id, in: community, on: req.db)
        notice.withdrawnAt = req.clock.now()
        try await req.db.writeTransaction { db in
            try await notice.save(on: db)
            try await Audit.record(
                .delete, "notice", id: notice.id, community: community, before: notice.title, by: req, on: db)
        }
        changed(community, on: req)
    }

    /// Records that the caller read it (once; later reads change nothing).
    static func markRead(_ notice: Notice, on req: Request) async throws {
        let person = try req.user().principal.personID
        guard
            try await NoticeRead.query(on: req.db).filter(\.$noticeID == notice.requireID())
                .filter(\.$personID == person).first() == nil
        else { return }
        let row = NoticeRead()
        row.noticeID = try notice.requireID()
        row.personID = person
        row.readAt = req.clock.now()
        do { try await row.create(on: req.db) } catch let error as any DatabaseError where error.isConstraintFailure {}
        req.application.events.publish(NoticeWasRead(person: person))
    }

    /// A notice the caller may read (in its audience), or 404.
    static func readable(_ req: Request) async throws -> Notice {
        let id = try req.id("noticeID")
        guard
            let notice = try await visible(to: try req.user().principal, now: req.clock.now(), on: req)
                .first(where: { $0.id == id })
        else { throw LinliError(.notFound) }
        return notice
    }

    /// Staff view: every notice of the community with reads, audience and read rate.
    static func staffList(_ community: UUID, on req: Request) async throws -> [NoticeOut] {
        let notices = try await Notice.scoped(to: community, on: req.db).filter(\.$withdrawnAt == nil)
            .sort(\.$publishAt, .descending).limit(100).all()
        let residents = try await residents(of: community, on: req.db, now: req.clock.now())
        // The receipts of all of them in one query.
        var readers: [UUID: [UUID]] = [:]
        for receipt in try await NoticeRead.query(on: req.db).filter(\.$noticeID ~~ notices.compactMap(\.id)).all() {
            readers[receipt.noticeID, default: []].append(receipt.personID)
        }
        return try notices.map { notice in
            let target = notice.target
            let audience = Set(residents.filter { target.includes($0.value) }.keys)
            let reads = (readers[try notice.requireID()] ?? []).filter(audience.contains).count
            return try Self.out(notice, reads: reads, audience: audience.count)
        }
    }

    static func register(_ app: Application) {
        app.migrations.add(CreateNotices())
        // Other features' notices (an application's publicity): to everyone, on the app, the kiosk and the TV.
        let events = app.events
        app.noticePosting.use(
            post: { posted, db in
                let notice = Notice()
                notice.communityID = posted.community
                notice.category = .policy
                notice.title = posted.title
                notice.body = posted.body
                notice.audience = String(decoding: try JSONEncoder().encode(NoticeAudience(buildings: [], groups: [])), as: UTF8.self)
                notice.channels = channels.joined(separator: ",")
                notice.publishAt = posted.from
                notice.expiresAt = posted.until
                notice.pinned = false
                notice.createdBy = posted.by
                notice.createdAt = posted.from
                try await notice.create(on: db)
            },
            changed: { events.publish(NoticesChanged(community: $0)) })
        let api = app.api.authenticated
        let object: JSONValue = .object([("type", "object")])
        let input = Schema.object(
            [
                ("category", Schema.enumeration(Notice.Category.allCases.map(\.rawValue))),
                ("title", Schema.string(min: 1, max: 100)), ("body", Schema.string(min: 1, max: 5000)),
                ("buildingIDs", Schema.array(Schema.uuid)),
                ("groups", Schema.array(Schema.enumeration(NoticeAudience.Group.allCases.map(\.rawValue)))),
                ("channels", Schema.array(Schema.enumeration(channels))), ("publishAt", Schema.dateTime),
                ("expiresAt", Schema.dateTime), ("pinned", Schema.bool),
            ], required: ["category", "title", "body"])
        api.register(
            .init(
                method: .POST, path: c + "/notices", operationID: "publishNotice",
                summary: "Publish a notice to the community, buildings or groups (staff, community workers)",
                tag: "property", authority: .community { .publishNotices($0) }, body: input, status: .created, response: object), in: app, publishNotice)
        api.register(
            .init(
                method: .GET, path: c + "/notices", operationID: "listNotices",
                summary: "The community's notices with reads, audience and read rate (publishers)", tag: "property", authority: .community { .publishNotices($0) },
                response: Schema.page(object), query: Endpoint.listQuery(.notices)), in: app, listNotices)
        api.register(
            .init(
                method: .DELETE, path: c + "/notices/{noticeID}", operationID: "withdrawNotice",
                summary: "Withdraw a notice", tag: "property", authority: .community { .publishNotices($0) }, status: .noContent), in: app, withdrawNotice)
        api.register(
            .init(
                method: .GET, path: "/api/v1/me/notices", operationID: "listMyNotices",
                summary: "Notices for me (pinned first), each with whether I read it", tag: "property", authority: .signedIn,
                response: Schema.page(object), query: Endpoint.listQuery(.myNotices)), in: app, listMyNotices)
        api.register(
            .init(
                method: .POST, path: "/api/v1/me/notices/{noticeID}/read", operationID: "readNotice",
                summary: "Record that I read a notice (its read receipt)", tag: "property", authority: .object("noticeID"), status: .noContent), in: app, readNotice)
    }
}

extension Sorting {
    /// The publisher's list: newest first (the last 100).
    static let notices = Sorting(keys: ["publish_at"], defaultSort: "-publish_at")
    /// A reader's list: pinned first, then newest.
    static let myNotices = Sorting(keys: ["pinned"], defaultSort: "-pinned")
}
