import Fluent
import Foundation
import LinliCore
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

/// What the community-life tests share: residents with tokens, a venue, events created through the API.
extension Harness {
    /// `count` residents of community A (each in the world's other home), with a bearer token each.
    func residents(_ count: Int, from: Int = 0, home: UUID? = nil, birthYear: Int? = nil) async throws -> [(person: UUID, token: String)] {
        var out: [(UUID, String)] = []
        for n in from..<(from + count) {
            let person = Person(id: UUID(), name: "居民\(n)", phone: String(format: "1360000%04d", n), passwordHash: "x")
            person.birthYear = birthYear
            try await person.create(on: app.db)
            try await Membership(
                communityID: world.a, householdID: home ?? world.otherHome, personID: person.id!, relation: .family,
                movedIn: "2020-01-01"
            ).create(on: app.db)
            let (token, row) = UserToken.issue(for: person.id!, now: clock.now())
            try await row.create(on: app.db)
            out.append((person.id!, token))
        }
        return out
    }

    /// The venue of community A with this name (made once).
    func venue(_ name: String = "中心广场") async throws {
        if try await Venue.query(on: app.db).filter(\.$name == name).first() != nil { return }
        let made = try await send(.POST, community + "/venues", token: try await token("operator"), json: ["name": name])
        #expect(made.status == .created, "\(made.text)")
    }

    nonisolated(unsafe) static let iso = ISO8601DateFormatter()

    /// An event `hoursAhead` from now lasting 90 minutes in `place`; `extra` adds fields (`"feeFen":500`).
    func event(
        capacity: Int, hoursAhead: Double = 48, place: String = "中心广场", extra: String = "", as who: String = "operator"
    ) async throws -> UUID {
        try await venue(place)
        let starts = clock.now().addingTimeInterval(hoursAhead * 3600)
        let body = #"{"title":"太极拳体验课","place":"\#(place)","startsAt":"\#(Self.iso.string(from: starts))","endsAt":"\#(Self.iso.string(from: starts.addingTimeInterval(5400)))","capacity":\#(capacity)\#(extra.isEmpty ? "" : "," + extra)}"#
        let created = try await send(.POST, community + "/events", token: try await token(who), raw: body)
        #expect(created.status == .created, "\(created.text)")
        return try created.content.decode(LifeEventRead.self).id
    }

    func register(_ event: UUID, _ token: String, seats: Int = 1) async throws -> TestingHTTPResponse {
        try await send(.POST, "/api/v1/events/\(event)/registration", token: token, raw: #"{"seats":\#(seats)}"#)
    }

    func lifeEvent(_ id: UUID) async throws -> LifeEvent { try await LifeEvent.find(id, on: app.db)! }

    /// Runs the events' job at the clock's time.
    func tickLife() async throws { try await LifeJobs.run(now: clock.now(), app: app) }

    /// Puts money into a household's wallet.
    func topUp(_ household: UUID, fen: Int64) async throws {
        try await Books.post(
            .transfer(fen, from: Books.provider(world.a), to: Books.wallet(household), cause: "test-top-up:\(UUID())"),
            community: world.a, at: clock.now(), on: app.db)
    }
}
