import Foundation

/// A household's intrusion panel as a pure state machine: states spelled as Home Assistant's manual
/// alarm panel spells them, and the false-alarm rules of SIA CP-01 (exit delay restart, fall-back to home
/// when nobody left, abort window, cross-zoning, swinger shutdown, duress code). The server stores a
/// `AlarmPanel` per household, feeds it what happens (`arm`, `disarm`, `sensor`) and moves it on at its
/// due time (`advance(to:)`, run by a durable job at `nextDue`), acting on the effects it gives back.
/// Hazards (smoke, gas, leak, emergency, tamper) are alarms in every state and never change the state.
public struct AlarmPanel: Codable, Equatable, Sendable {
    public enum State: String, Codable, Sendable, CaseIterable {
        case disarmed, arming, pending, triggered
        case armedHome = "armed_home"
        case armedAway = "armed_away"
        case armedNight = "armed_night"
        case armedVacation = "armed_vacation"
    }

    /// What a resident arms for.
    public enum Mode: String, Codable, Sendable, CaseIterable {
        case armedHome = "armed_home"
        case armedAway = "armed_away"
        case armedNight = "armed_night"
        case armedVacation = "armed_vacation"

        public var state: State { State(rawValue: rawValue) ?? .armedAway }
        /// Whether interior sensors (motion inside) count: not while people sleep or stay at home.
        public var watchesInterior: Bool { self == .armedAway || self == .armedVacation }
    }

    /// How a sensor counts (Alarmo's sensor classes, CP-01's zone types).
    public enum SensorClass: String, Codable, Sendable, CaseIterable {
        /// The door people come and go by: opening it while armed starts the entry delay.
        case entry
        /// Windows and other doors: an intrusion at once when armed (also during the exit delay).
        case perimeter
        /// Motion inside: ignored at home and at night; away, it follows an entry door during its delay.
        case interior
        /// Smoke, gas, water leak, emergency button, tamper: a hazard in every state.
        case always
    }

    public struct Settings: Codable, Equatable, Sendable {
        /// Seconds to leave after arming (0–255, CP-01 default 60).
        public var exitDelay: Int
        /// Seconds to reach the keypad after the entry door opens (0–255).
        public var entryDelay: Int
        /// Seconds an intrusion waits before it reaches the guards, so a resident can cancel it.
        public var abortWindow: Int
        /// Two different interior sensors within `crossZoneWindow` confirm an interior intrusion.
        public var crossZoning: Bool
        public var crossZoneWindow: Int
        /// A sensor that trips more than this many times in one arming is shut down for it.
        public var swingerLimit: Int

        public init(
            exitDelay: Int = 60, entryDelay: Int = 30, abortWindow: Int = 30, crossZoning: Bool = false,
            crossZoneWindow: Int = 60, swingerLimit: Int = 2
        ) {
            self.exitDelay = exitDelay
            self.entryDelay = entryDelay
            self.abortWindow = abortWindow
            self.crossZoning = crossZoning
            self.crossZoneWindow = crossZoneWindow
            self.swingerLimit = swingerLimit
        }

        /// The fields out of range, by name (`exitDelay`: 0–255 …).
        public var problems: [String] {
            var out: [String] = []
            if !(0...255).contains(exitDelay) { out.append("exitDelay") }
            if !(0...255).contains(entryDelay) { out.append("entryDelay") }
            if !(0...300).contains(abortWindow) { out.append("abortWindow") }
            if !(10...600).contains(crossZoneWindow) { out.append("crossZoneWindow") }
            if !(1...10).contains(swingerLimit) { out.append("swingerLimit") }
            return out
        }
    }

    /// An intrusion raised in this arming.
    public struct Intrusion: Codable, Equatable, Sendable {
        public let sensor: String
        public let at: Date
        /// When it reaches the guards unless disarmed before (the abort window's end).
        public let reportAt: Date
        /// Cross-zoning: false while only one interior sensor saw something.
        public var confirmed: Bool
        public var reported: Bool
    }

    /// What the server must do after a step.
    public enum Effect: Equatable, Sendable {
        /// The intrusion reaches the guards (after the abort window), or is confirmed later.
        case report(Intrusion)
        /// A second interior sensor confirmed an intrusion already reported unconfirmed.
        case confirmed(Intrusion)
        /// Disarmed within the abort window: recorded as cancelled by the resident, never sent.
        case cancelled(Intrusion)
        /// Disarmed after the guards were told: they see that the household disarmed.
        case disarmedAfterReport(Intrusion)
        /// A hazard sensor: an alarm to the guards at once, whatever the state.
        case hazard(sensor: String)
        /// The duress code disarmed: a silent alarm to the guards.
        case duress
        /// Away was asked but nobody left by an entry door during the exit delay.
        case fellBackToHome
        /// A sensor tripped more than `swingerLimit` times: ignored until the next arming.
        case shutDown(sensor: String)
    }

    public enum Refusal: Error, Equatable, Sendable {
        /// Sensors are open; arm with `force` to bypass them for this arming.
        case openSensors([String])
        /// Only a disarmed panel arms.
        case notDisarmed
    }

    /// What the server found the code to be (it keeps the hashes).
    public enum Code: Sendable {
        case valid, duress, wrong
    }

    public private(set) var state: State = .disarmed
    public private(set) var mode: Mode?
    public private(set) var exitEndsAt: Date?
    public private(set) var entryEndsAt: Date?
    public private(set) var intrusion: Intrusion?
    public private(set) var bypassed: Set<String> = []
    public private(set) var shutDown: Set<String> = []
    public private(set) var wrongCodes = 0
    private var trips: [String: Int] = [:]
    private var exitOpenings = 0
    private var pendingSensor: String?
    private var lastInteriorSensor: String?
    private var lastInteriorAt: Date?

    public init() {}

    /// When `advance(to:)` must next run: the end of the exit or entry delay, or of the abort window.
    public var nextDue: Date? {
        [exitEndsAt, entryEndsAt, intrusion.flatMap { $0.reported ? nil : $0.reportAt }].compactMap { $0 }.min()
    }

    /// Arms for `mode`. Open sensors refuse it unless `force`, which bypasses them for this arming.
    public mutating func arm(_ mode: Mode, open: [String], force: Bool, settings: Settings, now: Date) throws(Refusal) {
        guard state == .disarmed else { throw .notDisarmed }
        if !open.isEmpty && !force { throw .openSensors(open.sorted()) }
        self = AlarmPanel()
        self.mode = mode
        bypassed = Set(open)
        if settings.exitDelay == 0 {
            state = mode.state
        } else {
            state = .arming
            exitEndsAt = now.addingTimeInterval(TimeInterval(settings.exitDelay))
        }
    }

    /// Disarms with a code. A wrong one changes nothing but its count — and the third in a row during the
    /// entry delay triggers at once. The duress code disarms as usual and raises a silent alarm.
    public mutating func disarm(_ code: Code, settings: Settings, now: Date) -> [Effect] {
        guard code != .wrong else {
            wrongCodes += 1
            if state == .pending && wrongCodes >= 3, let sensor = pendingSensor {
                return trigger(sensor, settings: settings, now: now)
            }
            return []
        }
        var effects: [Effect] = code == .duress ? [.duress] : []
        if let intrusion {
            effects.append(intrusion.reported ? .disarmedAfterReport(intrusion) : .cancelled(intrusion))
        }
        self = AlarmPanel()
        return effects
    }

    /// A sensor of the household tripped (opened, saw motion, rang).
    public mutating func sensor(_ id: String, _ kind: SensorClass, settings: Settings, now: Date) -> [Effect] {
        if kind == .always { return [.hazard(sensor: id)] }
        guard state != .disarmed, !bypassed.contains(id), !shutDown.contains(id) else { return [] }
        if state == .arming {
            switch kind {
            case .entry:
                // The first opening is the way out; one more restarts the exit delay, once.
                exitOpenings += 1
                if exitOpenings == 2 { exitEndsAt = now.addingTimeInterval(TimeInterval(settings.exitDelay)) }
                return []
            case .perimeter: return counted(id, settings) { $0.trigger(id, settings: settings, now: now) }
            case .interior, .always: return []
            }
        }
        if kind == .interior && mode?.watchesInterior != true { return [] }
        return counted(id, settings) { panel in
            switch (panel.state, kind) {
            case (.triggered, .interior): return panel.crossZone(id, now: now, settings: settings)
            case (.triggered, _): return []
            case (_, .perimeter): return panel.trigger(id, settings: settings, now: now)
            case (.pending, _): return []  // the entry delay runs: the resident is on the way to the keypad
            case (_, .entry):
                if settings.entryDelay == 0 { return panel.trigger(id, settings: settings, now: now) }
                panel.state = .pending
                panel.pendingSensor = id
                panel.entryEndsAt = now.addingTimeInterval(TimeInterval(settings.entryDelay))
                return []
            case (_, .interior): return panel.trigger(id, settings: settings, now: now, interior: true)
            case (_, .always): return []
            }
        }
    }

    /// Counts a trip that could raise an alarm; past `swingerLimit` in this arming the sensor is shut down.
    private mutating func counted(_ id: String, _ settings: Settings, _ step: (inout AlarmPanel) -> [Effect])
        -> [Effect]
    {
        trips[id, default: 0] += 1
        if trips[id, default: 0] > settings.swingerLimit {
            shutDown.insert(id)
            return [.shutDown(sensor: id)]
        }
        return step(&self)
    }

    /// Moves the panel on to `now`: ends the exit delay (away with no exit falls back to home), the
    /// entry delay (triggered), the abort window (the intrusion reaches the guards).
    public mutating func advance(to now: Date, settings: Settings) -> [Effect] {
        var effects: [Effect] = []
        if state == .arming, let end = exitEndsAt, end <= now, let mode {
            exitEndsAt = nil
            if mode == .armedAway && exitOpenings == 0 {
                self.mode = .armedHome
                state = .armedHome
                effects.append(.fellBackToHome)
            } else {
                state = mode.state
            }
        }
        if state == .pending, let end = entryEndsAt, end <= now, let sensor = pendingSensor {
            effects += trigger(sensor, settings: settings, now: end)
        }
        if var intrusion, !intrusion.reported, intrusion.reportAt <= now {
            intrusion.reported = true
            self.intrusion = intrusion
            effects.append(.report(intrusion))
        }
        return effects
    }

    private mutating func trigger(_ id: String, settings: Settings, now: Date, interior: Bool = false) -> [Effect] {
        entryEndsAt = nil
        state = .triggered
        let confirmed = !(interior && settings.crossZoning)
        if interior { (lastInteriorSensor, lastInteriorAt) = (id, now) }
        intrusion = Intrusion(
            sensor: id, at: now, reportAt: now.addingTimeInterval(TimeInterval(settings.abortWindow)),
            confirmed: confirmed, reported: false)
        if settings.abortWindow == 0 { return advance(to: now, settings: settings) }
        return []
    }

    /// A second, different interior sensor within the window confirms an unconfirmed intrusion.
    private mutating func crossZone(_ id: String, now: Date, settings: Settings) -> [Effect] {
        defer { (lastInteriorSensor, lastInteriorAt) = (id, now) }
        guard var intrusion, !intrusion.confirmed, let last = lastInteriorSensor, last != id, let at = lastInteriorAt,
            now.timeIntervalSince(at) <= TimeInterval(settings.crossZoneWindow)
        else { return [] }
        intrusion.confirmed = true
        self.intrusion = intrusion
        return intrusion.reported ? [.confirmed(intrusion)] : []
    }
}
