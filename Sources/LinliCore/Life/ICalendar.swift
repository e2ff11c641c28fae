import Foundation

/// An iCalendar (RFC 5545) feed: one VCALENDAR of VEVENTs, text escaped (§3.3.11), lines folded at 75
/// octets without splitting a character (§3.1), CRLF line ends, times in UTC.
public enum ICalendar {
    public struct Event: Sendable {
        public let uid: String
        public let title: String
        public let place: String
        public let details: String
        public let startsAt: Date
        public let endsAt: Date
        public let cancelled: Bool
        public let stamp: Date

        public init(
            uid: String, title: String, place: String, details: String, startsAt: Date, endsAt: Date, cancelled: Bool,
            stamp: Date
        ) {
            self.uid = uid
            self.title = title
            self.place = place
            self.details = details
            self.startsAt = startsAt
            self.endsAt = endsAt
            self.cancelled = cancelled
            self.stamp = stamp
        }
    }

    public static func render(name: String, _ events: [Event]) -> String {
        var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Linli//Community events//ZH", "CALSCALE:GREGORIAN",
                     "METHOD:PUBLISH", "X-WR-CALNAME:" + escape(name)]
        for e in events {
            lines += [
                "BEGIN:VEVENT", "UID:" + escape(e.uid), "DTSTAMP:" + time(e.stamp), "DTSTART:" + time(e.startsAt),
                "DTEND:" + time(e.endsAt), "SUMMARY:" + escape(e.title), "LOCATION:" + escape(e.place),
            ]
            if !e.details.isEmpty { lines.append("DESCRIPTION:" + escape(e.details)) }
            lines.append("STATUS:" + (e.cancelled ? "CANCELLED" : "CONFIRMED"))
            lines.append("END:VEVENT")
        }
        lines.append("END:VCALENDAR")
        return lines.map(fold).joined(separator: "\r\n") + "\r\n"
    }

    /// TEXT escaping: backslash, semicolon, comma, and line breaks as `\n`.
    public static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "\\": out += "\\\\"
            case ";": out += "\\;"
            case ",": out += "\\,"
            case "\n", "\r\n", "\r": out += "\\n"
            default:
                // Other control characters are not allowed in TEXT.
                if let a = c.asciiValue, a < 0x20 || a == 0x7F { continue }
                out.append(c)
            }
        }
        return out
    }

    /// Folds a content line: at most 75 octets per line, continuation lines start with a space.
    public static func fold(_ line: String) -> String {
        var out = ""
        var count = 0
        for c in line {
            let size = String(c).utf8.count
            if count + size > 75 {
                out += "\r\n "
                count = 1
            }
            out.append(c)
            count += size
        }
        return out
    }

    static func time(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return f.string(from: date)
    }
}
