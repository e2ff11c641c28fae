import Foundation

/// How an event's seats are given out, free of any database: who is confirmed at sign-up, who is next
/// when a seat frees, how long an offer holds, the fair draw of a popular event, and who waits behind
/// others for missing events. The server applies these answers inside conditional writes.
public enum Seating {
    /// What a sign-up gets at once.
    public enum Answer: Equatable, Sendable {
        case confirmed
        case waitlisted
        /// A drawn event's sign-up inside its window: decided by the draw at the window's end.
        case pending
    }

    /// The answer to a sign-up for `seats` seats: confirmed when that many are free and nobody waits
    /// ahead (a freed seat belongs to the first in line, not to whoever asks next), else waitlisted.
    /// `held` counts seats held by open offers.
    public static func answer(seats: Int, capacity: Int, confirmed: Int, held: Int, waiting: Int, inDrawWindow: Bool)
        -> Answer
    {
        if inDrawWindow { return .pending }
        return waiting == 0 && confirmed + held + seats <= capacity ? .confirmed : .waitlisted
    }

    /// One waiting registration.
    public struct Waiting: Equatable, Sendable {
        public let id: UUID
        public let seats: Int
        public let signedUpAt: Date
        /// Missed too many events lately: behind everyone who did not.
        public let behind: Bool

        public init(id: UUID, seats: Int, signedUpAt: Date, behind: Bool = false) {
            self.id = id
            self.seats = seats
            self.signedUpAt = signedUpAt
            self.behind = behind
        }
    }

    /// The waitlist's order: those not held back first, each group by sign-up time (then id, so the order
    /// is total).
    public static func line(_ waiting: [Waiting]) -> [Waiting] {
        waiting.sorted {
            if $0.behind != $1.behind { return !$0.behind }
            if $0.signedUpAt != $1.signedUpAt { return $0.signedUpAt < $1.signedUpAt }
            return $0.id.uuidString < $1.id.uuidString
        }
    }

    /// Who moves up when `free` seats are free: the first in line while their seats fit. A registration
    /// of more seats than are free stops the line (nobody jumps it), unless it can never fit at all.
    public static func promote(_ waiting: [Waiting], free: Int, capacity: Int) -> [Waiting] {
        var left = free
        var moved: [Waiting] = []
        for entry in line(waiting) {
            if entry.seats > capacity { continue }
            guard entry.seats <= left else { break }
            moved.append(entry)
            left -= entry.seats
        }
        return moved
    }

    /// When an offer made at `now` ends: after `hold`, and never after the event starts.
    public static func offerEnds(now: Date, hold: TimeInterval, startsAt: Date) -> Date {
        min(now.addingTimeInterval(hold), startsAt)
    }

    /// The draw of a popular event: every pending sign-up in a seeded random order (the same seed gives
    /// the same order, so the draw can be shown and checked), those held back after the others; the
    /// first that fit the seats are confirmed, the rest wait in the drawn order.
    public static func draw(_ entrants: [Waiting], capacity: Int, seed: UInt64)
        -> (confirmed: [Waiting], waitlist: [Waiting])
    {
        var generator = SeededRandom(seed: seed)
        let sorted = entrants.sorted { $0.id.uuidString < $1.id.uuidString }
        // Fisher–Yates written out: the standard library's shuffle may change between Swift versions.
        var shuffled = sorted
        var index = shuffled.count - 1
        while index > 0 {
            shuffled.swapAt(index, generator.next(index + 1))
            index -= 1
        }
        let order = shuffled.filter { !$0.behind } + shuffled.filter(\.behind)
        var left = capacity
        var confirmed: [Waiting] = []
        var waitlist: [Waiting] = []
        for entry in order {
            if entry.seats <= left {
                confirmed.append(entry)
                left -= entry.seats
            } else {
                waitlist.append(entry)
            }
        }
        return (confirmed, waitlist)
    }

    /// The no-show rule: `limit` no-shows within `window` put a person behind others until `penalty`
    /// after the last of them.
    public struct NoShowRule: Equatable, Sendable {
        public var limit: Int
        public var window: TimeInterval
        public var penalty: TimeInterval

        public init(limit: Int = 3, window: TimeInterval = 90 * 86_400, penalty: TimeInterval = 30 * 86_400) {
            self.limit = limit
            self.window = window
            self.penalty = penalty
        }

        /// Until when a person with these no-shows waits behind others (nil: not held back).
        public func behindUntil(_ noShows: [Date], now: Date) -> Date? {
            let sorted = noShows.filter { $0 <= now }.sorted()
            guard sorted.count >= limit else { return nil }
            // The latest `limit` no-shows within one window of each other.
            for end in stride(from: sorted.count - 1, through: limit - 1, by: -1) {
                let first = sorted[end - limit + 1]
                if sorted[end].timeIntervalSince(first) <= window {
                    let until = sorted[end].addingTimeInterval(penalty)
                    return until > now ? until : nil
                }
            }
            return nil
        }
    }
}
