import Fluent
import Foundation
import LinliCore
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// Answers of recent decisions by (device, event id), so a repeated event id gets the same answer while
/// its log row is still on its way to the database, and a new one is known to be new without asking it.
/// Every decision made since `completeSince` is here: those of this process, and, once `warm` has run,
/// those logged in the `2 × skew` before it started; when answers are dropped for room, `completeSince`
/// moves past them. A request whose `ts` is within `skew` of the server's clock and after
/// `completeSince + skew` cannot have been decided before unless it is here; any other unknown event id
/// is looked up in the log.
final class RecentDecisions: Sendable {
    enum Lookup: Sendable {
        case answered(DecideAnswer)
        case new
        case unknown
        /// Not known here, and the decisions logged before the process started are not loaded yet.
        case unwarmed
    }

    private struct State {
        var answers: [String: DecideAnswer] = [:]
        var order: [(key: String, at: Date)] = []
        var loadedSince: Date
        var droppedUpTo: Date?
        var warming = false
        var warmed = false

        var completeSince: Date { max(loadedSince, droppedUpTo ?? .distantPast) }

        mutating func remember(_ key: String, _ answer: DecideAnswer, at: Date, capacity: Int) -> Bool {
            guard answers[key] == nil else { return false }
            answers[key] = answer
            order.append((key, at))
            if order.count > capacity {
                for old in order.prefix(capacity / 10) {
                    answers.removeValue(forKey: old.key)
                    droppedUpTo = max(droppedUpTo ?? old.at, old.at)
                }
                order.removeFirst(capacity / 10)
            }
            return true
        }
    }

    private let state: NIOLockedValueBox<State>
    private let capacity: Int
    static let skew: TimeInterval = 300

    init(since start: Date, capacity: Int = 100_000) {
        state = NIOLockedValueBox(State(loadedSince: start))
        self.capacity = capacity
    }

    func lookup(_ key: String, ts: Int64?, now: Date) -> Lookup {
        state.withLockedValue { state in
            if let known = state.answers[key] { return .answered(known) }
            guard state.warmed else { return .unwarmed }
            guard let ts else { return .unknown }
            let asked = Date(timeIntervalSince1970: Double(ts) / 1000)
            guard abs(asked.timeIntervalSince(now)) <= Self.skew,
                asked.timeIntervalSince(state.completeSince) > Self.skew
            else { return .unknown }
            return .new
        }
    }

    /// Loads the decisions logged in the `2 × skew` before this process started (once; a request that
    /// comes meanwhile looks its event id up in the log).
    func warm(directory: AccessDirectory, on db: any Database) async throws {
        let since: Date? = state.withLockedValue { state in
            guard !state.warming else { return nil }
            state.warming = true
            return state.loadedSince.addingTimeInterval(-2 * Self.skew)
        }
        guard let since else { return }
        var loaded: [(String, DecideAnswer, Date)] = []
        do {
            for event in try await AccessEvent.query(on: db).filter(\.$at >= since).sort(\.$at).all() {
                loaded.append(
                    (
                        event.deviceID.uuidString + "/" + event.eventID,
                        try await AccessService.answer(event, directory: directory, on: db), event.at
                    ))
            }
        } catch {
            state.withLockedValue { $0.warming = false }
            throw error
        }
        let capacity = capacity
        state.withLockedValue { state in
            for (key, answer, at) in loaded { _ = state.remember(key, answer, at: at, capacity: capacity) }
            state.loadedSince = since
            state.warmed = true
        }
    }

    /// Records the answer; false when another request of the same event id got there first.
    func remember(_ key: String, _ answer: DecideAnswer, at: Date) -> Bool {
        let capacity = capacity
        return state.withLockedValue { $0.remember(key, answer, at: at, capacity: capacity) }
    }

    /// Replaces a remembered answer (a pass found used up when its entry was counted).
    func replace(_ key: String, _ answer: DecideAnswer) {
        state.withLockedValue { state in
            if state.answers[key] != nil { state.answers[key] = answer }
        }
    }

    /// Forgets an answer whose log row could not be written: the terminal was not answered, and a
    /// retry must be decided again.
    func forget(_ key: String) {
        state.withLockedValue { $0.answers[key] = nil }
    }
}
