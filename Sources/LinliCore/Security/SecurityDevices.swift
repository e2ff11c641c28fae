import Foundation

/// Home security (and the call button the care watch reads too): the device types this feature adds to
/// ``DeviceCatalog``.
public enum SecurityDevices {
    public static let types: [DeviceType] = [
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
    ]
}
