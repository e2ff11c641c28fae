import Foundation

/// The device hub itself: the home's TV box, the kiosk, the SMS gateway and the generic sensor: the device types this feature adds to
/// ``DeviceCatalog``.
public enum HubDevices {
    public static let types: [DeviceType] = [
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
        DeviceCatalog.generic,
    ]
}
