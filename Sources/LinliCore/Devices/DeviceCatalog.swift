import Foundation

/// What kind of value a telemetry key carries.
public enum ValueKind: String, Codable, Sendable {
    case number, boolean, text
}

/// A unit and the other spellings of it a device may send, with how to convert them.
public struct Unit: Sendable, Hashable {
    public let symbol: String
    /// Other names of the same unit ("C", "celsius" for "°C").
    public let aliases: Set<String>
    /// Other units and how to turn their value into this unit ("L" → m³ is `v / 1000`).
    public let conversions: [String: @Sendable (Double) -> Double]

    public init(_ symbol: String, aliases: Set<String> = [], conversions: [String: @Sendable (Double) -> Double] = [:])
    {
        self.symbol = symbol
        self.aliases = aliases
        self.conversions = conversions
    }

    public static func == (a: Unit, b: Unit) -> Bool { a.symbol == b.symbol }
    public func hash(into hasher: inout Hasher) { hasher.combine(symbol) }

    /// The value in this unit, or nil when `unit` is not this one or convertible to it.
    public func convert(_ value: Double, from unit: String) -> Double? {
        if unit == symbol || aliases.contains(unit) { return value }
        return conversions[unit].map { $0(value) }
    }

    public static let percent = Unit("%", aliases: ["percent", "pct"])
    public static let celsius = Unit(
        "°C", aliases: ["C", "celsius", "degC", "℃"],
        conversions: ["°F": { ($0 - 32) * 5 / 9 }, "F": { ($0 - 32) * 5 / 9 }])
    public static let cubicMetre = Unit(
        "m³", aliases: ["m3", "m^3"], conversions: ["L": { $0 / 1000 }, "l": { $0 / 1000 }])
    public static let kilowattHour = Unit("kWh", aliases: ["kwh"], conversions: ["Wh": { $0 / 1000 }])
    public static let watt = Unit("W", aliases: ["w"], conversions: ["kW": { $0 * 1000 }])
    public static let volt = Unit("V", aliases: ["v"])
    public static let kilogram = Unit("kg", aliases: ["KG"], conversions: ["g": { $0 / 1000 }])
    public static let litrePerMinute = Unit("L/min", aliases: ["l/min", "lpm"])
    public static let dBm = Unit("dBm", aliases: ["dbm"])
    public static let lel = Unit("%LEL", aliases: ["LEL"])
    public static let count = Unit("count", aliases: ["次", "times"])
    public static let millimetre = Unit("mm", aliases: ["MM"], conversions: ["in": { $0 * 25.4 }])
    public static let metrePerSecond = Unit("m/s", aliases: ["mps"], conversions: ["km/h": { $0 / 3.6 }])
}

/// One telemetry key a device type reports.
public struct TelemetryKey: Sendable {
    public let name: String
    public let kind: ValueKind
    public let unit: Unit?
    public let range: ClosedRange<Double>?
    /// A running total (meters): roll-ups of it are read as usage, not as an average.
    public let cumulative: Bool

    public init(
        _ name: String, _ kind: ValueKind = .number, unit: Unit? = nil, range: ClosedRange<Double>? = nil,
        cumulative: Bool = false
    ) {
        self.name = name
        self.kind = kind
        self.unit = unit
        self.range = range
        self.cumulative = cumulative
    }
}

/// A command a device type accepts. Two-way commands wait for the device's reply.
public struct CommandSpec: Sendable {
    public let method: String
    public let twoWay: Bool
    /// Parameters that carry a secret to the device (a door code): never shown when the command is read.
    public let secretParams: Set<String>

    public init(_ method: String, twoWay: Bool = false, secretParams: Set<String> = []) {
        self.method = method
        self.twoWay = twoWay
        self.secretParams = secretParams
    }
}

/// One kind of device the community uses: what it reports, what it accepts, when it counts as offline.
public struct DeviceType: Sendable {
    public let key: String
    public let telemetry: [TelemetryKey]
    public let commands: [CommandSpec]
    /// Silence after which the device counts as offline.
    public let offlineAfter: TimeInterval
    /// Accepts any key (the generic sensor); values are still type-checked.
    public let openKeys: Bool

    public init(
        _ key: String, telemetry: [TelemetryKey], commands: [CommandSpec] = [], offlineAfter: TimeInterval,
        openKeys: Bool = false
    ) {
        self.key = key
        self.telemetry = telemetry + DeviceType.health
        self.commands = commands
        self.offlineAfter = offlineAfter
        self.openKeys = openKeys
        self.keys = Dictionary(self.telemetry.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public let keys: [String: TelemetryKey]

    public func command(_ method: String) -> CommandSpec? { commands.first { $0.method == method } }

    /// Keys every device may send about its own health.
    public static let health: [TelemetryKey] = [
        TelemetryKey("battery", unit: .percent, range: 0...100),
        TelemetryKey("rssi", unit: .dBm, range: -140...0),
    ]
}

/// The catalogue of device types Linli knows: each feature declares its own (`AccessDevices.types`, …)
/// and the server adds them before it registers anything.
public enum DeviceCatalog {
    public static let genericKey = "generic_sensor"
    /// Battery below this level raises a low-battery alarm.
    public static let lowBattery = 20.0

    /// Every type the features added, in the order they were added.
    public static var all: [DeviceType] { store.withLock { $0.all } }

    /// Adds the types a feature declares; a key already known keeps its first entry.
    public static func add(_ types: [DeviceType]) {
        store.withLock { state in
            for type in types where state.byKey[type.key] == nil {
                state.all.append(type)
                state.byKey[type.key] = type
                for command in type.commands { state.secrets[command.method, default: []].formUnion(command.secretParams) }
            }
        }
    }

    private struct State {
        var all: [DeviceType] = []
        var byKey: [String: DeviceType] = [:]
        var secrets: [String: Set<String>] = [:]
    }

    private static let store = Locked(State())

    public static func type(_ key: String) -> DeviceType? { store.withLock { $0.byKey[key] } }

    /// The secret parameters of a command method on any device type (`set_code`: `code`).
    public static func secretParams(_ method: String) -> Set<String> { store.withLock { $0.secrets[method] ?? [] } }

    /// The type of a stored device; an unknown key is read as the generic sensor.
    public static func resolve(_ key: String) -> DeviceType { type(key) ?? generic }

    /// Accepts any key (values are still type-checked); stands in for a type no feature declares.
    public static let generic = DeviceType(genericKey, telemetry: [], commands: [], offlineAfter: 3600, openKeys: true)

    /// Whether a device last heard from at `lastSeen` (ms) counts as online at `now` (ms).
    public static func isOnline(type key: String, lastSeen: Int64?, now: Int64) -> Bool {
        guard let lastSeen else { return false }
        return Double(now - lastSeen) < resolve(key).offlineAfter * 1000
    }
}

/// A value behind a lock, for what is written at start and read everywhere after.
final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()

    init(_ value: Value) { self.value = value }

    func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
