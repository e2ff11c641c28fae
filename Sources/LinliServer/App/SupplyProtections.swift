import Fluent
import Foundation
import NIOConcurrencyHelpers
import Vapor

/// Households whose water or power must never be cut off, whatever they owe: a feature says who (the
/// care watch: someone elderly or ill living there), a feature that could cut asks (prepaid meters).
final class SupplyProtections: Sendable {
    typealias Check = @Sendable (UUID, any Database) async throws -> Bool
    private let checks = NIOLockedValueBox([Check]())

    func add(_ check: @escaping Check) { checks.withLockedValue { $0.append(check) } }

    func protects(_ household: UUID, on db: any Database) async throws -> Bool {
        for check in checks.withLockedValue({ $0 }) where try await check(household, db) { return true }
        return false
    }
}

extension Application {
    private struct SupplyProtectionsKey: StorageKey { typealias Value = SupplyProtections }

    var supplyProtections: SupplyProtections {
        if let existing = storage[SupplyProtectionsKey.self] { return existing }
        let made = SupplyProtections()
        storage[SupplyProtectionsKey.self] = made
        return made
    }
}
