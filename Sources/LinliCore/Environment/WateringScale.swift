import Foundation

/// How much of a program's duration to water, from the last 24 hours' weather: OpenSprinkler's
/// Zimmerman method. scale % = 100 + (30 − humidity %) + 4 × (temperature °F − 70) + 200 × (0 − rain in),
/// each factor weighted by a percentage (100 by default), floored and clamped to 0–200. With any reading
/// missing the scale is 100 and says so.
public enum WateringScale {
    public static let baseHumidity = 30.0
    public static let baseTemperatureF = 70.0
    public static let baseRainInches = 0.0

    public struct Weather: Sendable, Equatable, Codable {
        /// Mean temperature (°C), mean relative humidity (%), rain (mm) over the last 24 hours.
        public var temperatureC: Double?
        public var humidityPct: Double?
        public var rainMm: Double?

        public init(temperatureC: Double?, humidityPct: Double?, rainMm: Double?) {
            self.temperatureC = temperatureC
            self.humidityPct = humidityPct
            self.rainMm = rainMm
        }
    }

    /// Percentages each factor counts with (0–100 in OpenSprinkler; up to 200 here).
    public struct Weights: Sendable, Equatable, Codable {
        public var humidity: Double
        public var temperature: Double
        public var rain: Double

        public init(humidity: Double = 100, temperature: Double = 100, rain: Double = 100) {
            self.humidity = humidity
            self.temperature = temperature
            self.rain = rain
        }

        public static let range = 0.0...200.0
        public var isValid: Bool { [humidity, temperature, rain].allSatisfy { Self.range.contains($0) } }
    }

    public struct Result: Sendable, Equatable, Codable {
        /// 0–200 (%).
        public var scale: Int
        /// The weighted factors in percentage points, nil where the reading was missing.
        public var humidity: Double?
        public var temperature: Double?
        public var rain: Double?
        /// True when a reading was missing and the scale fell back to 100.
        public var missingData: Bool
    }

    public static func fahrenheit(_ celsius: Double) -> Double { celsius * 9 / 5 + 32 }
    public static func inches(_ mm: Double) -> Double { mm / 25.4 }

    public static func scale(_ weather: Weather, weights: Weights = Weights()) -> Result {
        guard let t = weather.temperatureC, let h = weather.humidityPct, let r = weather.rainMm,
            t.isFinite, h.isFinite, r.isFinite
        else { return Result(scale: 100, humidity: nil, temperature: nil, rain: nil, missingData: true) }
        let humidity = (baseHumidity - h) * weights.humidity / 100
        let temperature = (fahrenheit(t) - baseTemperatureF) * 4 * weights.temperature / 100
        let rain = (baseRainInches - inches(max(0, r))) * 200 * weights.rain / 100
        let raw = (100 + humidity + temperature + rain).rounded(.down)
        return Result(
            scale: Int(min(200, max(0, raw))), humidity: humidity, temperature: temperature, rain: rain,
            missingData: false)
    }
}
