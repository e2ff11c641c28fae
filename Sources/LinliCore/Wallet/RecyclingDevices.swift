import Foundation

/// Recycling: the device types this feature adds to
/// ``DeviceCatalog``.
public enum RecyclingDevices {
    public static let types: [DeviceType] = [
        DeviceType(
            "recycling_bin",
            telemetry: [
                TelemetryKey("weight", unit: .kilogram, range: 0...2000),
                TelemetryKey("fill_level", unit: .percent, range: 0...100),
                TelemetryKey("category", .text),
            ],
            commands: [CommandSpec("open_lid"), CommandSpec("tare")], offlineAfter: 6 * 3600),
    ]
}
