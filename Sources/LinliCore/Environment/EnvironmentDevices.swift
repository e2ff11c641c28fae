import Foundation

/// Irrigation and bins: the device types this feature adds to
/// ``DeviceCatalog``.
public enum EnvironmentDevices {
    public static let types: [DeviceType] = [
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
    ]
}
