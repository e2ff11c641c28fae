import Foundation

/// Water and electricity meters: the device types this feature adds to
/// ``DeviceCatalog``.
public enum MeterDevices {
    public static let types: [DeviceType] = [
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
    ]
}
