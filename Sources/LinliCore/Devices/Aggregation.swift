import Foundation

/// How readings are grouped in a time-series query.
public enum Interval: String, Sendable, Codable, CaseIterable {
    case none, minute, hour, day, month
}

/// How a group of readings becomes one value.
public enum AggregateFunction: String, Sendable, Codable, CaseIterable {
    case avg, min, max, sum, count
}

/// Count, sum, min, max and last of a group of numeric readings; combines exactly, so roll-ups of
/// roll-ups give the same answer as the raw readings.
public struct Aggregate: Sendable, Equatable, Codable {
    public var count: Int
    public var sum: Double
    public var min: Double
    public var max: Double
    /// The latest value and its time (usage of a running total is `last - previous last`).
    public var last: Double
    public var lastTs: Int64

    public init(value: Double, ts: Int64) {
        count = 1
        sum = value
        min = value
        max = value
        last = value
        lastTs = ts
    }

    public init(count: Int, sum: Double, min: Double, max: Double, last: Double, lastTs: Int64) {
        self.count = count
        self.sum = sum
        self.min = min
        self.max = max
        self.last = last
        self.lastTs = lastTs
    }

    public mutating func add(_ other: Aggregate) {
        count += other.count
        sum += other.sum
        min = Swift.min(min, other.min)
        max = Swift.max(max, other.max)
        if other.lastTs >= lastTs {
            last = other.last
            lastTs = other.lastTs
        }
    }

    public func value(_ function: AggregateFunction) -> Double {
        switch function {
        case .avg: count == 0 ? 0 : sum / Double(count)
        case .min: min
        case .max: max
        case .sum: sum
        case .count: Double(count)
        }
    }
}

/// Time buckets in the community's zone (China Standard Time, no daylight saving).
public enum TimeBuckets {
    /// UTC+8, in milliseconds.
    public static let offset: Int64 = 8 * 3600 * 1000

    /// The start (ms since 1970) of the bucket that holds `ts`.
    public static func start(of ts: Int64, _ interval: Interval) -> Int64 {
        switch interval {
        case .none: return ts
        case .minute: return floor(ts, 60_000)
        case .hour: return floor(ts, 3_600_000)
        case .day: return floor(ts + offset, 86_400_000) - offset
        case .month:
            let (year, month) = yearMonth(ts)
            return monthStart(year: year, month: month)
        }
    }

    /// The start of the bucket after the one starting at `start`.
    public static func next(after start: Int64, _ interval: Interval) -> Int64 {
        switch interval {
        case .none: return start + 1
        case .minute: return start + 60_000
        case .hour: return start + 3_600_000
        case .day: return start + 86_400_000
        case .month:
            let (year, month) = yearMonth(start)
            return month == 12 ? monthStart(year: year + 1, month: 1) : monthStart(year: year, month: month + 1)
        }
    }

    static func floor(_ value: Int64, _ size: Int64) -> Int64 {
        let remainder = value % size
        return remainder >= 0 ? value - remainder : value - remainder - size
    }

    /// Civil year and month (in UTC+8) of `ts`.
    public static func yearMonth(_ ts: Int64) -> (Int, Int) {
        let days = Int(floor(ts + offset, 86_400_000) / 86_400_000)
        let date = CivilDays.civil(fromDays: days)
        return (date.year, date.month)
    }

    static func monthStart(year: Int, month: Int) -> Int64 {
        Int64(CivilDays.days(year: year, month: month, day: 1)) * 86_400_000 - offset
    }

    /// Groups `(ts, value)` pairs into buckets; the result is sorted by bucket start.
    public static func group(_ points: [(ts: Int64, value: Double)], _ interval: Interval) -> [(
        start: Int64, aggregate: Aggregate
    )] {
        var buckets: [Int64: Aggregate] = [:]
        for point in points {
            let start = start(of: point.ts, interval)
            let single = Aggregate(value: point.value, ts: point.ts)
            if buckets[start] == nil { buckets[start] = single } else { buckets[start]!.add(single) }
        }
        return buckets.keys.sorted().map { ($0, buckets[$0]!) }
    }

    /// Merges finer aggregates (hourly or daily roll-ups) into coarser buckets.
    public static func merge(_ rows: [(start: Int64, aggregate: Aggregate)], _ interval: Interval) -> [(
        start: Int64, aggregate: Aggregate
    )] {
        var buckets: [Int64: Aggregate] = [:]
        for row in rows {
            let start = start(of: row.start, interval)
            if buckets[start] == nil { buckets[start] = row.aggregate } else { buckets[start]!.add(row.aggregate) }
        }
        return buckets.keys.sorted().map { ($0, buckets[$0]!) }
    }
}

/// Days since 1970-01-01 ↔ civil dates (Howard Hinnant's algorithm), without Foundation calendars.
public enum CivilDays {
    public static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
