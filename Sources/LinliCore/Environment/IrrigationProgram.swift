import Foundation

/// A zone's watering program, in OpenSprinkler's model: which days (weekdays, or every N days from an
/// offset), optionally only odd or even days of the month, several start times, a duration scaled by the
/// weather, split into cycles with soak pauses between them, never in the quiet hours, never longer in
/// one day than the valve's safety maximum.
public struct IrrigationProgram: Codable, Sendable, Equatable {
    public enum Days: Codable, Sendable, Equatable {
        /// ISO weekdays, 1 = Monday … 7 = Sunday.
        case weekly(Set<Int>)
        /// Every `every` days, on the days whose number since 1970-01-01 leaves `offset` when divided.
        case interval(every: Int, offset: Int)
    }

    public enum Restriction: String, Codable, Sendable, Equatable {
        case none
        /// Odd days of the month, but never the 31st or 29 February (two odd days in a row otherwise).
        case odd
        case even
    }

    public struct Problem: Error, Equatable, Sendable {
        public let field: String
        public let reason: String
    }

    public var days: Days
    public var restriction: Restriction
    /// Minutes after midnight, China time.
    public var starts: [Int]
    /// Minutes of watering per start at scale 100.
    public var minutes: Int
    /// Longest single cycle (nil: one cycle); between cycles the soil soaks for `soakMinutes`.
    public var cycleMinutes: Int?
    public var soakMinutes: Int
    /// No watering from `start` to `end` minutes of the day (may wrap past midnight); a cycle that would
    /// fall in them waits for their end.
    public var quietStart: Int?
    public var quietEnd: Int?

    public init(
        days: Days, restriction: Restriction = .none, starts: [Int], minutes: Int, cycleMinutes: Int? = nil,
        soakMinutes: Int = 0, quietStart: Int? = nil, quietEnd: Int? = nil
    ) {
        self.days = days
        self.restriction = restriction
        self.starts = starts
        self.minutes = minutes
        self.cycleMinutes = cycleMinutes
        self.soakMinutes = soakMinutes
        self.quietStart = quietStart
        self.quietEnd = quietEnd
    }

    /// At most this many start times a program (OpenSprinkler: 4; WaterSense asks for 3).
    public static let maxStarts = 6

    /// The first problem with the program, against the valve's safety maximum (minutes a day).
    public func check(maxRunMinutes: Int) throws(Problem) {
        switch days {
        case .weekly(let set):
            if set.isEmpty { throw Problem(field: "days", reason: "no_days") }
            if !set.allSatisfy((1...7).contains) { throw Problem(field: "days", reason: "invalid_value") }
        case .interval(let every, let offset):
            if !(1...30).contains(every) { throw Problem(field: "everyDays", reason: "out_of_range") }
            if !(0..<every).contains(offset) { throw Problem(field: "offset", reason: "out_of_range") }
        }
        if starts.isEmpty { throw Problem(field: "starts", reason: "no_start_times") }
        if starts.count > Self.maxStarts { throw Problem(field: "starts", reason: "too_many") }
        if !starts.allSatisfy((0..<1440).contains) || Set(starts).count != starts.count {
            throw Problem(field: "starts", reason: "invalid_value")
        }
        if minutes <= 0 || minutes > 240 { throw Problem(field: "minutes", reason: "out_of_range") }
        // At the highest scale (200 %) every start's water must still fit under the safety maximum.
        if minutes * 2 * starts.count > maxRunMinutes { throw Problem(field: "minutes", reason: "over_max_run") }
        if let cycle = cycleMinutes, cycle <= 0 || cycle > 240 { throw Problem(field: "cycleMinutes", reason: "out_of_range") }
        if !(0...240).contains(soakMinutes) { throw Problem(field: "soakMinutes", reason: "out_of_range") }
        if (quietStart == nil) != (quietEnd == nil) { throw Problem(field: "quietHours", reason: "invalid_value") }
        if let a = quietStart, let b = quietEnd, !(0..<1440).contains(a) || !(0..<1440).contains(b) || a == b {
            throw Problem(field: "quietHours", reason: "invalid_value")
        }
    }

    /// Whether the program waters on `date`'s day.
    public func runs(on date: Date, calendar: Calendar) -> Bool {
        let parts = calendar.dateComponents([.year, .month, .day, .weekday], from: date)
        let day = parts.day ?? 1
        switch restriction {
        case .none: break
        case .odd: if day % 2 == 0 || day == 31 || (parts.month == 2 && day == 29) { return false }
        case .even: if day % 2 == 1 { return false }
        }
        switch days {
        case .weekly(let set):
            // Calendar weekday: 1 = Sunday … 7 = Saturday.
            let iso = ((parts.weekday ?? 1) + 5) % 7 + 1
            return set.contains(iso)
        case .interval(let every, let offset):
            let number = Self.dayNumber(date, calendar)
            return ((number % every) + every) % every == offset
        }
    }

    /// Days since 1970-01-01 of the date's day in the calendar's time zone.
    public static func dayNumber(_ date: Date, _ calendar: Calendar) -> Int {
        let offset = TimeInterval(calendar.timeZone.secondsFromGMT(for: date))
        return Int(((date.timeIntervalSince1970 + offset) / 86_400).rounded(.down))
    }

    /// One stretch of the valve open.
    public struct Cycle: Sendable, Equatable {
        /// Seconds after the day's midnight.
        public var start: Int
        public var seconds: Int
    }

    /// The day's cycles at `scale` %: each start's duration scaled, split into cycles of at most
    /// `cycleMinutes` with `soakMinutes` between, moved past the quiet hours, cut at `maxRunMinutes` for
    /// the day. Empty at scale 0. Cycles of one start that would run into the next start begin after it.
    public func cycles(scale: Int, maxRunMinutes: Int) -> [Cycle] {
        let perStart = minutes * 60 * max(0, min(200, scale)) / 100
        guard perStart > 0 else { return [] }
        var left = maxRunMinutes * 60
        var out: [Cycle] = []
        var free = 0  // the first second the valve is free again
        for start in starts.sorted() {
            var remaining = perStart
            var at = max(start * 60, free)
            let piece = cycleMinutes.map { $0 * 60 } ?? perStart
            while remaining > 0 && left > 0 {
                at = afterQuiet(at)
                guard at < 86_400 else { break }
                let seconds = min(piece, remaining, left, quietBegins(after: at) - at, 86_400 - at)
                guard seconds > 0 else { break }
                out.append(Cycle(start: at, seconds: seconds))
                remaining -= seconds
                left -= seconds
                at += seconds + (remaining > 0 ? soakMinutes * 60 : 0)
            }
            free = at
        }
        return out
    }

    private func inQuiet(_ second: Int) -> Bool {
        guard let a = quietStart.map({ $0 * 60 }), let b = quietEnd.map({ $0 * 60 }) else { return false }
        return a < b ? (a..<b).contains(second) : second >= a || second < b
    }

    private func afterQuiet(_ second: Int) -> Int {
        guard inQuiet(second), let b = quietEnd.map({ $0 * 60 }), let a = quietStart.map({ $0 * 60 }) else {
            return second
        }
        // Quiet until its end today; a quiet span that wraps past midnight ends tomorrow: nothing today.
        return a < b || second < b ? b : 86_400
    }

    private func quietBegins(after second: Int) -> Int {
        guard let a = quietStart.map({ $0 * 60 }) else { return 86_400 }
        return a > second ? a : 86_400
    }
}
