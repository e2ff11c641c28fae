import Foundation
import NIOConcurrencyHelpers
import Vapor

/// Who a token or a browser session signs in, kept between requests so an authenticated read costs no
/// database round trip for the sign-in itself.
///
/// Correctness does not rest on the time limit: every change of a person's sign-ins, roles, homes or
/// settings publishes `LinliEvent.personChanged` after its commit (`Request.principalChanged`), and the
/// event — from this server or, by `NOTIFY`, from another one — drops the person's entries. A load that
/// was already reading when an event came is not stored (the epoch moved), so it cannot put back what
/// the event dropped. An entry also ends with its token, at the first request of a new day (homes begin
/// and end by day), and after `lifetime` at the latest, which bounds what a change made outside any
/// server (a command-line tool on the SQLite file) can leave behind.
final class PrincipalCache: Sendable {
    static let lifetime: TimeInterval = 60
    static let capacity = 50_000

    /// A ticket taken before loading; a store with an older one is refused.
    struct Ticket: Sendable { fileprivate let epoch: Int }

    private struct Entry {
        let user: CurrentUser
        let tokenID: UUID?
        let expiresAt: Date
        let day: String
    }

    private struct State {
        var tokens: [String: Entry] = [:]
        var sessions: [UUID: Entry] = [:]
        var epoch = 0
    }

    private let state = NIOLockedValueBox(State())

    func ticket() -> Ticket { Ticket(epoch: state.withLockedValue { $0.epoch }) }

    /// The user a bearer token (by its hash) signs in, with the token's id.
    func user(token hash: String, now: Date, today: String) -> (user: CurrentUser, tokenID: UUID)? {
        let entry = state.withLockedValue { $0.tokens[hash] }
        guard let entry, let tokenID = entry.tokenID, entry.expiresAt > now, entry.day == today else { return nil }
        return (entry.user.ownCopy(), tokenID)
    }

    /// The user a session of this person signs in (the session row itself is read on every request).
    func user(session person: UUID, now: Date, today: String) -> CurrentUser? {
        let entry = state.withLockedValue { $0.sessions[person] }
        guard let entry, entry.expiresAt > now, entry.day == today else { return nil }
        return entry.user.ownCopy()
    }

    func store(token hash: String, id: UUID, tokenExpires: Date, _ user: CurrentUser, now: Date, today: String,
               ticket: Ticket)
    {
        let entry = Entry(
            user: user.ownCopy(), tokenID: id, expiresAt: min(tokenExpires, now.addingTimeInterval(Self.lifetime)),
            day: today)
        state.withLockedValue { state in
            guard state.epoch == ticket.epoch else { return }
            if state.tokens.count >= Self.capacity { state.tokens.removeAll(keepingCapacity: true) }
            state.tokens[hash] = entry
        }
    }

    func store(session user: CurrentUser, now: Date, today: String, ticket: Ticket) {
        let entry = Entry(
            user: user.ownCopy(), tokenID: nil, expiresAt: now.addingTimeInterval(Self.lifetime), day: today)
        state.withLockedValue { state in
            guard state.epoch == ticket.epoch else { return }
            if state.sessions.count >= Self.capacity { state.sessions.removeAll(keepingCapacity: true) }
            state.sessions[user.principal.personID] = entry
        }
    }

    /// Drops one person's entries, or everyone's.
    func forget(_ person: UUID?) {
        state.withLockedValue { state in
            state.epoch &+= 1
            guard let person else {
                state.tokens.removeAll()
                state.sessions.removeAll()
                return
            }
            state.tokens = state.tokens.filter { $0.value.user.principal.personID != person }
            state.sessions[person] = nil
        }
    }

    var count: Int { state.withLockedValue { $0.tokens.count + $0.sessions.count } }
}

extension CurrentUser {
    /// The same user with a person row of its own: a request may change its `person` (settings, a new
    /// password hash) without touching what the cache or another request holds; the rest are values.
    fileprivate func ownCopy() -> CurrentUser {
        CurrentUser(person: person.copy(), principal: principal, roles: roles, homes: homes)
    }
}

extension Application {
    private struct PrincipalCacheKey: StorageKey { typealias Value = PrincipalCache }

    /// The principal cache (see ``PrincipalCache``), emptied by the event bus.
    var principals: PrincipalCache {
        if let cache = storage[PrincipalCacheKey.self] { return cache }
        let cache = PrincipalCache()
        storage[PrincipalCacheKey.self] = cache
        events.subscribe { event in
            switch event {
            case .personChanged(let person): cache.forget(person)
            case .peopleChanged: cache.forget(nil)
            default: break
            }
        }
        return cache
    }
}

extension Request {
    /// Announces, after the change committed, that a person's sign-ins, roles, homes or settings changed.
    func principalChanged(_ person: UUID) {
        application.events.publish(.personChanged(person: person))
    }
}
