import Foundation

/// Time slots of a bookable service and the rules of booking and cancelling: pure, one place.
public enum ServiceSlots {
    /// The starts of a day's slots: from `open` to `close` (minutes after midnight, China time) every
    /// `duration` minutes, each ending by `close`.
    public static func starts(open: Int, close: Int, duration: Int) -> [Int] {
        guard duration > 0, open < close else { return [] }
        return Array(stride(from: open, through: close - duration, by: duration))
    }

    /// Whether a slot starting at `minute` exists for the service.
    public static func isSlot(_ minute: Int, open: Int, close: Int, duration: Int) -> Bool {
        minute >= open && minute + duration <= close && (minute - open) % duration == 0
    }

    /// A booking may be cancelled (with a refund of an online payment) until this long before its start.
    public static let cancelBefore: TimeInterval = 2 * 3600

    public static func mayCancel(slotStart: Date, now: Date) -> Bool {
        slotStart.timeIntervalSince(now) >= cancelBefore
    }
}

/// Revenue of services by week or month (China time): paid bookings not refunded.
public enum ServiceRevenue {
    public struct Line: Sendable, Equatable {
        public let service: UUID
        public let period: String
        public let bookings: Int
        public let cents: Int
    }

    public struct Paid: Sendable {
        public let service: UUID
        public let at: Date
        public let cents: Int

        public init(service: UUID, at: Date, cents: Int) {
            self.service = service
            self.at = at
            self.cents = cents
        }
    }

    public enum Period: String, Sendable { case week, month }

    /// `2026-W48` or `2026-11`, China time (ISO weeks).
    public static func period(_ date: Date, _ period: Period) -> String {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai") ?? .current
        switch period {
        case .week:
            let c = calendar.dateComponents([.yearForWeekOfYear, .weekOfYear], from: date)
            return String(format: "%04d-W%02d", c.yearForWeekOfYear ?? 0, c.weekOfYear ?? 0)
        case .month:
            let c = calendar.dateComponents([.year, .month], from: date)
            return String(format: "%04d-%02d", c.year ?? 0, c.month ?? 0)
        }
    }

    public static func lines(_ paid: [Paid], by period: Period) -> [Line] {
        var sums: [String: (UUID, String, Int, Int)] = [:]
        for p in paid {
            let key = p.service.uuidString + "/" + Self.period(p.at, period)
            let old = sums[key] ?? (p.service, Self.period(p.at, period), 0, 0)
            sums[key] = (old.0, old.1, old.2 + 1, old.3 + p.cents)
        }
        return sums.values.map { Line(service: $0.0, period: $0.1, bookings: $0.2, cents: $0.3) }
            .sorted { ($0.period, $0.service.uuidString) > ($1.period, $1.service.uuidString) }
    }
}
