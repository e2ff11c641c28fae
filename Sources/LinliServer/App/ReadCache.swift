import Foundation
import NIOConcurrencyHelpers

/// What a read computed, kept by key so the next same read costs no database round trip. The one way a
/// feature keeps answers between requests (principals, notice boards, a reader's notices, the first
/// page of someone's work orders).
///
/// Correctness does not rest on the time limit. Each entry names the things it was computed from
/// (`tags`: a community, a person, a household); the feature subscribes to the events that announce
/// changes of those things — after their commit, from this server or by `NOTIFY` from another — and
/// drops the entries tagged with them (`forget(tagged:)`). A load that was already reading when a drop
/// came is not stored (each drop moves the epoch, and a store carries the ticket taken before its load),
/// so it cannot put back what the event dropped. An entry also ends at its own `until` (a token's
/// expiry, a scheduled notice's time, a new China day) and after `lifetime` at the latest, which bounds
/// what a change made outside any server (a command-line tool on the SQLite file) can leave behind.
///
/// Values are shared by every request that reads them: values only, or rows nobody changes.
final class ReadCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    /// A ticket taken before loading; a store with an older one is refused.
    struct Ticket: Sendable { fileprivate let epoch: Int }

    private struct Entry {
        let value: Value
        let tags: Set<UUID>
        let until: Date
        let loadedAt: Date
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var epoch = 0
    }

    let lifetime: TimeInterval
    let capacity: Int
    private let state = NIOLockedValueBox(State())

    init(lifetime: TimeInterval = 60, capacity: Int = 50_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    func ticket() -> Ticket { Ticket(epoch: state.withLockedValue { $0.epoch }) }

    /// The value kept for the key, if it is still good at `now`.
    func value(_ key: Key, now: Date) -> Value? {
        guard let entry = state.withLockedValue({ $0.entries[key] }), entry.loadedAt <= now, entry.until > now
        else { return nil }
        return entry.value
    }

    /// Keeps a value loaded after `ticket` was taken, good until `until` (and `lifetime` at most), unless
    /// something was dropped meanwhile. At `capacity` entries everything is dropped first (a bound, not
    /// an eviction policy: a full cache refills from the reads that come).
    func store(_ value: Value, for key: Key, tags: Set<UUID>, now: Date, until: Date = .distantFuture, ticket: Ticket) {
        let entry = Entry(value: value, tags: tags, until: min(until, now.addingTimeInterval(lifetime)), loadedAt: now)
        state.withLockedValue { state in
            guard state.epoch == ticket.epoch else { return }
            if state.entries.count >= capacity, state.entries[key] == nil {
                state.entries.removeAll(keepingCapacity: true)
            }
            state.entries[key] = entry
        }
    }

    /// The kept value, or the loaded one (kept as `store` says). `load` gives the value, the things it
    /// was computed from and when it stops being true by itself.
    func value(
        _ key: Key, now: Date, load: () async throws -> (value: Value, tags: Set<UUID>, until: Date)
    ) async throws -> Value {
        if let kept = value(key, now: now) { return kept }
        let ticket = ticket()
        let loaded = try await load()
        store(loaded.value, for: key, tags: loaded.tags, now: now, until: loaded.until, ticket: ticket)
        return loaded.value
    }

    /// Drops the entries computed from this thing.
    func forget(tagged tag: UUID) {
        state.withLockedValue { state in
            state.epoch &+= 1
            state.entries = state.entries.filter { !$0.value.tags.contains(tag) }
        }
    }

    /// Drops one key's entry.
    func forget(_ key: Key) {
        state.withLockedValue { state in
            state.epoch &+= 1
            state.entries[key] = nil
        }
    }

    /// Drops everything.
    func forgetAll() {
        state.withLockedValue { state in
            state.epoch &+= 1
            state.entries.removeAll()
        }
    }

    var count: Int { state.withLockedValue { $0.entries.count } }
}
