import Fluent
import Foundation
import LinliCore
import SQLKit
import Vapor

extension CommunityLife {
    @Sendable static func createClub(_ req: Request) async throws -> some AsyncResponseEncodable {
        let community = try req.scope.communityID()
        let organiser = req.can(.organiseEvents(community))
        let person = try req.user().principal.personID
        let principal = try req.user().principal
        guard organiser || !LifeAudience.homes(principal, in: community).isEmpty else { throw LinliError(.forbidden) }
        let club = try await Clubs.create(
            try req.decode(ClubInput.self), community: community, by: person, organiser: organiser, now: req.clock.now(),
            today: req.today, on: req.db)
        try await Audit.record(.create, "club", id: club.id, community: community, after: club.name, by: req, on: req.db)
        let mine = try await ClubMember.query(on: req.db).filter(\.$clubID == (try club.requireID())).filter(\.$personID == person).first()
        return Created(value: try await Clubs.read(club, mine: mine, on: req.db))
    }

    @Sendable static func listClubs(_ req: Request) async throws -> some AsyncResponseEncodable {
        let community = try req.scope.communityID()
        let options = try req.listOptions(.clubs)
        let person = try req.user().principal.personID
        var clubs = try await Club.scoped(to: community, on: req.db).sort(\.$name).all()
        var seen: [Club] = []
        for club in clubs where try await Clubs.sees(club, req) { seen.append(club) }
        clubs = seen
        if let q = options.query { clubs = clubs.filter { $0.name.contains(q) } }
        let slice = Array(clubs.dropFirst(options.offset).prefix(options.per))
        let mine = try await ClubMember.query(on: req.db).filter(\.$personID == person).filter(\.$clubID ~~ slice.compactMap(\.id)).all()
        var items: [ClubRead] = []
        for club in slice { items.append(try await Clubs.read(club, mine: mine.first { $0.clubID == club.id }, on: req.db)) }
        return ListPage(items: items, metadata: PageMetadata(page: options.page, per: options.per, total: clubs.count))
    }

    @Sendable static func approveClub(_ req: Request) async throws -> ClubRead {
        let club = try await Club.find(try req.id("clubID"), in: try req.scope.communityID(), on: req.db)
        let changed = try await req.db.conditionalUpdate(Club.schema) {
            $0.set("status", to: Club.Status.active.rawValue).where("id", .equal, club.id).where("status", .equal, Club.Status.proposed.rawValue)
        }
        guard changed == 1 else { throw LinliError(.conflict, issues: [FieldIssue(field: "clubID", reason: "not_proposed")]) }
        club.status = .active
        try await Audit.record(.update, "club", id: club.id, community: club.communityID, after: "active", by: req, on: req.db)
        return try await Clubs.read(club, mine: nil, on: req.db)
    }

    @Sendable static func clubFigures(_ req: Request) async throws -> LifeFigures {
        let club = try await Club.find(try req.id("clubID"), in: try req.scope.communityID(), on: req.db)
        return try await LifeStats.club(try club.requireID(), today: req.today, on: req.db)
    }

    static func membership(_ club: Club, _ req: Request) async throws -> ClubMember? {
        try await ClubMember.query(on: req.db).filter(\.$clubID == (try club.requireID()))
            .filter(\.$personID == (try req.user().principal.personID)).first()
    }

    static func read(_ m: ClubMember) -> ClubMembershipRead {
        ClubMembershipRead(clubID: m.clubID, role: m.role.rawValue, status: m.status.rawValue, showName: m.showName)
    }

    @Sendable static func getMembership(_ req: Request) async throws -> ClubMembershipRead {
        guard let m = try await membership(try await Clubs.visible(req), req) else { throw LinliError(.notFound) }
        return read(m)
    }

    /// Joins: at once for an open club, pending a leader's approval otherwise (the leaders are told).
    @Sendable static func joinClub(_ req: Request) async throws -> some AsyncResponseEncodable {
        let club = try await Clubs.visible(req)
        let input = try req.decode(MembershipInput.self)
        return Created(value: read(try await Clubs.join(club, showName: input.showName ?? false, req)))
    }

    @Sendable static func leaveClub(_ req: Request) async throws -> HTTPStatus {
        guard let m = try await membership(try await Clubs.visible(req), req) else { throw LinliError(.notFound) }
        try await m.delete(on: req.db)
        return .noContent
    }

    /// The members: leaders and organisers see everyone with phones; an active member sees the names of
    /// those who agreed to be shown; others 404.
    @Sendable static func listClubMembers(_ req: Request) async throws -> some AsyncResponseEncodable {
        let club = try await Clubs.visible(req)
        let options = try req.listOptions(.clubs)
        let manager = try await Clubs.manages(club, req)
        if !manager {
            guard let m = try await membership(club, req), m.status == .active else { throw LinliError(.notFound) }
        }
        var query = ClubMember.query(on: req.db).filter(\.$clubID == (try club.requireID()))
        if !manager { query = query.filter(\.$status == .active).filter(\.$showName == true) }
        let page = try await query.sort(\.$joinedAt).page(options, map: { $0 })
        let people = Dictionary(
            try await Person.query(on: req.db).filter(\.$id ~~ page.items.map(\.personID)).all().compactMap { p in p.id.map { ($0, p) } },
            uniquingKeysWith: { a, _ in a })
        return ListPage(
            items: page.items.map {
                ClubMemberRead(
                    personID: $0.personID, name: people[$0.personID]?.name ?? "", role: $0.role.rawValue, status: $0.status.rawValue,
                    phone: manager ? people[$0.personID]?.phone : nil)
            }, metadata: page.metadata)
    }

    @Sendable static func approveMember(_ req: Request) async throws -> ClubMembershipRead {
        let club = try await Clubs.visible(req)
        guard try await Clubs.manages(club, req) else { throw LinliError(.notFound) }
        guard let m = try await ClubMember.query(on: req.db).filter(\.$clubID == (try club.requireID()))
            .filter(\.$personID == (try req.id("personID"))).first()
        else { throw LinliError(.notFound) }
        let changed = try await req.db.conditionalUpdate(ClubMember.schema) {
            $0.set("status", to: ClubMember.Status.active.rawValue).where("id", .equal, m.id).where("status", .equal, ClubMember.Status.pending.rawValue)
        }
        guard changed == 1 else { throw LinliError(.conflict, issues: [FieldIssue(field: "personID", reason: "not_pending")]) }
        m.status = .active
        return read(m)
    }

    /// A club's event, posted by its leaders (or organisers): meant for the club's members.
    @Sendable static func createClubEvent(_ req: Request) async throws -> some AsyncResponseEncodable {
        let club = try await Clubs.visible(req)
        guard try await Clubs.manages(club, req) else { throw LinliError(.notFound) }
        guard club.status == .active else { throw LinliError(.conflict, issues: [FieldIssue(field: "clubID", reason: "not_open")]) }
        let made = try await EventCreation.create(
            try req.decode(EventInput.self), community: club.communityID, club: try club.requireID(),
            by: try req.user().principal.personID, now: req.clock.now(), on: req.db)
        try await Audit.record(.create, "event", id: made[0].id, community: club.communityID, after: made[0].title, by: req, on: req.db)
        return Created(value: try LifeEventRead(made[0]))
    }
}
