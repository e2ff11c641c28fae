import Foundation

/// Usage from a meter's cumulative readings (`water_total` m³, `energy_total` kWh), per hour, day or
/// month in China time. A meter's register only goes up; when a reading is lower than the one before,
/// the register rolled over (it was near its maximum) or the meter was replaced. Both are joined into
/// one continuous total so that usage is never negative; a drop nobody recorded, or a jump faster than
/// the meter can run, breaks the total instead of inventing a figure. A bucket's usage is the total at
/// its end minus the total at its start, each read between two readings of one unbroken run that lie
/// at most `maxGap` apart; a bucket whose edges cannot be read that way is `partial` (the usage
/// between its first and last reading inside, a lower bound) or missing — never zero.
public enum MeterUsage {
    public struct Reading: Sendable, Equatable {
        /// Milliseconds since 1970.
        public var ts: Int64
        public var total: Double

        public init(ts: Int64, total: Double) {
            self.ts = ts
            self.total = total
        }
    }

    /// A meter swapped for a new one: the old one's last reading and the new one's first.
    public struct Replacement: Sendable, Equatable {
        public var ts: Int64
        public var oldFinal: Double
        public var newInitial: Double

        public init(ts: Int64, oldFinal: Double, newInitial: Double) {
            self.ts = ts
            self.oldFinal = oldFinal
            self.newInitial = newInitial
        }
    }

    public struct Settings: Sendable, Equatable {
        /// The register's wrap-around value (99 999 m³ on a five-digit water register); nil: never.
        public var rolloverAt: Double?
        /// Faster than this per hour is not usage but a bad reading (a spike): the run breaks there.
        public var maxPerHour: Double
        /// Readings further apart than this do not tell where the total was in between.
        public var maxGap: Int64

        public init(rolloverAt: Double? = nil, maxPerHour: Double, maxGap: Int64 = 3 * 3_600_000) {
            self.rolloverAt = rolloverAt
            self.maxPerHour = maxPerHour
            self.maxGap = maxGap
        }

        /// A household water meter: at most 10 m³ an hour.
        public static let water = Settings(rolloverAt: 99_999, maxPerHour: 10)
        /// A household electricity meter: at most 60 kWh an hour.
        public static let electricity = Settings(rolloverAt: 999_999, maxPerHour: 60)
    }

    /// What happened between two readings that did not simply go up.
    public enum Event: String, Sendable, Equatable, Codable {
        case rollover, replacement, unexplainedDrop = "unexplained_drop", spike
    }

    /// Readings joined into unbroken runs of one continuous total.
    public struct Series: Sendable, Equatable {
        public var runs: [[Reading]]
        public var events: [(ts: Int64, event: Event)]

        public static func == (a: Series, b: Series) -> Bool {
            a.runs == b.runs && a.events.map(\.ts) == b.events.map(\.ts)
                && a.events.map(\.event) == b.events.map(\.event)
        }
    }

    /// Joins `readings` (any order) into continuous runs.
    public static func series(_ readings: [Reading], replacements: [Replacement] = [], settings: Settings) -> Series {
        let sorted = readings.filter { $0.total.isFinite && $0.total >= 0 }.sorted { $0.ts < $1.ts }
        let swaps = replacements.sorted { $0.ts < $1.ts }
        var runs: [[Reading]] = []
        var events: [(ts: Int64, event: Event)] = []
        var current: [Reading] = []
        var offset = 0.0
        var swapIndex = 0
        var previous: Reading?
        for reading in sorted {
            guard let before = previous else {
                current = [reading]
                previous = reading
                continue
            }
            if before.ts == reading.ts { continue }
            // A recorded replacement between the two readings joins them exactly.
            var swapped = false
            while swapIndex < swaps.count, swaps[swapIndex].ts <= reading.ts {
                let swap = swaps[swapIndex]
                swapIndex += 1
                guard swap.ts > before.ts else { continue }
                offset += swap.oldFinal - swap.newInitial
                events.append((swap.ts, .replacement))
                swapped = true
            }
            var value = reading.total + offset
            let last = current.last?.total ?? value
            var broken = false
            if !swapped, value < last {
                if let wrap = settings.rolloverAt, before.total >= wrap * 0.9, reading.total < wrap * 0.1 {
                    offset += wrap
                    value += wrap
                    events.append((reading.ts, .rollover))
                } else {
                    events.append((reading.ts, .unexplainedDrop))
                    broken = true
                }
            }
            let hours = Double(reading.ts - before.ts) / 3_600_000
            if !broken, value - last > settings.maxPerHour * max(hours, 1.0 / 60) {
                events.append((reading.ts, .spike))
                broken = true
            }
            if broken {
                runs.append(current)
                // The new run continues from the old total (usage across the break is unknown).
                offset = last - reading.total
                value = last
                current = []
            }
            current.append(Reading(ts: reading.ts, total: value))
            previous = reading
        }
        if !current.isEmpty { runs.append(current) }
        return Series(runs: runs, events: events)
    }

    /// The continuous total at `ts`, read between two readings of one run at most `maxGap` apart.
    public static func total(at ts: Int64, in series: Series, maxGap: Int64) -> Double? {
        for run in series.runs {
            guard let first = run.first, let last = run.last, first.ts <= ts, ts <= last.ts else { continue }
            // The first reading at or after ts.
            var low = 0
            var high = run.count - 1
            while low < high {
                let mid = (low + high) / 2
                if run[mid].ts < ts { low = mid + 1 } else { high = mid }
            }
            let after = run[low]
            if after.ts == ts { return after.total }
            let before = run[low - 1]
            guard after.ts - before.ts <= maxGap else { return nil }
            let share = Double(ts - before.ts) / Double(after.ts - before.ts)
            return before.total + (after.total - before.total) * share
        }
        return nil
    }

    public struct Bucket: Sendable, Equatable {
        public var start: Int64
        /// nil: missing (no way to tell); never a made-up zero.
        public var usage: Double?
        /// False when an edge could not be read and `usage` is only what the readings inside show.
        public var complete: Bool

        public init(start: Int64, usage: Double?, complete: Bool) {
            self.start = start
            self.usage = usage
            self.complete = complete
        }
    }

    /// Usage per `interval` bucket from `from` up to `to` (bucket starts in China time).
    public static func buckets(_ series: Series, from: Int64, to: Int64, _ interval: Interval, maxGap: Int64)
        -> [Bucket]
    {
        var result: [Bucket] = []
        var start = TimeBuckets.start(of: from, interval)
        var startTotal = total(at: start, in: series, maxGap: maxGap)
        while start < to {
            let end = TimeBuckets.next(after: start, interval)
            let endTotal = total(at: end, in: series, maxGap: maxGap)
            if let a = startTotal, let b = endTotal, b >= a, !breaks(series, between: start, and: end) {
                result.append(Bucket(start: start, usage: rounded(b - a), complete: true))
            } else {
                result.append(Bucket(start: start, usage: inside(series, start, end), complete: false))
            }
            start = end
            startTotal = endTotal
        }
        return result
    }

    /// Whether a run ends strictly inside the bucket (usage across it is unknown).
    private static func breaks(_ series: Series, between start: Int64, and end: Int64) -> Bool {
        series.runs.dropLast().contains { run in
            guard let last = run.last else { return false }
            return last.ts >= start && last.ts < end
        }
    }

    /// What the readings inside a bucket show, run by run; nil with fewer than two of one run inside.
    private static func inside(_ series: Series, _ start: Int64, _ end: Int64) -> Double? {
        var sum = 0.0
        var seen = false
        for run in series.runs {
            let within = run.filter { $0.ts >= start && $0.ts < end }
            guard let first = within.first, let last = within.last, within.count >= 2 else { continue }
            sum += last.total - first.total
            seen = true
        }
        return seen ? rounded(sum) : nil
    }

    /// To the meter's resolution (a litre, a watt-hour): interpolation leaves float dust.
    public static func rounded(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
}
