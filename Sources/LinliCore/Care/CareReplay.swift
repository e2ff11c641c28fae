import Foundation

/// Replays simulated days of elderly people living alone against ``WelfareWatch``, with gaps injected
/// where the answer is known, and counts how the watch did: gaps found in time (within the window plus
/// 30 minutes of the gap's start, quiet hours not counted), false checks, and checks held back because
/// the person was out by the gate. Each household lives its own ``HomeRoutine`` (the one the
/// simulator's home devices report), the gate seeing them go and come back.
public enum CareReplay {
    public struct Result: Equatable, Sendable {
        public var households = 0
        public var days = 0
        public var injectedGaps = 0
        public var foundInTime = 0
        public var foundLate = 0
        public var missed = 0
        public var falseChecks = 0
        public var suppressedOutings = 0

        /// Gaps found in time over those injected (0–1).
        public var detectionRate: Double { injectedGaps == 0 ? 1 : Double(foundInTime) / Double(injectedGaps) }
        /// False checks per household per 30 days.
        public var falseChecksPerHouseholdMonth: Double {
            households == 0 || days == 0 ? 0 : Double(falseChecks) / Double(households) * 30 / Double(days)
        }
    }

    /// `gapEvery`: one day in this many (on average) the person goes silent from a time of the day on,
    /// until the check that finds them (a fall, an illness). `gateSeen: false` replays the same days as if
    /// the gate did not report outings (nothing suppresses a check).
    public static func run(
        households: Int, days: Int, seed: UInt64, rule: WelfareWatch.Rule, gapEvery: Int = 10,
        gateSeen: Bool = true, start: Date, calendar: Calendar
    ) -> Result {
        var result = Result(households: households, days: days)
        for household in 0..<households {
            let routine = HomeRoutine(seed: seed &+ UInt64(household) &* 7919, gapEvery: gapEvery)
            var events: [Date] = []
            var outings: [(Date, Date)] = []
            var gap: Date?
            for index in 0..<days {
                let midnight = calendar.date(byAdding: .day, value: index, to: start) ?? start
                func at(_ minute: Int) -> Date { midnight.addingTimeInterval(TimeInterval(minute * 60)) }
                let day = routine.day(index)
                events += day.signs.map(at)
                outings += day.outings.map { (at($0.lowerBound), at($0.upperBound)) }
                // Silent from the gap on until the end of this household's replay.
                if let minute = day.gap {
                    gap = at(minute)
                    break
                }
            }
            // Passing the gate, out and back, is a sign of life too.
            for (out, back) in outings { events += [out, back] }
            if let gap { events.removeAll { $0 > gap } }
            replay(
                events: events.sorted(), outings: gateSeen ? outings : [], gap: gap, rule: rule, start: start,
                days: days, calendar: calendar, into: &result)
        }
        return result
    }

    /// Walks the household's time as the watch's job would: it looks again when the verdict says
    /// (`fine(until:)`), at the next sign of life, at an outing's start or end, or 5 minutes on while a
    /// check is open; a check closes at the next sign of life.
    static func replay(
        events: [Date], outings: [(Date, Date)], gap: Date?, rule: WelfareWatch.Rule, start: Date, days: Int,
        calendar: Calendar, into result: inout Result
    ) {
        let end = gap.map { $0.addingTimeInterval(3 * 24 * 3600) }
            ?? start.addingTimeInterval(TimeInterval(days * 24 * 3600))
        if gap != nil { result.injectedGaps += 1 }
        var next = 0
        var last: Date?
        var open = false
        var suppressedNow = false
        var now = start
        while now < end {
            while next < events.count, events[next] <= now {
                last = events[next]
                next += 1
                open = false
                suppressedNow = false
            }
            let out = outings.contains { $0.0 <= now && now < $0.1 }
            let situation = WelfareWatch.Situation(
                lastSignOfLife: last, watchedSince: start, suppression: out ? .outByGate : nil)
            var look = now.addingTimeInterval(300)
            switch WelfareWatch.verdict(rule, situation, now: now, calendar: calendar) {
            case .fine(let until): look = until
            case .check where !open:
                open = true
                if let gap, now >= gap {
                    let limit = WelfareWatch.silenceEnds(
                        from: gap, minutes: rule.windowMinutes + 30, quiet: rule.quietHours, calendar)
                    if now <= limit { result.foundInTime += 1 } else { result.foundLate += 1 }
                    return
                }
                result.falseChecks += 1
            case .suppressed where !suppressedNow:
                suppressedNow = true
                result.suppressedOutings += 1
            default: break
            }
            var candidates = [look]
            if next < events.count { candidates.append(events[next]) }
            for (from, to) in outings { candidates += [from, to].filter { $0 > now } }
            now = max(now.addingTimeInterval(60), candidates.min() ?? look)
        }
        if gap != nil { result.missed += 1 }
    }
}
