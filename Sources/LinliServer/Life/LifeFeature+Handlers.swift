import Fluent
import Foundation
import LinliCore
import Vapor

/// The organisers' side: events, venues, the roster, sign-up on someone's behalf, check-in, figures.
extension CommunityLife {
    @Sendable static func createEvent(_ req: Request) async throws -> some AsyncResponseEncodable {
        let community = try req.scope.communityID()
        let made = try await EventCreation.create(
            try req.decode(EventInput.self), community: community, club: nil, by: try req.user().principal.personID,
            now: req.clock.now(), on: req.db)
        try await Audit.record(.create, "event", id: made[0].id, community: community, after: made[0].title, by: req, on: req.db)
        return Created(value: try LifeEventRead(made[0]))
    }

    @Sendable static func listEvents(_ req: Request) async throws -> some AsyncResponseEncodable {
        let community = try req.scope.communityID()
        let options = try req.listOptions(.lifeEvents)
        var query = LifeEvent.scoped(to: community, on: req.db)
        if let q = options.query { query = query.filter(\.$title ~~ q) }
        return try await query.page(options, map: { try LifeEventRead($0) })
    }

    /// The path's event in the path's community (404 for another community's).
    static func pathEvent(_ req: Request) async throws -> LifeEvent {
        try await LifeEvent.find(try req.id("eventID"), in: try req.scope.communityID(), on: req.db)
    }

    @Sendable static func getEvent(_ req: Request) async throws -> some AsyncResponseEncodable {
        let event = try await pathEvent(req)
        let checkedIn = try await Registration.query(on: req.db).filter(\.$eventID == (try event.requireID()))
            .filter(\.$checkedInAt != nil).count()
        return try LifeEventRead(event, checkedIn: checkedIn)
    }

    @Sendable static func cancelEvent(_ req: Request) async throws -> HTTPStatus {
        let event = try await pathEvent(req)
        guard try await LifeJobs.cancelEvent(event, now: req.clock.now(), on: req.db) else {
            throw CheckIns.refusal("event_cancelled")
        }
        try await Audit.record(.update, "event", id: event.id, community: event.communityID, after: "cancelled", by: req, on: req.db)
        req.application.events.publish(NotificationsChanged(community: event.communityID))
        return .noContent
    }

    @Sendable static func listRegistrations(_ req: Request) async throws -> some AsyncResponseEncodable {
        let event = try await pathEvent(req)
        let options = try req.listOptions(.registrations)
        let page = try await Registration.query(on: req.db).filter(\.$eventID == (try event.requireID())).page(options, map: { $0 })
        let names = Dictionary(
            try await Person.query(on: req.db).filter(\.$id ~~ page.items.map(\.personID)).all().compactMap { p in p.id.map { ($0, p.name) } },
            uniquingKeysWith: { a, _ in a })
        return ListPage(
            items: try page.items.map {
                RosterRead(
                    id: try $0.requireID(), personID: $0.personID, name: names[$0.personID] ?? "", seats: $0.seats,
                    status: $0.status.rawValue, signedUpAt: $0.signedUpAt, checkedInAt: $0.checkedInAt,
                    onBehalf: $0.signedUpBy != nil && $0.signedUpBy != $0.personID, noShow: $0.noShow)
            }, metadata: page.metadata)
    }

    /// Staff sign someone up (a call, a visit: 代报名): a resident of the community, for their household.
    @Sendable static func registerOnBehalf(_ req: Request) async throws -> some AsyncResponseEncodable {
        let event = try await pathEvent(req)
        let input = try req.decode(OnBehalfInput.self)
        guard let person = try await Person.find(input.personID, on: req.db) else { throw LinliError(.notFound) }
        let row = try await signUpOnBehalf(event, person, seats: input.seats, members: input.memberIDs, req)
        return Created(value: try await read(row, req))
    }

    /// Signs a resident up for staff: 404 when they do not live in the event's community, 422 when the
    /// event is not meant for them.
    static func signUpOnBehalf(_ event: LifeEvent, _ person: Person, seats: Int?, members: [UUID]?, _ req: Request) async throws
        -> Registration
    {
        let personID = try person.requireID()
        let homes = try await Membership.query(on: req.db).filter(\.$personID == personID)
            .filter(\.$communityID == event.communityID).all().filter { $0.isCurrent(on: req.today) }.map(\.householdID)
        guard let home = homes.first else { throw LinliError(.notFound) }
        guard let viewer = try await LifeAudience.viewer(person, homes: homes, community: event.communityID, today: req.today, on: req.db),
            LifeAudience.of(event).admits(viewer)
        else { throw LinliError.invalid("personID", "not_in_audience") }
        let who = try await signUpFor(
            event, person: personID, household: home, seats: seats, members: members, by: try req.user().principal.personID, req)
        let row = try await Registrations.signUp(event, who, now: req.clock.now(), on: req.db)
        req.application.events.publish(NotificationsChanged(community: event.communityID))
        return row
    }

    /// Checks a sign-up's seats and family members (current members of the household) and the event's window.
    static func signUpFor(
        _ event: LifeEvent, person: UUID, household: UUID, seats: Int?, members: [UUID]?, by: UUID, _ req: Request
    ) async throws -> Registrations.SignUp {
        let members = Array(Set(members ?? [])).filter { $0 != person }
        let count = members.isEmpty ? (seats ?? 1) : 1 + members.count
        guard (1...event.seatsPerSignup).contains(count) else { throw LinliError.invalid("seats", "too_many_seats") }
        if !members.isEmpty {
            let living = try await Membership.query(on: req.db).filter(\.$householdID == household)
                .filter(\.$personID ~~ members).all().filter { $0.isCurrent(on: req.today) }
            guard Set(living.map(\.personID)) == Set(members) else { throw LinliError.invalid("memberIDs", "not_in_household") }
        }
        let now = req.clock.now()
        guard event.cancelledAt == nil else { throw CheckIns.refusal("event_cancelled") }
        guard event.endsAt > now else { throw CheckIns.refusal("event_over") }
        if let opens = event.signupOpensAt, now < opens { throw CheckIns.refusal("signup_not_open") }
        if let closes = event.signupClosesAt, now >= closes { throw CheckIns.refusal("signup_closed") }
        return Registrations.SignUp(person: person, household: household, members: members, seats: count, by: by)
    }

    @Sendable static func checkInToEvent(_ req: Request) async throws -> Response {
        let event = try await LifeEvent.find(try req.id("eventID"), in: try req.id("communityID"), on: req.db)
        guard try await mayRunDoor(event, req) else { throw LinliError(.notFound) }
        let input = try req.decode(DoorScanInput.self)
        let outcome = try await CheckIns.scan(
            event, code: input.code, nonce: input.nonce, direction: input.direction ?? .in,
            by: try req.user().principal.personID, now: req.clock.now(), on: req.db)
        let read = DoorScanRead(
            registrationSeats: outcome.registration.seats, direction: outcome.checkIn.direction, at: outcome.checkIn.at)
        let response = try await read.encodeResponse(for: req)
        response.status = outcome.replay ? .ok : .created
        return response
    }

    /// Who runs the door: the community's organisers, and the leaders of the event's club.
    static func mayRunDoor(_ event: LifeEvent, _ req: Request) async throws -> Bool {
        if req.can(.organiseEvents(event.communityID)) { return true }
        guard let club = event.clubID else { return false }
        return try await Clubs.isLeader(try req.user().principal.personID, of: club, on: req.db)
    }

    /// The hashes of the tickets that may come in, for the check-in page to work offline.
    @Sendable static func eventTickets(_ req: Request) async throws -> Response {
        let event = try await LifeEvent.find(try req.id("eventID"), in: try req.id("communityID"), on: req.db)
        guard try await mayRunDoor(event, req) else { throw LinliError(.notFound) }
        let hashes = try await Registration.query(on: req.db).filter(\.$eventID == (try event.requireID()))
            .filter(\.$status == .confirmed).all(\.$ticketHash)
        let response = try await TicketListRead(eventID: try event.requireID(), hashes: hashes.sorted()).encodeResponse(for: req)
        response.headers.cacheControl = .init(noStore: true)
        return response
    }

    @Sendable static func eventFigures(_ req: Request) async throws -> LifeFigures {
        let event = try await pathEvent(req)
        return try await LifeStats.figures(Registration.query(on: req.db).filter(\.$eventID == (try event.requireID())), today: req.today, on: req.db)
    }

    @Sendable static func createVenue(_ req: Request) async throws -> some AsyncResponseEncodable {
        let input = try req.decode(VenueInput.self)
        let venue = try await addVenue(input.name, capacity: input.capacity, community: try req.scope.communityID(), on: req.db)
        return Created(value: VenueRead(id: try venue.requireID(), name: venue.name, capacity: venue.capacity))
    }

    /// Adds a venue to the community; a name it has already 409.
    static func addVenue(_ name: String, capacity: Int?, community: UUID, on db: any Database) async throws -> Venue {
        var v = Validation()
        let name = v.text(name, "name", max: 60) ?? ""
        v.range(capacity, "capacity", 1...100_000)
        try v.check()
        if try await Venue.scoped(to: community, on: db).filter(\.$name == name).first() != nil {
            throw LinliError(.conflict, issues: [FieldIssue(field: "name", reason: "taken")])
        }
        let venue = Venue()
        venue.communityID = community
        venue.name = name
        venue.capacity = capacity
        venue.bookings = 0
        try await venue.create(on: db)
        return venue
    }

    @Sendable static func listVenues(_ req: Request) async throws -> some AsyncResponseEncodable {
        let options = try req.listOptions(.venues)
        return try await Venue.scoped(to: try req.scope.communityID(), on: req.db).page(options) {
            VenueRead(id: try $0.requireID(), name: $0.name, capacity: $0.capacity)
        }
    }
}
