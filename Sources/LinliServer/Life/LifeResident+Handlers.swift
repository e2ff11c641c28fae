import Fluent
import Foundation
import LinliCore
import Vapor

/// The residents' side: sign up (or take an offered seat), the ticket, "I can't come", what's on, the
/// private calendar feed.
extension CommunityLife {
    static func mine(_ event: LifeEvent, _ req: Request) async throws -> Registration? {
        try await Registration.query(on: req.db).filter(\.$eventID == (try event.requireID()))
            .filter(\.$personID == (try req.user().principal.personID)).first()
    }

    static func read(_ row: Registration, _ req: Request) async throws -> RegistrationRead {
        try RegistrationRead(
            row, position: try await Registrations.position(row, now: req.clock.now(), on: req.db),
            ticketTitle: req.t("life.ticket", ["code": row.ticketCode]))
    }

    /// Signs the caller up (with family members); when a seat is on offer to them, takes it instead
    /// (`accepted`). A second sign-up is 409.
    static func signUpSelf(_ event: LifeEvent, seats: Int?, members: [UUID]?, _ req: Request) async throws
        -> (row: Registration, accepted: Bool)
    {
        if let row = try await mine(event, req), row.status == .offered {
            try await Waitlist.accept(row, now: req.clock.now(), on: req.db)
            return (row, true)
        }
        let person = try req.user().principal.personID
        guard let home = LifeAudience.homes(try req.user().principal, in: event.communityID).first else { throw LinliError(.notFound) }
        let who = try await signUpFor(event, person: person, household: home, seats: seats, members: members, by: person, req)
        return (try await Registrations.signUp(event, who, now: req.clock.now(), on: req.db), false)
    }

    /// Signs up; when a seat is on offer to the caller, takes it (200). A second sign-up is 409.
    @Sendable static func registerForEvent(_ req: Request) async throws -> Response {
        let event = try await LifeAudience.visibleEvent(req)
        let input = try req.decode(RegistrationInput.self)
        let (row, accepted) = try await signUpSelf(event, seats: input.seats, members: input.memberIDs, req)
        if accepted { return try await read(row, req).encodeResponse(for: req) }
        return try await Created(value: try await read(row, req)).encodeResponse(for: req)
    }

    @Sendable static func getEventRegistration(_ req: Request) async throws -> Response {
        let event = try await LifeAudience.visibleEvent(req)
        guard let row = try await mine(event, req), row.status != .cancelled else { throw LinliError(.notFound) }
        let response = try await read(row, req).encodeResponse(for: req)
        response.headers.cacheControl = .init(noStore: true)
        return response
    }

    @Sendable static func cancelEventRegistration(_ req: Request) async throws -> HTTPStatus {
        let event = try await LifeAudience.visibleEvent(req)
        guard let row = try await mine(event, req), row.status != .cancelled else { throw LinliError(.notFound) }
        try await Registrations.cancel(row, event, now: req.clock.now(), on: req.db)
        req.application.events.publish(NotificationsChanged(community: event.communityID))
        return .noContent
    }

    /// The events meant for a person in each community they live in, starting after `from` (and before
    /// `until` when given) or, with neither, not yet over; soonest first.
    static func visibleEvents(
        for person: Person, _ principal: Principal, from: Date? = nil, until: Date? = nil, now: Date, today: String, on db: any Database
    ) async throws -> [LifeEvent] {
        var out: [LifeEvent] = []
        for community in Set(principal.households.values) {
            guard let viewer = try await LifeAudience.viewer(
                person, homes: LifeAudience.homes(principal, in: community), community: community, today: today, on: db)
            else { continue }
            var query = LifeEvent.query(on: db).filter(\.$communityID == community)
            if let from { query = query.filter(\.$startsAt > from) } else { query = query.filter(\.$endsAt > now) }
            if let until { query = query.filter(\.$startsAt < until) }
            out += try await query.sort(\.$startsAt).limit(500).all().filter { LifeAudience.of($0).admits(viewer) }
        }
        return out.sorted { $0.startsAt < $1.startsAt }
    }

    /// The upcoming events meant for the caller.
    static func visibleEvents(_ req: Request) async throws -> [LifeEvent] {
        let user = try req.user()
        return try await visibleEvents(for: user.person, user.principal, now: req.clock.now(), today: req.today, on: req.db)
    }

    @Sendable static func listMyEvents(_ req: Request) async throws -> some AsyncResponseEncodable {
        let principal = try req.user().principal
        let options = try req.listOptions(.lifeEvents)
        var events = try await visibleEvents(req)
        if let q = options.query { events = events.filter { $0.title.contains(q) } }
        if options.descending { events.reverse() }
        let slice = Array(events.dropFirst(options.offset).prefix(options.per))
        let mine = try await Registration.query(on: req.db).filter(\.$personID == principal.personID)
            .filter(\.$eventID ~~ slice.compactMap(\.id)).all()
        let status = Dictionary(mine.map { ($0.eventID, $0.status.rawValue) }, uniquingKeysWith: { a, _ in a })
        return ListPage(
            items: try slice.map { try LifeEventRead($0, myStatus: $0.id.flatMap { status[$0] }) },
            metadata: PageMetadata(page: options.page, per: options.per, total: events.count))
    }

    /// Makes (or remakes) the caller's private calendar URL; shown once, the previous one stops working.
    @Sendable static func createCalendarFeed(_ req: Request) async throws -> some AsyncResponseEncodable {
        let path = try await newCalendarFeed(for: try req.user().principal.personID, now: req.clock.now(), on: req.db)
        let response = try await Created(value: CalendarFeedRead(url: path)).encodeResponse(for: req)
        response.headers.cacheControl = .init(noStore: true)
        return response
    }

    /// A new private feed for the person (their previous one stops working): its path, holding the token.
    static func newCalendarFeed(for person: UUID, now: Date, on db: any Database) async throws -> String {
        let token = Secret.alphanumeric(32)
        try await db.writeTransaction { tx in
            try await CalendarFeed.query(on: tx).filter(\.$personID == person).delete()
            let feed = CalendarFeed()
            feed.personID = person
            feed.tokenHash = Secret.hash(token)
            feed.createdAt = now
            try await feed.create(on: tx)
        }
        return "/api/v1/calendars/\(token)"
    }

    /// The iCalendar feed of the events the URL's owner may see (a month back, half a year ahead).
    @Sendable static func calendarFeed(_ req: Request) async throws -> Response {
        guard let token = req.parameters.get("token"), token.count <= 64,
            let feed = try await CalendarFeed.query(on: req.db).filter(\.$tokenHash == Secret.hash(token)).first(),
            let person = try await Person.find(feed.personID, on: req.db)
        else { throw LinliError(.notFound) }
        let user = try await CurrentUser.load(person, on: req.db, today: req.today)
        let now = req.clock.now()
        let events = try await visibleEvents(
            for: person, user.principal, from: now.addingTimeInterval(-30 * 86_400), until: now.addingTimeInterval(183 * 86_400),
            now: now, today: req.today, on: req.db)
        let body = ICalendar.render(
            name: L10n.text("life.calendar", Language(setting: person.language) ?? .zhCN),
            events.map {
                ICalendar.Event(
                    uid: "\($0.id?.uuidString ?? "")@linli", title: $0.title, place: $0.place, details: $0.details,
                    startsAt: $0.startsAt, endsAt: $0.endsAt, cancelled: $0.cancelledAt != nil, stamp: $0.createdAt)
            })
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "calendar", parameters: ["charset": "utf-8"])
        headers.cacheControl = .init(noStore: true)
        return Response(status: .ok, headers: headers, body: .init(string: body))
    }
}

struct CalendarFeedRead: Content {
    let url: String
}
