import Foundation

/// Which devices a rule watches. Every filter that is set must match (none set: every device of the community).
public struct RuleScope: Codable, Sendable, Hashable {
    public var deviceType: String?
    public var buildingID: UUID?
    public var householdID: UUID?
    public var zone: String?
    public var deviceID: UUID?

    public init(
        deviceType: String? = nil, buildingID: UUID? = nil, householdID: UUID? = nil, zone: String? = nil,
        deviceID: UUID? = nil
    ) {
        self.deviceType = deviceType
        self.buildingID = buildingID
        self.householdID = householdID
        self.zone = zone
        self.deviceID = deviceID
    }
}

/// What must hold of a key's readings.
public struct RuleCondition: Codable, Sendable, Hashable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// value < `value`
        case below
        /// value > `value`
        case above
        /// `low` ≤ value ≤ `high`
        case between
        /// value < `low` or value > `high`
        case outside
        /// |change per minute| ≥ `value`
        case rateAbove = "rate_above"
        /// no reading of the key for `value` minutes
        case noData = "no_data"
    }

    public var kind: Kind
    public var value: Double?
    public var low: Double?
    public var high: Double?

    public init(_ kind: Kind, value: Double? = nil, low: Double? = nil, high: Double? = nil) {
        self.kind = kind
        self.value = value
        self.low = low
        self.high = high
    }

    /// The fields the kind needs, or the name of the first one missing.
    public var missingField: String? {
        switch kind {
        case .below, .above, .rateAbove, .noData:
            return value?.isFinite == true ? nil : "value"
        case .between, .outside:
            guard let low, low.isFinite else { return "low" }
            guard let high, high.isFinite, high >= low else { return "high" }
            return nil
        }
    }

    func holds(_ x: Double) -> Bool {
        switch kind {
        case .below: x < (value ?? -.infinity)
        case .above: x > (value ?? .infinity)
        case .between: x >= (low ?? .infinity) && x <= (high ?? -.infinity)
        case .outside: x < (low ?? -.infinity) || x > (high ?? .infinity)
        case .rateAbove, .noData: false
        }
    }
}

/// What a rule does when it fires (or, with `on: .clear`, when it stops holding).
public struct RuleAction: Codable, Sendable, Hashable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// Raise an alarm of `alarmType` and `severity`; it is cleared when the rule clears.
        case alarm
        /// Send `method` with `params` to the device (or to `targetDeviceID`).
        case command
        /// Create a staff task for `role` titled `title`.
        case task
        /// Notify `role`, or the device's household when `role` is empty.
        case notify
    }

    public enum Moment: String, Codable, Sendable, CaseIterable {
        case fire, clear
    }

    public var kind: Kind
    public var on: Moment
    public var alarmType: String?
    public var severity: Severity?
    public var method: String?
    public var params: JSON?
    public var targetDeviceID: UUID?
    public var title: String?
    public var role: StaffRole?

    public init(
        _ kind: Kind, on: Moment = .fire, alarmType: String? = nil, severity: Severity? = nil, method: String? = nil,
        params: JSON? = nil, targetDeviceID: UUID? = nil, title: String? = nil, role: StaffRole? = nil
    ) {
        self.kind = kind
        self.on = on
        self.alarmType = alarmType
        self.severity = severity
        self.method = method
        self.params = params
        self.targetDeviceID = targetDeviceID
        self.title = title
        self.role = role
    }

    /// The field the kind needs, if it is missing.
    public var missingField: String? {
        switch kind {
        case .alarm:
            if (alarmType ?? "").isEmpty { return "alarmType" }
            return severity == nil ? "severity" : nil
        case .command: return (method ?? "").isEmpty ? "method" : nil
        case .task: return (title ?? "").isEmpty ? "title" : (role == nil ? "role" : nil)
        case .notify: return (title ?? "").isEmpty ? "title" : nil
        }
    }
}

/// A community rule: when `key` of the matching devices meets `condition` for `forMinutes`, do `actions`.
public struct Rule: Codable, Sendable, Hashable {
    public var id: UUID
    public var name: String
    public var enabled: Bool
    public var scope: RuleScope
    public var key: String
    public var condition: RuleCondition
    public var forMinutes: Int
    public var actions: [RuleAction]

    public init(
        id: UUID = UUID(), name: String, enabled: Bool = true, scope: RuleScope, key: String, condition: RuleCondition,
        forMinutes: Int = 0, actions: [RuleAction]
    ) {
        self.id = id
        self.name = name
        self.enabled = enabled
        self.scope = scope
        self.key = key
        self.condition = condition
        self.forMinutes = forMinutes
        self.actions = actions
    }
}

/// What a rule needs to know about a device.
public struct DeviceFacts: Sendable, Hashable {
    public let id: UUID
    public let type: String
    public let buildingID: UUID?
    public let householdID: UUID?
    public let zone: String?

    public init(id: UUID, type: String, buildingID: UUID? = nil, householdID: UUID? = nil, zone: String? = nil) {
        self.id = id
        self.type = type
        self.buildingID = buildingID
        self.householdID = householdID
        self.zone = zone
    }
}

/// Where a rule stands for one device.
public struct RuleState: Codable, Sendable, Hashable {
    /// Since when the condition has held (ms), if it holds.
    public var since: Int64?
    /// The rule fired and has not cleared.
    public var fired: Bool
    /// The last reading seen (for rate of change and "no data").
    public var lastValue: Double?
    public var lastTs: Int64?

    public init(since: Int64? = nil, fired: Bool = false, lastValue: Double? = nil, lastTs: Int64? = nil) {
        self.since = since
        self.fired = fired
        self.lastValue = lastValue
        self.lastTs = lastTs
    }
}

/// A rule changed state.
public enum RuleTransition: String, Sendable, Equatable {
    case fire, clear
}

/// Rule evaluation: pure, no clock and no storage; the caller keeps the state.
public enum RuleEngine {
    public static func applies(_ rule: Rule, to device: DeviceFacts) -> Bool {
        guard rule.enabled else { return false }
        let scope = rule.scope
        if let type = scope.deviceType, type != device.type { return false }
        if let id = scope.deviceID, id != device.id { return false }
        if let building = scope.buildingID, building != device.buildingID { return false }
        if let household = scope.householdID, household != device.householdID { return false }
        if let zone = scope.zone, zone != device.zone { return false }
        return true
    }

    /// Feeds one reading of the rule's key; returns a transition when the rule fires or clears.
    /// Readings older than the last one seen are ignored.
    public static func evaluate(_ rule: Rule, _ state: inout RuleState, value: Double, ts: Int64) -> RuleTransition? {
        if let lastTs = state.lastTs, ts < lastTs { return nil }
        let previous = (state.lastValue, state.lastTs)
        state.lastValue = value
        state.lastTs = ts
        let holds: Bool
        switch rule.condition.kind {
        case .noData:
            state.since = nil
            if state.fired {
                state.fired = false
                return .clear
            }
            return nil
        case .rateAbove:
            guard let lastValue = previous.0, let lastTs = previous.1, ts > lastTs else { return nil }
            let perMinute = (value - lastValue) / (Double(ts - lastTs) / 60_000)
            holds = abs(perMinute) >= (rule.condition.value ?? .infinity)
        default:
            holds = rule.condition.holds(value)
        }
        guard holds else {
            state.since = nil
            if state.fired {
                state.fired = false
                return .clear
            }
            return nil
        }
        if state.since == nil { state.since = ts }
        return fireIfDue(rule, &state, now: ts)
    }

    /// Moves time on without a reading: a condition that has held long enough fires, and a key
    /// silent for its "no data" minutes fires. `lastTs` must be seeded with the last reading's time
    /// (or the time watching began) for "no data".
    public static func tick(_ rule: Rule, _ state: inout RuleState, now: Int64) -> RuleTransition? {
        switch rule.condition.kind {
        case .noData:
            guard !state.fired, let lastTs = state.lastTs else { return nil }
            let minutes = rule.condition.value ?? .infinity
            guard Double(now - lastTs) >= minutes * 60_000 else { return nil }
            state.fired = true
            return .fire
        default:
            guard state.since != nil else { return nil }
            return fireIfDue(rule, &state, now: now)
        }
    }

    private static func fireIfDue(_ rule: Rule, _ state: inout RuleState, now: Int64) -> RuleTransition? {
        guard !state.fired, let since = state.since, now - since >= Int64(rule.forMinutes) * 60_000 else { return nil }
        state.fired = true
        return .fire
    }

    /// The actions to run for a transition.
    public static func actions(_ rule: Rule, for transition: RuleTransition) -> [RuleAction] {
        let moment: RuleAction.Moment = transition == .fire ? .fire : .clear
        return rule.actions.filter { $0.on == moment }
    }
}
