import Foundation

/// The elderly-care watch (智慧养老) as pure rules: when a watched person's silence becomes a check, and
/// the ladder a check climbs. The server gathers the signs of life (door, motion, water, electricity,
/// lock, gate, TV, sign-in, the daily 我很好) and asks `verdict`; a `.fine(until:)` or a ladder step's
/// `due` is when a durable job looks again, so nothing rests on the server staying up.
public enum WelfareWatch {
    /// Night hours that do not count towards the silence (a sleeping person makes no sign of life),
    /// as minutes after China midnight; `start > end` runs over midnight (22:00–07:00).
    public struct QuietHours: Codable, Equatable, Sendable {
        public let start: Int
        public let end: Int

        public init(start: Int, end: Int) {
            self.start = start
            self.end = end
        }

        func contains(minute: Int) -> Bool {
            start <= end ? (start..<end).contains(minute) : minute >= start || minute < end
        }
    }

    /// One person's rule.
    public struct Rule: Codable, Equatable, Sendable {
        /// Minutes of silence (outside quiet hours) that open a check: 12 h by default, 1 for testing.
        public var windowMinutes: Int
        /// A daily check-in due by this many minutes after China midnight (600: 10:00), if any.
        public var checkInBy: Int?
        public var quietHours: QuietHours?

        public init(windowMinutes: Int = 720, checkInBy: Int? = nil, quietHours: QuietHours? = nil) {
            self.windowMinutes = windowMinutes
            self.checkInBy = checkInBy
            self.quietHours = quietHours
        }

        /// The fields out of range, by name.
        public var problems: [String] {
            var out: [String] = []
            if !(1...(7 * 24 * 60)).contains(windowMinutes) { out.append("windowMinutes") }
            if let by = checkInBy, !(0..<(24 * 60)).contains(by) { out.append("checkInBy") }
            if let quiet = quietHours {
                let day = 0..<(24 * 60)
                if !day.contains(quiet.start) || !day.contains(quiet.end) || quiet.start == quiet.end {
                    out.append("quietHours")
                } else if (quiet.end - quiet.start + 24 * 60) % (24 * 60) > 20 * 60 {
                    out.append("quietHours")  // at most 20 quiet hours a day
                }
            }
            return out
        }
    }

    public enum Reason: String, Codable, Sendable, CaseIterable {
        case noSignOfLife = "no_sign_of_life"
        case missedCheckIn = "missed_check_in"
    }

    /// Why no check opens although one would: the home is armed away, or the person went out by the gate.
    public enum Suppression: String, Codable, Sendable {
        case armedAway = "armed_away"
        case outByGate = "out_by_gate"
    }

    /// What the server knows of the person now.
    public struct Situation: Sendable {
        public var lastSignOfLife: Date?
        public var lastCheckIn: Date?
        /// When the watch began (the silence counts from here when nothing was ever seen).
        public var watchedSince: Date
        public var suppression: Suppression?

        public init(lastSignOfLife: Date?, lastCheckIn: Date? = nil, watchedSince: Date, suppression: Suppression? = nil) {
            self.lastSignOfLife = lastSignOfLife
            self.lastCheckIn = lastCheckIn
            self.watchedSince = watchedSince
            self.suppression = suppression
        }
    }

    public enum Verdict: Equatable, Sendable {
        /// Nothing to do; look again at `until`.
        case fine(until: Date)
        /// A check would open, but for this reason none does.
        case suppressed(Suppression, Reason)
        /// Open a check: the reason, and since when it is true.
        case check(Reason, since: Date)
    }

    /// The verdict for a person at `now`.
    public static func verdict(_ rule: Rule, _ situation: Situation, now: Date, calendar: Calendar) -> Verdict {
        // A check-in is a sign of life too.
        let from = [situation.lastSignOfLife, situation.lastCheckIn, situation.watchedSince].compactMap { $0 }.max()
            ?? situation.watchedSince
        let silentUntil = silenceEnds(from: from, minutes: rule.windowMinutes, quiet: rule.quietHours, calendar)
        var due: (Reason, Date)? = silentUntil <= now ? (.noSignOfLife, silentUntil) : nil
        var next = silentUntil
        if let by = rule.checkInBy {
            let today = calendar.startOfDay(for: now)
            let deadline = today.addingTimeInterval(TimeInterval(by * 60))
            let checkedToday = (situation.lastCheckIn ?? .distantPast) >= today
            if now >= deadline && !checkedToday && deadline >= situation.watchedSince {
                if due.map({ deadline < $0.1 }) ?? true { due = (.missedCheckIn, deadline) }
            } else {
                let coming = now < deadline ? deadline : calendar.date(byAdding: .day, value: 1, to: deadline) ?? deadline
                next = min(next, coming)
            }
        }
        guard let (reason, since) = due else { return .fine(until: next) }
        if let suppression = situation.suppression { return .suppressed(suppression, reason) }
        return .check(reason, since: since)
    }

    /// The moment `minutes` of counted silence have passed since `from`, quiet hours not counted.
    static func silenceEnds(from: Date, minutes: Int, quiet: QuietHours?, _ calendar: Calendar) -> Date {
        guard let quiet else { return from.addingTimeInterval(TimeInterval(minutes * 60)) }
        // China keeps one offset all year, so the minute of the day moves on by one each minute.
        let parts = calendar.dateComponents([.hour, .minute], from: from)
        var minuteOfDay = (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
        var left = minutes
        var steps = 0
        while left > 0 {
            if !quiet.contains(minute: minuteOfDay) { left -= 1 }
            minuteOfDay = (minuteOfDay + 1) % (24 * 60)
            steps += 1
        }
        return from.addingTimeInterval(TimeInterval(steps * 60))
    }

    /// The steps a check climbs, each a durable job at its due time (上海静安's ladder).
    public enum Step: String, Codable, Sendable, CaseIterable {
        /// The person is reminded on the TV and the app.
        case reminder
        /// The family contacts are told (2 minutes on).
        case family
        /// Nobody answered within 15 minutes: a welfare-check task for the community worker.
        case worker
        /// The worker recorded the visit: the check is done.
        case visited
        /// The person or family acknowledged: the check is done.
        case acknowledged
    }

    public static let familyAfter: TimeInterval = 2 * 60
    public static let workerAfter: TimeInterval = 15 * 60

    /// The step after `step` for a check opened at `openedAt`, and when it is due; nil once it is done
    /// or waits for the worker's visit.
    public static func next(after step: Step, openedAt: Date) -> (step: Step, due: Date)? {
        switch step {
        case .reminder: (.family, openedAt.addingTimeInterval(familyAfter))
        case .family: (.worker, openedAt.addingTimeInterval(workerAfter))
        case .worker, .visited, .acknowledged: nil
        }
    }
}
