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

/// A home's last resident moved out: whatever the household held (a wallet's balance) belongs to the
/// people who earned it, not to the next occupant. Said in the transaction of the move-out.
struct Vacancy: Sendable {
    let household: UUID
    let community: UUID
    /// The resident whose move-out left the home empty.
    let lastResident: UUID
    let at: Date
    /// The China day of the move-out (`yyyy-MM-dd`).
    let day: String
}

final class Departures: Sendable {
    typealias Handler = @Sendable (Departure, any Database) async throws -> Void
    typealias VacancyHandler = @Sendable (Vacancy, any Database) async throws -> Void
    private let handlers = NIOLockedValueBox<[Handler]>([])
    private let vacancyHandlers = NIOLockedValueBox<[VacancyHandler]>([])

    /// A feature registers what it settles when a home is left empty (`Wallet.register`).
    func onVacancy(_ handler: @escaping VacancyHandler) {
        vacancyHandlers.withLockedValue { $0.append(handler) }
    }

    func run(_ vacancy: Vacancy, on db: any Database) async throws {
        for handler in vacancyHandlers.withLockedValue({ $0 }) { try await handler(vacancy, db) }
    }

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
