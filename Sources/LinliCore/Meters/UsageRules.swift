import Foundation

/// Leak rules on a water meter's hourly usage (Flume and StreamLabs style, at the hour's grain our
/// meters report): water in every hour of a day (a running toilet), a flow above a rate held for some
/// hours (a burst pipe), and a night minimum (00:00–05:00 China time) above a threshold.
public enum LeakRules {
    public struct Settings: Sendable, Equatable, Codable {
        /// Hours in a row with water flowing (every hour above `trickle`).
        public var continuousHours: Int
        /// m³ an hour that counts as flowing.
        public var trickle: Double
        /// A flow above `highRate` m³/h for `highHours` hours in a row.
        public var highRate: Double
        public var highHours: Int
        /// The night's smallest hour (00:00–05:00) above this, in m³ (2 L: nobody uses water every hour
        /// of the night; a running toilet does).
        public var nightMinimum: Double

        public init(
            continuousHours: Int = 24, trickle: Double = 0.002, highRate: Double = 0.5, highHours: Int = 2,
            nightMinimum: Double = 0.002
        ) {
            self.continuousHours = continuousHours
            self.trickle = trickle
            self.highRate = highRate
            self.highHours = highHours
            self.nightMinimum = nightMinimum
        }

        public static let standard = Settings()
    }

    public enum Kind: String, Sendable, Equatable, Codable {
        case continuousFlow = "continuous_flow", highFlow = "high_flow", nightFlow = "night_flow"
    }

    public struct Finding: Sendable, Equatable {
        public var kind: Kind
        /// The hour (start, ms) the rule was met at.
        public var at: Int64
        /// What was seen: hours in a row, the rate or the night's minimum.
        public var value: Double
    }

    /// The rules met in `hours` (hourly buckets in time order; a missing hour breaks every streak
    /// and leaves its night unjudged). One finding per kind: the first time it was met.
    public static func evaluate(_ hours: [MeterUsage.Bucket], settings: Settings = .standard) -> [Finding] {
        var findings: [Finding] = []
        var flowing = 0
        var high = 0
        var nights: [Int64: (min: Double, count: Int, complete: Bool)] = [:]
        var seen: Set<Kind> = []
        func found(_ kind: Kind, _ at: Int64, _ value: Double) {
            guard seen.insert(kind).inserted else { return }
            findings.append(Finding(kind: kind, at: at, value: value))
        }
        for hour in hours {
            guard let usage = hour.usage, hour.complete else {
                flowing = 0
                high = 0
                let night = TimeBuckets.start(of: hour.start, .day)
                if hourOfDay(hour.start) < 5 { nights[night, default: (.infinity, 0, true)].complete = false }
                continue
            }
            flowing = usage > settings.trickle ? flowing + 1 : 0
            high = usage > settings.highRate ? high + 1 : 0
            if flowing >= settings.continuousHours { found(.continuousFlow, hour.start, Double(flowing)) }
            if high >= settings.highHours { found(.highFlow, hour.start, usage) }
            if hourOfDay(hour.start) < 5 {
                let night = TimeBuckets.start(of: hour.start, .day)
                var entry = nights[night, default: (.infinity, 0, true)]
                entry.min = min(entry.min, usage)
                entry.count += 1
                nights[night] = entry
                if entry.count == 5, entry.complete, entry.min > settings.nightMinimum {
                    found(.nightFlow, hour.start, entry.min)
                }
            }
        }
        return findings
    }

    /// 0–23 in China time.
    public static func hourOfDay(_ ts: Int64) -> Int {
        Int((ts - TimeBuckets.start(of: ts, .day)) / 3_600_000)
    }
}

/// Abnormal use: an hour far outside the household's own usual for that hour of the week — its median
/// ± k × MAD (the median absolute deviation, scaled to match a standard deviation), with a floor so
/// that a household whose hour is always 0 is not told about a cup of water.
public enum UsageAnomaly {
    public struct Finding: Sendable, Equatable {
        public var at: Int64
        public var usage: Double
        public var median: Double
        public var limit: Double
    }

    /// 0–167 (Monday 00:00 = 0) in China time.
    public static func hourOfWeek(_ ts: Int64) -> Int {
        let days = Int(TimeBuckets.floor(ts + TimeBuckets.offset, 86_400_000) / 86_400_000)
        // 1970-01-01 was a Thursday (3 with Monday = 0).
        let weekday = ((days % 7) + 7 + 3) % 7
        return weekday * 24 + LeakRules.hourOfDay(ts)
    }

    /// `history`: past complete hours; `recent`: the hours to judge. An hour is judged only with at
    /// least `minSamples` past values for its hour of the week.
    public static func evaluate(
        history: [MeterUsage.Bucket], recent: [MeterUsage.Bucket], k: Double = 5, floor: Double,
        minSamples: Int = 3
    ) -> [Finding] {
        var byHour: [Int: [Double]] = [:]
        for bucket in history where bucket.complete {
            if let usage = bucket.usage { byHour[hourOfWeek(bucket.start), default: []].append(usage) }
        }
        var findings: [Finding] = []
        for bucket in recent where bucket.complete {
            guard let usage = bucket.usage, let past = byHour[hourOfWeek(bucket.start)], past.count >= minSamples
            else { continue }
            let median = Statistics.median(past)
            let mad = 1.4826 * Statistics.median(past.map { abs($0 - median) })
            let limit = median + max(k * mad, floor)
            if usage > limit { findings.append(Finding(at: bucket.start, usage: usage, median: median, limit: limit)) }
        }
        return findings
    }
}

/// How a household compares with similar ones of its building: the median and the household's rank,
/// never another household's figure.
public enum UsageComparison {
    public struct Result: Sendable, Equatable, Codable {
        /// Households compared (the household itself included).
        public var peers: Int
        public var median: Double
        /// 1 = uses least.
        public var rank: Int
    }

    /// Similar: an area within ±`areaShare` of the household's and the same household size (1, 2, 3,
    /// 4+). nil with fewer than `minimum` peers (a median of two tells one neighbour's figure).
    public struct Peer: Sendable, Equatable {
        public var id: String
        public var usage: Double
        public var area: Double
        public var people: Int

        public init(id: String, usage: Double, area: Double, people: Int) {
            self.id = id
            self.usage = usage
            self.area = area
            self.people = people
        }
    }

    public static func compare(_ household: Peer, among all: [Peer], areaShare: Double = 0.25, minimum: Int = 5)
        -> Result?
    {
        let size = min(household.people, 4)
        let similar = all.filter { peer in
            peer.id == household.id
                || (min(peer.people, 4) == size && abs(peer.area - household.area) <= household.area * areaShare)
        }
        guard similar.count >= minimum, similar.contains(where: { $0.id == household.id }) else { return nil }
        let median = Statistics.median(similar.map(\.usage))
        let rank = similar.filter { $0.usage < household.usage }.count + 1
        return Result(peers: similar.count, median: MeterUsage.rounded(median), rank: rank)
    }
}

/// Small statistics the usage rules share.
public enum Statistics {
    public static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }

    /// The nearest-rank quantile (`q` in 0…1): the smallest value with at least `q` of the values at or
    /// below it — the 0.9 quantile is where the top tenth begins. Nil for no values.
    public static func quantile(_ values: [Double], _ q: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let rank = Int((q * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}
