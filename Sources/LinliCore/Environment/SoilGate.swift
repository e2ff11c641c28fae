import Foundation

/// The soil's say in a zone's run: skipped when the soil is already at or above the zone's target
/// moisture, stopped early once it gets there. The zone's moisture is the mean of its sensors' fresh
/// readings; a reading older than twice the sensor's report interval is stale — with none fresh the run
/// goes by the weather scale alone and the caller raises a device alert.
public enum SoilGate {
    public struct Reading: Sendable, Equatable {
        public var sensor: String
        public var moisture: Double
        public var at: Date

        public init(sensor: String, moisture: Double, at: Date) {
            self.sensor = sensor
            self.moisture = moisture
            self.at = at
        }
    }

    public struct Verdict: Sendable, Equatable {
        /// The mean of the fresh readings, nil with none.
        public var moisture: Double?
        /// At or above the target: skip (before) or stop (during).
        public var wetEnough: Bool
        /// Sensors whose latest reading is stale (or that never reported).
        public var stale: [String]
    }

    /// `sensors`: every soil sensor of the zone (one that never reported is stale too).
    public static func verdict(
        sensors: [String], latest: [Reading], target: Double, reportInterval: TimeInterval, now: Date
    ) -> Verdict {
        let bySensor = Dictionary(latest.map { ($0.sensor, $0) }, uniquingKeysWith: { $0.at > $1.at ? $0 : $1 })
        var fresh: [Double] = []
        var stale: [String] = []
        for sensor in sensors {
            if let r = bySensor[sensor], now.timeIntervalSince(r.at) <= 2 * reportInterval, r.moisture.isFinite {
                fresh.append(r.moisture)
            } else {
                stale.append(sensor)
            }
        }
        let mean = fresh.isEmpty ? nil : fresh.reduce(0, +) / Double(fresh.count)
        return Verdict(moisture: mean, wetEnough: mean.map { $0 >= target } ?? false, stale: stale)
    }
}
