import Foundation

/// How repeated failed logins for one phone are slowed and then locked.
///
/// Failures count within a window; after `slowAfter` failures each attempt waits longer,
/// and after `lockAfter` failures the phone is locked for `lockDuration`.
public struct LoginThrottle: Sendable {
    public var slowAfter = 3
    public var lockAfter = 5
    public var window: TimeInterval = 15 * 60
    public var lockDuration: TimeInterval = 15 * 60
    public var maxDelay: TimeInterval = 4

    public init() {}

    /// The remembered state of one phone's failed logins.
    public struct State: Sendable, Equatable {
        public var failures: Int
        public var firstFailure: Date?
        public var lockedUntil: Date?

        public init(failures: Int = 0, firstFailure: Date? = nil, lockedUntil: Date? = nil) {
            self.failures = failures
            self.firstFailure = firstFailure
            self.lockedUntil = lockedUntil
        }
    }

    /// What to do with an attempt before the password is checked.
    public enum Verdict: Sendable, Equatable {
        case proceed(delay: TimeInterval)
        case locked(until: Date)
    }

    public func verdict(for state: State, now: Date) -> Verdict {
        if let until = state.lockedUntil, until > now { return .locked(until: until) }
        let failures = current(state, now: now).failures
        guard failures >= slowAfter else { return .proceed(delay: 0) }
        return .proceed(delay: min(maxDelay, Double(1 << min(failures - slowAfter, 8))))
    }

    /// What to do with an attempt whose failure was already counted (`state.failures` includes it):
    /// refused while locked or once it is past the limit, else slowed after `slowAfter` earlier ones.
    public func verdict(afterCounting state: State, now: Date) -> Verdict {
        if let until = state.lockedUntil, until > now { return .locked(until: until) }
        if state.failures > lockAfter { return .locked(until: now.addingTimeInterval(lockDuration)) }
        let earlier = state.failures - 1
        guard earlier >= slowAfter else { return .proceed(delay: 0) }
        return .proceed(delay: min(maxDelay, Double(1 << min(earlier - slowAfter, 8))))
    }

    /// The state after a failed attempt.
    public func recordingFailure(_ state: State, now: Date) -> State {
        var next = current(state, now: now)
        if next.failures == 0 { next.firstFailure = now }
        next.failures += 1
        if next.failures >= lockAfter {
            next.lockedUntil = now.addingTimeInterval(lockDuration)
            next.failures = 0
            next.firstFailure = nil
        }
        return next
    }

    /// Failures older than the window are forgotten; an expired lock is lifted.
    private func current(_ state: State, now: Date) -> State {
        var state = state
        if let until = state.lockedUntil, until <= now { state.lockedUntil = nil }
        if let first = state.firstFailure, now.timeIntervalSince(first) > window {
            state.failures = 0
            state.firstFailure = nil
        }
        return state
    }
}
