import Foundation

/// A household's arming schedule: "arm night at 22:30, disarm at 06:30 on weekdays". Pure: which entry
/// is due between two moments (China time), so the server's job applies the latest one it missed — and a
/// server that was down applies only the entry that holds now, not every one it slept through.
public struct ArmingSchedule: Codable, Equatable, Sendable {
    public struct Entry: Codable, Equatable, Sendable {
        /// `armed_home`, `armed_away`, `armed_night`, `armed_vacation`, or `disarmed`.
        public let action: String
        /// Minutes after China midnight.
        public let minute: Int
        /// ISO weekdays (1 Monday … 7 Sunday); empty: every day.
        public let days: [Int]

        public init(action: String, minute: Int, days: [Int] = []) {
            self.action = action
            self.minute = minute
            self.days = days
        }

        public var mode: AlarmPanel.Mode? { AlarmPanel.Mode(rawValue: action) }
    }

    public var entries: [Entry]

    public init(_ entries: [Entry] = []) { self.entries = entries }

    /// The fields at fault (`action`, `minute`, `days`, `entries`: at most 8).
    public var problems: [String] {
        var out: [String] = []
        if entries.count > 8 { out.append("entries") }
        if entries.contains(where: { $0.mode == nil && $0.action != "disarmed" }) { out.append("action") }
        if entries.contains(where: { !(0..<(24 * 60)).contains($0.minute) }) { out.append("minute") }
        if entries.contains(where: { $0.days.count > 7 || $0.days.contains { !(1...7).contains($0) } }) {
            out.append("days")
        }
        return out
    }

    /// The latest entry whose time falls in `(after, upTo]`, with that time; nil when none does. Looks
    /// back at most 8 days.
    public func due(after: Date, upTo: Date, calendar: Calendar) -> (entry: Entry, at: Date)? {
        guard upTo > after, !entries.isEmpty else { return nil }
        var best: (Entry, Date)?
        let from = max(after, upTo.addingTimeInterval(-8 * 86_400))
        var day = calendar.startOfDay(for: from)
        while day <= upTo {
            let weekday = (calendar.component(.weekday, from: day) + 5) % 7 + 1  // Sunday 1 → 7, Monday 2 → 1
            for entry in entries where entry.days.isEmpty || entry.days.contains(weekday) {
                let at = day.addingTimeInterval(TimeInterval(entry.minute * 60))
                if at > after, at <= upTo, at >= (best?.1 ?? .distantPast) { best = (entry, at) }
            }
            guard let next = calendar.date(byAdding: .day, value: 1, to: day) else { break }
            day = next
        }
        return best.map { (entry: $0.0, at: $0.1) }
    }

    /// When the next entry after `now` is due (for the page).
    public func next(after now: Date, calendar: Calendar) -> (entry: Entry, at: Date)? {
        var best: (Entry, Date)?
        var day = calendar.startOfDay(for: now)
        for _ in 0..<8 {
            let weekday = (calendar.component(.weekday, from: day) + 5) % 7 + 1
            for entry in entries where entry.days.isEmpty || entry.days.contains(weekday) {
                let at = day.addingTimeInterval(TimeInterval(entry.minute * 60))
                if at > now, at < (best?.1 ?? .distantFuture) { best = (entry, at) }
            }
            if best != nil { break }
            guard let next = calendar.date(byAdding: .day, value: 1, to: day) else { break }
            day = next
        }
        return best.map { (entry: $0.0, at: $0.1) }
    }
}
