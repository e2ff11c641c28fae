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

/// The catalogue of device types Linli knows.
public enum DeviceCatalog {
    public static let genericKey = "generic_sensor"
    /// Battery below this level raises a low-battery alarm.
    public static let lowBattery = 20.0

    public static let all: [DeviceType] = [
        DeviceType(
            "face_gate",
            telemetry: [
                TelemetryKey("passages", unit: .count, range: 0...10_000),
                TelemetryKey("door_open", .boolean),
                TelemetryKey("library_version", range: 0...1e15),
            ],
            commands: [CommandSpec("open_door"), CommandSpec("sync_library"), CommandSpec("reboot")],
            offlineAfter: 600),
        DeviceType(
            "access_reader",
            telemetry: [
                TelemetryKey("passages", unit: .count, range: 0...10_000),
                TelemetryKey("door_open", .boolean),
                TelemetryKey("tamper", .boolean),
            ],
            commands: [CommandSpec("open_door"), CommandSpec("reboot")], offlineAfter: 600),
        DeviceType(
            "door_lock",
            telemetry: [
                TelemetryKey("locked", .boolean),
                TelemetryKey("door_open", .boolean),
                TelemetryKey("unlock_method", .text),
            ],
            commands: [
                CommandSpec("unlock", twoWay: true), CommandSpec("lock", twoWay: true),
                CommandSpec("set_code", twoWay: true, secretParams: ["code"]), CommandSpec("delete_code", twoWay: true),
            ],
            offlineAfter: 1800),
        DeviceType("door_contact", telemetry: [TelemetryKey("open", .boolean)], offlineAfter: 3600),
        DeviceType("motion", telemetry: [TelemetryKey("motion", .boolean)], offlineAfter: 3600),
        DeviceType(
            "smoke",
            telemetry: [
                TelemetryKey("smoke", .boolean), TelemetryKey("temperature", unit: .celsius, range: -40...120),
            ],
            commands: [CommandSpec("silence")], offlineAfter: 3600),
        DeviceType(
            "gas",
            telemetry: [TelemetryKey("gas_lel", unit: .lel, range: 0...100), TelemetryKey("gas_alarm", .boolean)],
            commands: [CommandSpec("close_valve"), CommandSpec("silence")], offlineAfter: 3600),
        DeviceType("water_leak", telemetry: [TelemetryKey("leak", .boolean)], offlineAfter: 3600),
        // A home's call button: the red key (`pressed`) calls the guards, the green one (`service`) asks the
        // property team for a hand, 我很好 (`fine`) is the daily check-in of the care watch.
        DeviceType(
            "emergency_button",
            telemetry: [
                TelemetryKey("pressed", .boolean), TelemetryKey("service", .boolean), TelemetryKey("fine", .boolean),
            ], offlineAfter: 3600 * 6),
        // A home's alarm keypad: arms and disarms with the household's code through the device request
        // (`POST /api/v1/{token}/rpc`, never stored); reports tampering.
        DeviceType("alarm_keypad", telemetry: [TelemetryKey("tamper", .boolean)], offlineAfter: 3600 * 6),
        DeviceType(
            "soil_sensor",
            telemetry: [
                TelemetryKey("soil_moisture", unit: .percent, range: 0...100),
                TelemetryKey("soil_temperature", unit: .celsius, range: -40...80),
            ],
            offlineAfter: 7200),
        DeviceType(
            "irrigation_valve",
            telemetry: [
                TelemetryKey("valve_open", .boolean), TelemetryKey("flow", unit: .litrePerMinute, range: 0...1000),
            ],
            commands: [CommandSpec("open_valve"), CommandSpec("close_valve")], offlineAfter: 3600),
        // The community's weather station: the irrigation's watering scale reads its last 24 hours (rain
        // is what fell since the previous reading).
        DeviceType(
            "weather_station",
            telemetry: [
                TelemetryKey("temperature", unit: .celsius, range: -40...60),
                TelemetryKey("humidity", unit: .percent, range: 0...100),
                TelemetryKey("rain", unit: .millimetre, range: 0...500),
                TelemetryKey("wind_speed", unit: .metrePerSecond, range: 0...80),
            ],
            offlineAfter: 3600),
        DeviceType(
            "bin_level",
            telemetry: [
                TelemetryKey("fill_level", unit: .percent, range: 0...100),
                TelemetryKey("temperature", unit: .celsius, range: -40...120),
            ],
            offlineAfter: 6 * 3600),
        DeviceType(
            "recycling_bin",
            telemetry: [
                TelemetryKey("weight", unit: .kilogram, range: 0...2000),
                TelemetryKey("fill_level", unit: .percent, range: 0...100),
                TelemetryKey("category", .text),
            ],
            commands: [CommandSpec("open_lid"), CommandSpec("tare")], offlineAfter: 6 * 3600),
        DeviceType(
            "water_meter",
            telemetry: [
                TelemetryKey("water_total", unit: .cubicMetre, range: 0...1e9, cumulative: true),
                TelemetryKey("leak", .boolean),
            ],
            commands: [CommandSpec("close_valve"), CommandSpec("open_valve"), CommandSpec("read_now", twoWay: true)],
            offlineAfter: 26 * 3600),
        DeviceType(
            "electricity_meter",
            telemetry: [
                TelemetryKey("energy_total", unit: .kilowattHour, range: 0...1e9, cumulative: true),
                TelemetryKey("power", unit: .watt, range: 0...100_000),
                TelemetryKey("voltage", unit: .volt, range: 0...500),
            ],
            commands: [CommandSpec("read_now", twoWay: true), CommandSpec("relay_off"), CommandSpec("relay_on")],
            offlineAfter: 26 * 3600),
        DeviceType(
            "tv_box",
            telemetry: [TelemetryKey("power_on", .boolean), TelemetryKey("app", .text)],
            commands: [CommandSpec("show_message"), CommandSpec("reboot")], offlineAfter: 1800),
        DeviceType(
            "kiosk",
            telemetry: [
                TelemetryKey("session_active", .boolean), TelemetryKey("paper_level", unit: .percent, range: 0...100),
            ],
            commands: [CommandSpec("show_message"), CommandSpec("reboot")], offlineAfter: 1800),
        // The community's SMS gateway: takes the notifier's queued texts and reports each sent or failed.
        DeviceType("sms_gateway", telemetry: [TelemetryKey("signal", unit: .dBm, range: -140...0)], offlineAfter: 1800),
        DeviceType(genericKey, telemetry: [], commands: [], offlineAfter: 3600, openKeys: true),
    ]

    public static let byKey: [String: DeviceType] = Dictionary(
        all.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })

    public static func type(_ key: String) -> DeviceType? { byKey[key] }

    private static let secretsByMethod: [String: Set<String>] = all.flatMap(\.commands)
        .reduce(into: [:]) { $0[$1.method, default: []].formUnion($1.secretParams) }

    /// The secret parameters of a command method on any device type (`set_code`: `code`).
    public static func secretParams(_ method: String) -> Set<String> { secretsByMethod[method] ?? [] }

    /// The type of a stored device; an unknown key is read as the generic sensor.
    public static func resolve(_ key: String) -> DeviceType { byKey[key] ?? byKey[genericKey]! }

    /// Whether a device last heard from at `lastSeen` (ms) counts as online at `now` (ms).
    public static func isOnline(type key: String, lastSeen: Int64?, now: Int64) -> Bool {
        guard let lastSeen else { return false }
        return Double(now - lastSeen) < resolve(key).offlineAfter * 1000
    }
}
