import Foundation
import NIOConcurrencyHelpers
import Vapor

/// Who a token or a browser session signs in, kept between requests so an authenticated read costs no
/// database round trip for the sign-in itself: two ``ReadCache``s, tagged with the person.
///
/// Every change of a person's sign-ins, roles, homes or settings publishes `PersonChanged`
/// after its commit (`Request.principalChanged`), which drops the person's entries on every server.
/// An entry also ends with its token, at the next China day (homes begin and end by day) and after
/// `lifetime` at the latest.
final class PrincipalCache: Sendable {
    static let lifetime: TimeInterval = 60

    /// Taken before loading (see ``ReadCache/Ticket``).
    struct Ticket: Sendable {
        fileprivate let tokens: ReadCache<String, TokenUser>.Ticket
        fileprivate let sessions: ReadCache<UUID, CurrentUser>.Ticket
    }
    struct TokenUser: Sendable {
        let user: CurrentUser
        let tokenID: UUID
    }

    private let tokens = ReadCache<String, TokenUser>(lifetime: lifetime)
    private let sessions = ReadCache<UUID, CurrentUser>(lifetime: lifetime)

    func ticket() -> Ticket { Ticket(tokens: tokens.ticket(), sessions: sessions.ticket()) }

    /// The user a bearer token (by its hash) signs in, with the token's id.
    func user(token hash: String, now: Date) -> (user: CurrentUser, tokenID: UUID)? {
        tokens.value(hash, now: now).map { ($0.user.ownCopy(), $0.tokenID) }
    }

    /// The user a session of this person signs in (the session row itself is read on every request).
    func user(session person: UUID, now: Date) -> CurrentUser? {
        sessions.value(person, now: now)?.ownCopy()
    }

    func store(token hash: String, id: UUID, tokenExpires: Date, _ user: CurrentUser, now: Date, ticket: Ticket) {
        tokens.store(
            TokenUser(user: user.ownCopy(), tokenID: id), for: hash, tags: [user.principal.personID], now: now,
            until: min(tokenExpires, Calendar.nextChinaDay(after: now)), ticket: ticket.tokens)
    }

    func store(session user: CurrentUser, now: Date, ticket: Ticket) {
        sessions.store(
            user.ownCopy(), for: user.principal.personID, tags: [user.principal.personID], now: now,
            until: Calendar.nextChinaDay(after: now), ticket: ticket.sessions)
    }

    /// Drops one person's entries, or everyone's.
    func forget(_ person: UUID?) {
        guard let person else {
            tokens.forgetAll()
            sessions.forgetAll()
            return
        }
        tokens.forget(tagged: person)
        sessions.forget(tagged: person)
    }

    var count: Int { tokens.count + sessions.count }
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
        events.on(PersonChanged.self) { cache.forget($0.person) }
        events.on(PeopleChanged.self) { _ in cache.forget(nil) }
        return cache
    }
}

extension Request {
    /// Announces, after the change committed, that a person's sign-ins, roles, homes or settings changed.
    func principalChanged(_ person: UUID) {
        application.events.publish(PersonChanged(person: person))
    }
}
