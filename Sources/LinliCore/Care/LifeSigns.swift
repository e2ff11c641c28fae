import Foundation

/// Which readings of a home's devices are signs that someone is living there, for the care watch: a door
/// opened, motion seen, the lock used, the TV switched on or used, water or electricity used. A meter
/// counts when its total rose by at least the programme's threshold since the last reading seen
/// (深圳龙岗: 0.01 m³ of water), or when a large appliance draws power (≥ 500 W: a kettle, a cooker —
/// not the fridge's steady draw). The first reading of a meter only sets its mark.
public struct LifeSigns: Sendable {
    public static let waterStep = 0.01
    public static let powerInUse = 500.0

    private var totals: [UUID: Double] = [:]

    public init() {}

    public mutating func isSign(device: UUID, type: String, _ readings: [Reading]) -> Bool {
        func bool(_ key: String) -> Bool? {
            readings.last { $0.key == key }.flatMap { if case .bool(let b) = $0.value { b } else { nil } }
        }
        func number(_ key: String) -> Double? { readings.last { $0.key == key }?.value.numeric }
        switch type {
        case "door_contact": return bool("open") == true
        case "motion": return bool("motion") == true
        case "door_lock": return bool("locked") == false || readings.contains { $0.key == "unlock_method" }
        case "tv_box": return bool("power_on") == true || readings.contains { $0.key == "app" }
        case "water_meter":
            guard let total = number("water_total") else { return false }
            defer { totals[device] = max(total, totals[device] ?? total) }
            guard let last = totals[device] else { return false }
            return total - last >= Self.waterStep
        case "electricity_meter":
            if let power = number("power"), power >= Self.powerInUse { return true }
            return false
        default: return false
        }
    }
}
