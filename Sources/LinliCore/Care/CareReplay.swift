import Foundation

/// Replays simulated days of elderly people living alone against ``WelfareWatch``, with gaps injected
/// where the answer is known, and counts how the watch did: gaps found in time (within the window plus
/// 30 minutes of the gap's start, quiet hours not counted), false checks, and checks held back because
/// the person was out by the gate. The simulated routine: up between 06:00 and 08:00, a sign of life
/// (door, motion, water) every 5–90 minutes by day, now and then one at night, to bed between 21:00
/// and 23:00, on some days out for a few hours and on some nights away (the gate sees them go and come
/// back).
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
        var rng = SeededRandom(seed: seed)
        for _ in 0..<households {
            var events: [Date] = []
            var outings: [(Date, Date)] = []
            var gaps: [Date] = []
            // Some nights away (at the children's): out by the gate late in the morning, back the next day.
            for day in 0..<days where rng.next(12) == 0 {
                let leave = (calendar.date(byAdding: .day, value: day, to: start) ?? start)
                    .addingTimeInterval(TimeInterval((600 + rng.next(240)) * 60))
                outings.append((leave, leave.addingTimeInterval(TimeInterval((18 + rng.next(12)) * 3600))))
            }
            func away(_ date: Date) -> Bool { outings.contains { $0.0 <= date && date < $0.1 } }
            for day in 0..<days {
                let midnight = calendar.date(byAdding: .day, value: day, to: start) ?? start
                func at(_ minute: Int) -> Date { midnight.addingTimeInterval(TimeInterval(minute * 60)) }
                let wake = 360 + rng.next(120)
                let sleep = 1260 + rng.next(120)
                // A gap starts some time after waking, on about one day in `gapEvery`; the person is silent
                // from then until the end of the replay of this household.
                // A few hours out on some days (the market, the clinic).
                if rng.next(5) == 0 {
                    let out = at(540 + rng.next(300))
                    outings.append((out, out.addingTimeInterval(TimeInterval((60 + rng.next(240)) * 60))))
                }
                // At home when it happens (out, the gate would see them come back).
                let gap = rng.next(gapEvery) == 0 ? Optional(wake + rng.next(max(1, sleep - wake))).flatMap {
                    away(at($0)) ? nil : $0
                } : nil
                var minute = wake
                while minute < sleep {
                    if let gap, minute >= gap { break }
                    if !away(at(minute)) { events.append(at(minute)) }
                    minute += 5 + rng.next(85)
                }
                if let gap {
                    gaps.append(at(gap))
                    outings.removeAll { $0.1 > at(gap) }
                    break
                }
                if rng.chance(0.5), !away(at(120)) { events.append(at(120 + rng.next(180))) }  // up at night
            }
            // Passing the gate, out and back, is a sign of life too.
            for (out, back) in outings { events += [out, back] }
            replay(
                events: events.sorted(), outings: gateSeen ? outings : [], gap: gaps.first, rule: rule, start: start,
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
