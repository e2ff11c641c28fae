import Foundation

/// Gate access and smart locks: the device types this feature adds to
/// ``DeviceCatalog``.
public enum AccessDevices {
    public static let types: [DeviceType] = [
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
    ]
}
