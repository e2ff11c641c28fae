import Foundation

/// When a bin will be full, and when its collection must be asked for: the fill rate per hour of the
/// week learnt from the bin's fill history (emptyings cut out), the bin run forward from its current
/// fill until 90 %, and the task set early enough that a collector can do it within working hours before
/// then. With under three days of history the bin is asked for at a fixed threshold (80 %).
public enum BinForecast {
    public static let full = 90.0
    public static let fixedThreshold = 80.0
    /// A drop of this many points between readings is an emptying.
    public static let emptyingDrop = 20.0
    public static let minimumHistory: TimeInterval = 3 * 86_400
    /// How far ahead the forecast looks.
    public static let horizon: TimeInterval = 14 * 86_400

    /// The collectors' hours: minutes of the day, the same every day.
    public struct WorkingHours: Sendable, Equatable, Codable {
        public var start: Int
        public var end: Int
        public init(start: Int = 7 * 60, end: Int = 19 * 60) {
            self.start = start
            self.end = end
        }
        public var isValid: Bool { (0..<1440).contains(start) && (1...1440).contains(end) && start < end }
    }

    public struct Reading: Sendable, Equatable {
        public var at: Date
        public var fill: Double
        public init(at: Date, fill: Double) {
            self.at = at
            self.fill = fill
        }
    }

    public struct Forecast: Sendable, Equatable {
        /// Fill points per hour by hour of the week (0 = Monday 00:00); an hour never seen takes that hour
        /// of the day on other days, else the mean.
        public var rates: [Double]
        public var enoughHistory: Bool
        public var lastEmptied: Date?
        /// When the bin reaches 90 %, if within the horizon.
        public var fullAt: Date?
        /// When to ask for the collection: the start of the last working hour that ends before `fullAt`
        /// less `lead` (now when that has passed); with too little history, nil (use the threshold).
        public var askBy: Date?
    }

    /// Hour of the week (0 = Monday 00:00) in the calendar's time zone. Arithmetic on the zone's offset at
    /// that instant rather than `dateComponents`: the forecast asks it some thousand times per bin.
    static func hourOfWeek(_ date: Date, _ calendar: Calendar) -> Int {
        let local = Int(
            ((date.timeIntervalSince1970 + Double(calendar.timeZone.secondsFromGMT(for: date))) / 3600).rounded(.down))
        // 1970-01-01 was a Thursday: 72 hours after a Monday's midnight.
        return ((local + 72) % 168 + 168) % 168
    }

    /// The end of the clock hour `date` is in (the calendar's time zone; zones are whole or half hours off).
    static func hourEnd(_ date: Date, _ calendar: Calendar) -> Date {
        let offset = Double(calendar.timeZone.secondsFromGMT(for: date))
        let local = date.timeIntervalSince1970 + offset
        return Date(timeIntervalSince1970: ((local / 3600).rounded(.down) + 1) * 3600 - offset)
    }

    public static func forecast(
        _ readings: [Reading], now: Date, hours: WorkingHours = WorkingHours(), lead: TimeInterval = 3600,
        calendar: Calendar
    ) -> Forecast {
        let sorted = readings.filter { $0.fill.isFinite && $0.at <= now }.sorted { $0.at < $1.at }
        var sums = [Double](repeating: 0, count: 168)
        var spans = [Double](repeating: 0, count: 168)
        var lastEmptied: Date?
        for (a, b) in zip(sorted, sorted.dropFirst()) {
            let hoursBetween = b.at.timeIntervalSince(a.at) / 3600
            guard hoursBetween > 0 else { continue }
            if a.fill - b.fill >= emptyingDrop {
                lastEmptied = b.at
                continue
            }
            // Over gaps of up to 6 h the rise is spread over the hours it covered.
            guard hoursBetween <= 6 else { continue }
            let rate = max(0, b.fill - a.fill) / hoursBetween
            var t = a.at
            while t < b.at {
                let next = min(b.at, hourEnd(t, calendar))
                let h = hourOfWeek(t, calendar)
                let part = next.timeIntervalSince(t) / 3600
                sums[h] += rate * part
                spans[h] += part
                t = next
            }
        }
        let seen = spans.reduce(0, +)
        let mean = seen > 0 ? sums.reduce(0, +) / seen : 0
        // An hour of the week not seen yet takes that hour of the day on the days seen, else the mean.
        let daySums = (0..<24).map { h in stride(from: h, to: 168, by: 24).map { sums[$0] }.reduce(0, +) }
        let daySpans = (0..<24).map { h in stride(from: h, to: 168, by: 24).map { spans[$0] }.reduce(0, +) }
        let rates = (0..<168).map { i in
            spans[i] > 0.25 ? sums[i] / spans[i] : daySpans[i % 24] > 0.25 ? daySums[i % 24] / daySpans[i % 24] : mean
        }
        let enough = (sorted.last?.at.timeIntervalSince(sorted.first?.at ?? now) ?? 0) >= minimumHistory && mean > 0
        guard let current = sorted.last, enough else {
            return Forecast(rates: rates, enoughHistory: false, lastEmptied: lastEmptied, fullAt: nil, askBy: nil)
        }
        // Run the bin forward hour by hour.
        var fill = current.fill
        var t = now
        var fullAt: Date?
        if fill >= full { fullAt = now }
        while fullAt == nil && t.timeIntervalSince(now) < horizon {
            let next = min(hourEnd(t, calendar), now + horizon)
            let rate = rates[hourOfWeek(t, calendar)]
            let gain = rate * next.timeIntervalSince(t) / 3600
            if fill + gain >= full, rate > 0 {
                fullAt = t.addingTimeInterval((full - fill) / rate * 3600)
            }
            fill += gain
            t = next
        }
        return Forecast(
            rates: rates, enoughHistory: true, lastEmptied: lastEmptied, fullAt: fullAt,
            askBy: fullAt.map { askBy(before: $0, now: now, hours: hours, lead: lead, calendar: calendar) })
    }

    /// The latest moment a task may be created so that `lead` of working time fits before `deadline`;
    /// now if that has passed.
    static func askBy(before deadline: Date, now: Date, hours: WorkingHours, lead: TimeInterval, calendar: Calendar)
        -> Date
    {
        var day = calendar.startOfDay(for: deadline)
        for _ in 0..<15 {
            let open = day.addingTimeInterval(TimeInterval(hours.start * 60))
            let close = min(deadline, day.addingTimeInterval(TimeInterval(hours.end * 60)))
            if close.timeIntervalSince(open) >= lead {
                let latest = close.addingTimeInterval(-lead)
                return max(now, latest)
            }
            guard let previous = calendar.date(byAdding: .day, value: -1, to: day), previous > now - 86_400 else {
                break
            }
            day = previous
        }
        return now
    }

    /// Whether to ask for a collection now: by the forecast (or once full), or — with too little
    /// history — at the fixed threshold, and in the working day's last chance to ask (the hour before
    /// `lead` of working time is left) already from `eveningMargin` points below it: nobody collects
    /// overnight, and an evening's rush can fill a bin before the morning.
    public static func due(
        _ forecast: Forecast, fill: Double, now: Date, hours: WorkingHours = WorkingHours(), lead: TimeInterval = 3600,
        threshold: Double = fixedThreshold, calendar: Calendar
    ) -> Bool {
        guard forecast.enoughHistory else {
            if fill >= threshold { return true }
            let parts = calendar.dateComponents([.hour, .minute], from: now)
            let second = ((parts.hour ?? 0) * 60 + (parts.minute ?? 0)) * 60
            let lastChance = hours.end * 60 - Int(lead)
            return fill >= threshold - eveningMargin && second >= lastChance - 3600 && second < lastChance
        }
        return fill >= full || forecast.askBy.map { now >= $0 } ?? false
    }

    /// How far below the threshold the day's last chance asks.
    public static let eveningMargin = 25.0
}
