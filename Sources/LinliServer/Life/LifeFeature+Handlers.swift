import Fluent
import Foundation
import LinliCore
import Vapor

extension CommunityLife {
    @Sendable static func createEvent(_ req: Request) async throws -> some AsyncResponseEncodable {
        let community = try req.scope.communityID()
        let input = try req.decode(EventInput.self)
        var v = Validation()
        let title = v.text(input.title, "title", max: 60) ?? ""
        let place = v.text(input.place, "place", max: 60) ?? ""
        let details = v.text(input.description?.nilIfEmpty, "description", max: 2000, required: false, multiline: true) ?? ""
        v.range(input.capacity, "capacity", 1...10_000)
        v.range(input.seatsPerSignup, "seatsPerSignup", 1...10)
        if input.endsAt <= input.startsAt { v.fail("endsAt", "ends_before_start") }
        try v.check()
        let row = LifeEvent()
        row.communityID = community
        row.title = title
        row.details = details
        row.place = place
        row.startsAt = input.startsAt
        row.endsAt = input.endsAt
        row.capacity = input.capacity
        row.seatsPerSignup = input.seatsPerSignup ?? 2
        row.confirmedSeats = 0
        row.waiting = 0
        row.createdBy = try req.user().principal.personID
        row.createdAt = req.clock.now()
        try await req.db.writeTransaction { db in
            try await row.create(on: db)
            try await Audit.record(.create, "event", id: row.id, community: community, after: row.title, by: req, on: db)
        }
        return Created(value: try LifeEventRead(row))
    }

    @Sendable static func listEvents(_ req: Request) async throws -> some AsyncResponseEncodable {
        let community = try req.scope.communityID()
        let options = try req.listOptions(.lifeEvents)
        var query = LifeEvent.scoped(to: community, on: req.db)
        if let q = options.query { query = query.filter(\.$title ~~ q) }
        return try await query.page(options, map: { try LifeEventRead($0) })
    }

    @Sendable static func getEvent(_ req: Request) async throws -> some AsyncResponseEncodable {
        let event = try await LifeEvent.find(try req.id("eventID"), in: try req.scope.communityID(), on: req.db)
        let checkedIn = try await Registration.query(on: req.db).filter(\.$eventID == (try event.requireID()))
            .filter(\.$checkedInAt != nil).count()
        return try LifeEventRead(event, checkedIn: checkedIn)
    }

    @Sendable static func checkInToEvent(_ req: Request) async throws -> Response {
        let event = try await LifeEvent.find(try req.id("eventID"), in: try req.scope.communityID(), on: req.db)
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

    /// The event of a resident's path: in a community they live in, else 404 (as if it did not exist).
    static func visibleEvent(_ req: Request) async throws -> LifeEvent {
        let homes = Set(try req.user().principal.households.values)
        guard let event = try await LifeEvent.find(try req.id("eventID"), on: req.db), homes.contains(event.communityID)
        else { throw LinliError(.notFound) }
        return event
    }

    static func mine(_ event: LifeEvent, _ req: Request) async throws -> Registration? {
        try await Registration.query(on: req.db).filter(\.$eventID == (try event.requireID()))
            .filter(\.$personID == (try req.user().principal.personID)).first()
    }

    @Sendable static func registerForEvent(_ req: Request) async throws -> some AsyncResponseEncodable {
        let event = try await visibleEvent(req)
        let input = try req.decode(RegistrationInput.self)
        let seats = input.seats ?? 1
        guard (1...event.seatsPerSignup).contains(seats) else { throw LinliError.invalid("seats", "too_many_seats") }
        guard event.cancelledAt == nil else { throw CheckIns.refusal("event_cancelled") }
        guard event.endsAt > req.clock.now() else { throw CheckIns.refusal("event_over") }
        let person = try req.user().principal.personID
        let row = try await Registrations.signUp(event, person: person, seats: seats, by: person, now: req.clock.now(), on: req.db)
        return Created(value: try RegistrationRead(
            row, position: try await Registrations.position(row, on: req.db),
            ticketTitle: req.t("life.ticket", ["code": row.ticketCode])))
    }

    @Sendable static func getEventRegistration(_ req: Request) async throws -> Response {
        let event = try await visibleEvent(req)
        guard let row = try await mine(event, req), row.status != .cancelled else { throw LinliError(.notFound) }
        let response = try await RegistrationRead(
            row, position: try await Registrations.position(row, on: req.db),
            ticketTitle: req.t("life.ticket", ["code": row.ticketCode]))
            .encodeResponse(for: req)
        response.headers.cacheControl = .init(noStore: true)
        return response
    }

    @Sendable static func cancelEventRegistration(_ req: Request) async throws -> HTTPStatus {
        let event = try await visibleEvent(req)
        guard let row = try await mine(event, req), row.status != .cancelled else { throw LinliError(.notFound) }
        try await Registrations.cancel(row, now: req.clock.now(), on: req.db)
        req.application.events.publish(NotificationsChanged(community: event.communityID))
        return .noContent
    }

    @Sendable static func listMyEvents(_ req: Request) async throws -> some AsyncResponseEncodable {
        let principal = try req.user().principal
        let options = try req.listOptions(.lifeEvents)
        let communities = Array(Set(principal.households.values))
        guard !communities.isEmpty else {
            return ListPage<LifeEventRead>(items: [], metadata: PageMetadata(page: options.page, per: options.per, total: 0))
        }
        let page = try await LifeEvent.query(on: req.db).filter(\.$communityID ~~ communities)
            .filter(\.$endsAt > req.clock.now()).page(options, map: { $0 })
        let ids = page.items.compactMap(\.id)
        let mine = try await Registration.query(on: req.db).filter(\.$personID == principal.personID)
            .filter(\.$eventID ~~ ids).all()
        let status = Dictionary(mine.map { ($0.eventID, $0.status.rawValue) }, uniquingKeysWith: { a, _ in a })
        return ListPage(
            items: try page.items.map { try LifeEventRead($0, myStatus: $0.id.flatMap { status[$0] }) }, metadata: page.metadata)
    }
}
