import Fluent
import Foundation
import NIOConcurrencyHelpers
import Vapor

/// What features know of a person's or a home's activity, for a feature that watches over people (the
/// care watch) without naming them: when a person was last seen (a gate pass, a sign-in), whether they
/// went out by the community's gate, and whether a home is away (armed away or on vacation); and, as
/// evidence a worker reads beside a pensioner (never a substitute for the bureau's authentication), every
/// source's last sign of the person — a care check-in, an event attended. Each feature adds what it
/// knows while configured.
final class ActivitySources: Sendable {
    typealias LastSeen = @Sendable (_ person: UUID, _ db: any Database) async throws -> Date?
    typealias Away = @Sendable (_ household: UUID, _ db: any Database) async throws -> Bool
    /// When the person went out (of the community, by its gate) and has not come back since; nil: not out.
    typealias Out = @Sendable (_ person: UUID, _ db: any Database) async throws -> Date?

    private let seen = NIOLockedValueBox([(name: String, source: LastSeen)]())
    private let away = NIOLockedValueBox([Away]())
    private let out = NIOLockedValueBox([Out]())
    private let evidence = NIOLockedValueBox([(name: String, source: LastSeen)]())

    func addLastSeen(_ name: String, _ source: @escaping LastSeen) { seen.withLockedValue { $0.append((name, source)) } }
    func addAway(_ source: @escaping Away) { away.withLockedValue { $0.append(source) } }
    func addOut(_ source: @escaping Out) { out.withLockedValue { $0.append(source) } }
    /// A sign of life that is evidence only: shown beside the person, not taken as "seen" by the care watch.
    func addEvidence(_ name: String, _ source: @escaping LastSeen) { evidence.withLockedValue { $0.append((name, source)) } }

    /// Each source's latest sign of the person (seen and evidence alike), newest first.
    func signs(_ person: UUID, on db: any Database) async throws -> [(source: String, at: Date)] {
        var found: [(source: String, at: Date)] = []
        for (name, source) in seen.withLockedValue({ $0 }) + evidence.withLockedValue({ $0 }) {
            if let at = try await source(person, db) { found.append((name, at)) }
        }
        return found.sorted { $0.at > $1.at }
    }

    /// The latest time any source saw the person, and which source.
    func lastSeen(_ person: UUID, on db: any Database) async throws -> (at: Date, source: String)? {
        var best: (at: Date, source: String)?
        for (name, source) in seen.withLockedValue({ $0 }) {
            if let at = try await source(person, db), at > (best?.at ?? .distantPast) { best = (at, name) }
        }
        return best
    }

    /// When the person went out, if any source says they are out now.
    func wentOut(_ person: UUID, on db: any Database) async throws -> Date? {
        for source in out.withLockedValue({ $0 }) {
            if let at = try await source(person, db) { return at }
        }
        return nil
    }

    func isAway(_ household: UUID, on db: any Database) async throws -> Bool {
        for source in away.withLockedValue({ $0 }) where try await source(household, db) { return true }
        return false
    }
}

extension Application {
    private struct ActivityKey: StorageKey { typealias Value = ActivitySources }

    /// See ``ActivitySources``.
    var activity: ActivitySources {
        if let sources = storage[ActivityKey.self] { return sources }
        let sources = ActivitySources()
        storage[ActivityKey.self] = sources
        return sources
    }
}
