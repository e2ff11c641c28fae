import Fluent
import Foundation
import NIOConcurrencyHelpers
import Vapor

/// A person left a community: moved out of their last home there, or lost their last staff role.
/// The registry says so, in the transaction of the change; features that hold something of the
/// person's in that community (faces, cards, codes, open tasks) take it back in the same transaction.
struct Departure: Sendable {
    let person: UUID
    let community: UUID
    /// The home they left (nil for a staff role).
    let household: UUID?
    let at: Date
}

final class Departures: Sendable {
    typealias Handler = @Sendable (Departure, any Database) async throws -> Void
    private let handlers = NIOLockedValueBox<[Handler]>([])

    /// A feature registers what it takes back (`Access.register`).
    func onDeparture(_ handler: @escaping Handler) {
        handlers.withLockedValue { $0.append(handler) }
    }

    func run(_ departure: Departure, on db: any Database) async throws {
        for handler in handlers.withLockedValue({ $0 }) { try await handler(departure, db) }
    }
}

extension Application {
    private struct DeparturesKey: StorageKey { typealias Value = Departures }

    var departures: Departures {
        if let known = storage[DeparturesKey.self] { return known }
        let made = Departures()
        storage[DeparturesKey.self] = made
        return made
    }
}

extension Registry {
    /// Whether the person still lives (on `day`) or works in the community, apart from the row changing.
    static func stillBelongs(_ person: UUID, to community: UUID, day: String, on db: any Database) async throws -> Bool {
        let homes = try await Membership.query(on: db).filter(\.$personID == person)
            .filter(\.$communityID == community).all().filter { $0.isCurrent(on: day) }
        if !homes.isEmpty { return true }
        return try await StaffAssignment.query(on: db).filter(\.$personID == person)
            .filter(\.$communityID == community).count() > 0
    }
}
