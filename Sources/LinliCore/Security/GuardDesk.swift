import Foundation

/// The guard desk's rules for household alarms, pure: the order the console lists them in, the steps a
/// call takes, the escalation of one nobody acknowledged (all guards on shift and the manager at 60 s,
/// again at 120 s), which guard to send, and the desk's figures (EN 50518 asks 98.5 % answered in 60 s).
public enum GuardDesk {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// The duress code: silent, the household must not see that the guards know.
        case duress
        /// A red emergency key.
        case panic
        /// Smoke, gas, water leak, tamper.
        case hazard
        /// An intrusion confirmed (an entry or perimeter sensor, or two interior ones).
        case intrusion
        /// One interior sensor alone (cross-zoning).
        case unconfirmed

        /// 0 first: duress, panic and hazards, then confirmed intrusions, then unconfirmed ones.
        public var priority: Int {
            switch self {
            case .duress, .panic, .hazard: 0
            case .intrusion: 1
            case .unconfirmed: 2
            }
        }
    }

    public enum Step: String, Codable, Sendable, CaseIterable {
        case raised, acknowledged, dispatched
        case onSite = "on_site"
        case resolved
    }

    public enum Outcome: String, Codable, Sendable, CaseIterable {
        case real
        case falseAlarm = "false_alarm"
        case test
        case cancelledByResident = "cancelled_by_resident"
    }

    /// The step after `from` a guard may take: one forward at a time, and resolving from any open step
    /// (a false alarm is resolved without going there).
    public static func allows(_ from: Step, _ to: Step) -> Bool {
        switch (from, to) {
        case (.raised, .acknowledged), (.acknowledged, .dispatched), (.dispatched, .onSite): true
        case (.resolved, _): false
        case (_, .resolved): from != .raised
        default: false
        }
    }

    public struct Listed: Equatable, Sendable {
        public let id: UUID
        public let kind: Kind
        public let raisedAt: Date

        public init(id: UUID, kind: Kind, raisedAt: Date) {
            self.id = id
            self.kind = kind
            self.raisedAt = raisedAt
        }
    }

    /// The console's order: by priority, the oldest first within one.
    public static func ordered(_ calls: [Listed]) -> [Listed] {
        calls.sorted { ($0.kind.priority, $0.raisedAt, $0.id.uuidString) < ($1.kind.priority, $1.raisedAt, $1.id.uuidString) }
    }

    public static let escalations: [TimeInterval] = [60, 120]

    /// How many escalations are due for a call raised at `raisedAt` and not acknowledged by `now`, and
    /// when the next one is (nil once acknowledged or after the last).
    public static func escalation(raisedAt: Date, acknowledgedAt: Date?, now: Date) -> (due: Int, next: Date?) {
        let times = escalations.map { raisedAt.addingTimeInterval($0) }
        let until = acknowledgedAt.map { min($0, now) } ?? now
        let due = times.filter { $0 <= until }.count
        let next = acknowledgedAt == nil ? times.first { $0 > now } : nil
        return (due, next)
    }

    public struct Guard: Equatable, Sendable {
        public let id: UUID
        public let onShift: Bool
        /// Walking distance to the building, in any unit (buildings apart, metres).
        public let distance: Int
        /// Calls this guard is on now.
        public let busy: Int

        public init(id: UUID, onShift: Bool, distance: Int, busy: Int) {
            self.id = id
            self.onShift = onShift
            self.distance = distance
            self.busy = busy
        }
    }

    /// The guard to send: on shift, free before busy, the nearest first.
    public static func choose(_ guards: [Guard]) -> UUID? {
        guards.filter(\.onShift).min { ($0.busy > 0 ? 1 : 0, $0.distance, $0.id.uuidString) < ($1.busy > 0 ? 1 : 0, $1.distance, $1.id.uuidString) }?.id
    }

    /// A closed call, for the figures.
    public struct Closed: Sendable {
        public let raisedAt: Date
        public let acknowledgedAt: Date?
        public let onSiteAt: Date?
        public let outcome: Outcome
        public let household: UUID
        public let sensor: String

        public init(
            raisedAt: Date, acknowledgedAt: Date?, onSiteAt: Date?, outcome: Outcome, household: UUID, sensor: String
        ) {
            self.raisedAt = raisedAt
            self.acknowledgedAt = acknowledgedAt
            self.onSiteAt = onSiteAt
            self.outcome = outcome
            self.household = household
            self.sensor = sensor
        }
    }

    public struct Figures: Equatable, Sendable {
        /// Share of calls acknowledged within 60 s (0–1), nil with no calls.
        public let acknowledgedWithin60s: Double?
        /// Median seconds from raised to on site, of the calls a guard reached.
        public let medianToOnSite: Double?
        /// False alarms over all calls (0–1), nil with no calls.
        public let falseAlarmRate: Double?
        /// False alarms over all calls, by household and by sensor (0–1).
        public let falseAlarmRateByHousehold: [UUID: Double]
        public let falseAlarmRateBySensor: [String: Double]
    }

    public static func figures(_ calls: [Closed]) -> Figures {
        let quick = calls.filter { c in c.acknowledgedAt.map { $0.timeIntervalSince(c.raisedAt) <= 60 } ?? false }
        let onSite = calls.compactMap { c in c.onSiteAt.map { $0.timeIntervalSince(c.raisedAt) } }.sorted()
        let median: Double? =
            onSite.isEmpty
            ? nil
            : onSite.count % 2 == 1
                ? onSite[onSite.count / 2] : (onSite[onSite.count / 2 - 1] + onSite[onSite.count / 2]) / 2
        func rates<Key: Hashable>(_ key: (Closed) -> Key) -> [Key: Double] {
            Dictionary(grouping: calls, by: key).mapValues { group in
                Double(group.filter { $0.outcome == .falseAlarm }.count) / Double(group.count)
            }
        }
        return Figures(
            acknowledgedWithin60s: calls.isEmpty ? nil : Double(quick.count) / Double(calls.count),
            medianToOnSite: median,
            falseAlarmRate: calls.isEmpty
                ? nil : Double(calls.filter { $0.outcome == .falseAlarm }.count) / Double(calls.count),
            falseAlarmRateByHousehold: rates(\.household),
            falseAlarmRateBySensor: rates(\.sensor))
    }
}
