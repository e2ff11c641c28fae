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

/// Whose card this is, in a community: the access feature keeps the cards (as keyed hashes); other
/// features that take a card (the recycling bins) ask here.
final class CardHolders: Sendable {
    typealias Lookup = @Sendable (UUID, String, any Database) async throws -> UUID?
    private let lookups = NIOLockedValueBox([Lookup]())

    func add(_ lookup: @escaping Lookup) { lookups.withLockedValue { $0.append(lookup) } }

    /// The person holding `card` in `community`, if a feature knows the card (revoked ones are unknown).
    func holder(of card: String, in community: UUID, on db: any Database) async throws -> UUID? {
        for lookup in lookups.withLockedValue({ $0 }) {
            if let person = try await lookup(community, card, db) { return person }
        }
        return nil
    }
}

extension Application {
    private struct CardHoldersKey: StorageKey { typealias Value = CardHolders }

    var cardHolders: CardHolders {
        if let existing = storage[CardHoldersKey.self] { return existing }
        let made = CardHolders()
        storage[CardHoldersKey.self] = made
        return made
    }
}

/// Who a terminal's reader or keypad names, in a community: the rotating QR code of the app (the access
/// feature keeps its secrets and spends each window once) and the self-service PIN with the phone (the
/// wallet keeps it, counting wrong tries); features with a screen of their own (the kiosk) ask here.
final class TerminalCredentials: Sendable {
    typealias CodeLookup = @Sendable (UUID, String, Date, any Database) async throws -> UUID?
    typealias PinLookup = @Sendable (String, String, Request) async throws -> UUID?
    private let codes = NIOLockedValueBox([CodeLookup]())
    private let pins = NIOLockedValueBox([PinLookup]())

    func addCode(_ lookup: @escaping CodeLookup) { codes.withLockedValue { $0.append(lookup) } }
    func addPin(_ lookup: @escaping PinLookup) { pins.withLockedValue { $0.append(lookup) } }

    /// The person whose app shows this rotating code now in `community` (used: this window is spent).
    func holder(ofCode payload: String, in community: UUID, now: Date, on db: any Database) async throws -> UUID? {
        for lookup in codes.withLockedValue({ $0 }) {
            if let person = try await lookup(community, payload, now, db) { return person }
        }
        return nil
    }

    /// The person with this phone whose self-service PIN this is; `pin_locked` when it is locked.
    func holder(ofPhone phone: String, pin: String, on req: Request) async throws -> UUID? {
        for lookup in pins.withLockedValue({ $0 }) {
            if let person = try await lookup(phone, pin, req) { return person }
        }
        return nil
    }
}

extension Application {
    private struct TerminalCredentialsKey: StorageKey { typealias Value = TerminalCredentials }

    var terminalCredentials: TerminalCredentials {
        if let existing = storage[TerminalCredentialsKey.self] { return existing }
        let made = TerminalCredentials()
        storage[TerminalCredentialsKey.self] = made
        return made
    }
}
