import Fluent
import Foundation
import LinliCore
import Vapor

extension LifePages {
    struct Listing: Encodable {
        let title: String
        let when: String
        let place: String
        let description: String
        let seats: String
        let fee: String?
        let notes: [String]
        let maxSeats: [ConsolePages.Option]
        let housemates: [ConsolePages.Option]
        let action: String
        let full: Bool
    }

    struct Mine: Encodable {
        let title: String
        let when: String
        let place: String
        let status: String
        let code: String?
        let qr: String?
        let detail: String?
        let withdraw: String
        let take: String?
        let ticket: String?
    }

    struct ClubCard: Encodable {
        let name: String
        let description: String
        let members: Int
        let mine: String?
        let join: String?
        let leave: String?
    }

    struct EventsPage: Encodable {
        let behind: String?
        let mine: [Mine]
        let listings: [Listing]
        let clubs: [ClubCard]
        /// The community a proposed club is for (the first of the caller's homes).
        let proposeTo: String?
    }

    @Sendable static func eventsPage(_ req: Request) async throws -> Response {
        let user = try req.user()
        let me = user.principal.personID
        let now = req.clock.now()
        let events = try await CommunityLife.visibleEvents(req)
        let mineRows = try await Registration.query(on: req.db).filter(\.$personID == me)
            .filter(\.$eventID ~~ events.compactMap(\.id)).filter(\.$status != .cancelled).all()
        let byEvent = Dictionary(mineRows.map { ($0.eventID, $0) }, uniquingKeysWith: { a, _ in a })
        var mine: [Mine] = []
        var listings: [Listing] = []
        var housemates: [UUID: [ConsolePages.Option]] = [:]
        for event in events {
            let id = try event.requireID()
            if let row = byEvent[id] {
                mine.append(try await mineCard(event, row, req))
                continue
            }
            guard event.cancelledAt == nil else { continue }
            if housemates[event.communityID] == nil {
                housemates[event.communityID] = try await housematesOf(user, in: event.communityID, req)
            }
            listings.append(listing(event, housemates: housemates[event.communityID] ?? [], now: now, req))
        }
        let behind = try await NoShows.behindUntil([me], now: now, on: req.db)[me].map {
            req.t("life.behind", ["until": ConsolePages.time($0, req), "limit": "\(NoShows.rule.limit)"])
        }
        let response = try await req.render(
            "life/events", title: req.t("life.title"),
            EventsPage(
                behind: behind, mine: mine, listings: listings, clubs: try await clubCards(user, req),
                proposeTo: user.homes.first?.communityID.uuidString),
            keep: false)
        // The page shows ticket codes: not kept by the browser.
        response.headers.cacheControl = .init(noStore: true)
        return response
    }

    static func listing(_ event: LifeEvent, housemates: [ConsolePages.Option], now: Date, _ req: Request) -> Listing {
        let id = event.id ?? UUID()
        let left = max(0, event.capacity - event.confirmedSeats)
        var notes: [String] = []
        if let until = event.drawUntil, event.drawnAt == nil, now < until {
            notes.append(req.t("life.drawNote", ["until": ConsolePages.time(until, req)]))
        }
        if let opens = event.signupOpensAt, now < opens { notes.append(req.t("life.opensAt", ["at": ConsolePages.time(opens, req)])) }
        if let closes = event.signupClosesAt { notes.append(req.t("life.closesAt", ["at": ConsolePages.time(closes, req)])) }
        if event.waitlist == .offers { notes.append(req.t("life.offersNote", ["hours": "\(event.holdSeconds / 3600)"])) }
        if event.feeFen > 0 { notes.append(req.t("life.feeNote", ["at": ConsolePages.time(event.refundDeadline, req)])) }
        return Listing(
            title: event.title, when: when(event.startsAt, event.endsAt), place: event.place, description: event.details,
            seats: req.t("life.seatsLeft", ["left": "\(left)", "capacity": "\(event.capacity)", "waiting": "\(event.waiting)"]),
            fee: event.feeFen > 0 ? yuan(event.feeFen) : nil, notes: notes,
            maxSeats: (1...max(1, event.seatsPerSignup)).map { ConsolePages.Option(value: "\($0)", label: "\($0)") },
            housemates: event.seatsPerSignup > 1 ? Array(housemates.prefix(event.seatsPerSignup - 1)) : [],
            action: LifeRoute.signUp(id).path, full: left == 0 || event.waiting > 0)
    }

    static func mineCard(_ event: LifeEvent, _ row: Registration, _ req: Request) async throws -> Mine {
        let id = try event.requireID()
        var detail: String? = nil
        switch row.status {
        case .waitlisted:
            detail = req.t("life.position", ["n": "\(try await Registrations.position(row, now: req.clock.now(), on: req.db) ?? 0)"])
        case .offered: detail = row.offerEndsAt.map { req.t("life.offerEnds", ["at": ConsolePages.time($0, req)]) }
        case .pending: detail = event.drawUntil.map { req.t("life.drawNote", ["until": ConsolePages.time($0, req)]) }
        case .confirmed where row.checkedInAt != nil: detail = req.t("life.checkedIn", ["at": ConsolePages.time(row.checkedInAt, req)])
        default: break
        }
        if event.cancelledAt != nil { detail = req.t("life.eventCancelled") }
        let confirmed = row.status == .confirmed && event.cancelledAt == nil
        return Mine(
            title: event.title, when: when(event.startsAt, event.endsAt), place: event.place,
            status: req.t("life.status.\(row.status.rawValue)") + (row.seats > 1 ? " · " + req.t("life.seats", ["n": "\(row.seats)"]) : ""),
            code: confirmed ? row.ticketCode : nil,
            qr: confirmed ? try QRCode(row.ticketCode).svg(title: req.t("life.ticket", ["code": row.ticketCode])) : nil,
            detail: detail, withdraw: LifeRoute.withdraw(id).path, take: row.status == .offered ? LifeRoute.signUp(id).path : nil,
            ticket: confirmed ? LifeRoute.ticket(id).path : nil)
    }

    /// The other current members of the caller's home in the community (to sign up with).
    static func housematesOf(_ user: CurrentUser, in community: UUID, _ req: Request) async throws -> [ConsolePages.Option] {
        guard let home = LifeAudience.homes(user.principal, in: community).first else { return [] }
        let ids = try await Membership.query(on: req.db).filter(\.$householdID == home).all()
            .filter { $0.isCurrent(on: req.today) && $0.personID != user.principal.personID }.map(\.personID)
        return try await Person.query(on: req.db).filter(\.$id ~~ ids).sort(\.$name).all()
            .compactMap { p in p.id.map { ConsolePages.Option(value: $0.uuidString, label: p.name) } }
    }

    static func clubCards(_ user: CurrentUser, _ req: Request) async throws -> [ClubCard] {
        var cards: [ClubCard] = []
        for community in Set(user.principal.households.values) {
            for club in try await Club.scoped(to: community, on: req.db).sort(\.$name).all() where try await Clubs.sees(club, req) {
                let mine = try await ClubMember.query(on: req.db).filter(\.$clubID == (try club.requireID()))
                    .filter(\.$personID == user.principal.personID).first()
                let read = try await Clubs.read(club, mine: mine, on: req.db)
                let id = try club.requireID()
                cards.append(
                    ClubCard(
                        name: club.name + (club.status == .proposed ? " · " + req.t("life.club.proposed") : ""),
                        description: club.details, members: read.members,
                        mine: read.mine.map { req.t("life.club.\($0)") },
                        join: mine == nil && club.status == .active ? LifeRoute.joinClub(id).path : nil,
                        leave: mine != nil && mine?.role != .leader ? LifeRoute.leaveClub(id).path : nil))
            }
        }
        return cards
    }

    @Sendable static func postSignUp(_ req: Request) async throws -> Response {
        struct Form: Content {
            var seats: Int?
            var memberIDs: [UUID]?
        }
        let form = try req.content.decode(Form.self)
        let event = try await LifeAudience.visibleEvent(req)
        let (row, accepted) = try await CommunityLife.signUpSelf(event, seats: form.memberIDs == nil ? form.seats : nil, members: form.memberIDs, req)
        let position = try await Registrations.position(row, now: req.clock.now(), on: req.db)
        req.flash(accepted ? req.t("life.flash.taken") : req.t("life.flash.\(row.status.rawValue)", ["n": "\(position ?? 0)"]))
        return req.redirect(to: LifeRoute.events.path)
    }

    @Sendable static func postWithdraw(_ req: Request) async throws -> Response {
        let event = try await LifeAudience.visibleEvent(req)
        guard let row = try await CommunityLife.mine(event, req), row.status != .cancelled else { throw LinliError(.notFound) }
        try await Registrations.cancel(row, event, now: req.clock.now(), on: req.db)
        req.application.events.publish(NotificationsChanged(community: event.communityID))
        req.flash(req.t(row.refunded ? "life.flash.withdrawnRefunded" : "life.flash.withdrawn"))
        return req.redirect(to: LifeRoute.events.path)
    }

    struct TicketPage: Encodable {
        let title: String
        let when: String
        let place: String
        let name: String
        let code: String
        let qr: String
    }

    @Sendable static func ticketPage(_ req: Request) async throws -> Response {
        let event = try await LifeAudience.visibleEvent(req)
        guard let row = try await CommunityLife.mine(event, req), row.status == .confirmed else { throw LinliError(.notFound) }
        let response = try await req.render(
            "life/ticket", title: req.t("life.ticket", ["code": row.ticketCode]),
            TicketPage(
                title: event.title, when: when(event.startsAt, event.endsAt), place: event.place, name: try req.user().person.name,
                code: row.ticketCode, qr: try QRCode(row.ticketCode).svg(title: req.t("life.ticket", ["code": row.ticketCode]))),
            keep: false)
        response.headers.cacheControl = .init(noStore: true)
        return response
    }
}
