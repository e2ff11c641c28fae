import Foundation

extension CivilDate {
    /// Days since 1970-01-01 (negative before), by the proleptic Gregorian calendar.
    public var dayNumber: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The date `dayNumber` days after 1970-01-01 (nil outside the years a `CivilDate` holds).
    public init?(dayNumber: Int) {
        let z = dayNumber + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.init(year: yoe + era * 400 + (m <= 2 ? 1 : 0), month: m, day: d)
    }

    public func adding(days: Int) -> CivilDate? {
        guard (-1_000_000...1_000_000).contains(days) else { return nil }
        return CivilDate(dayNumber: dayNumber + days)
    }

    /// The same day `months` later, or the month's last day when it has no such day (01-31 + 1 → 02-28).
    public func adding(months: Int) -> CivilDate? {
        guard (-12_000...12_000).contains(months) else { return nil }
        let index = year * 12 + (month - 1) + months
        let (y, m) = (index >= 0 ? index / 12 : (index - 11) / 12, ((index % 12) + 12) % 12 + 1)
        guard (1...12).contains(m), (1900...2999).contains(y) else { return nil }
        return CivilDate(year: y, month: m, day: min(day, Self.days(inMonth: m, year: y)))
    }

    /// 1 Monday … 7 Sunday.
    public var weekday: Int {
        let w = (dayNumber + 3) % 7  // 1970-01-01 was a Thursday
        return (w < 0 ? w + 7 : w) + 1
    }
}

/// The State Council's working days: Monday to Friday, except the public holidays, plus the weekend days
/// worked in their place (调休). The table is data: the built-in years, and lines an operator adds when
/// the year's notice is published (`2026-10-01..2026-10-07 off`, `2026-10-10 worked`).
public struct WorkingCalendar: Sendable, Equatable {
    public private(set) var off: Set<CivilDate>
    public private(set) var worked: Set<CivilDate>

    public init(off: Set<CivilDate> = [], worked: Set<CivilDate> = []) {
        self.off = off
        self.worked = worked
    }

    /// A line of the table that could not be read, with its number (1 is the first).
    public struct LineError: Error, Equatable, Sendable {
        public let line: Int
        public let text: String
    }

    /// Reads lines `DATE off`, `DATE..DATE off`, `DATE worked`; blank lines and `#` comments are skipped.
    /// At most 400 lines, a range at most 31 days.
    public static func parse(_ text: String) throws -> WorkingCalendar {
        var calendar = WorkingCalendar()
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).prefix(401).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            if words.isEmpty { continue }
            guard index < 400, words.count == 2, let kind = ["off", "worked"].first(where: { $0 == words[1] }) else {
                throw LineError(line: index + 1, text: String(raw))
            }
            let ends = words[0].components(separatedBy: "..")
            guard (1...2).contains(ends.count), let first = CivilDate(ends[0]), let last = CivilDate(ends.last ?? ""),
                first <= last, last.dayNumber - first.dayNumber <= 30
            else { throw LineError(line: index + 1, text: String(raw)) }
            for n in first.dayNumber...last.dayNumber {
                guard let day = CivilDate(dayNumber: n) else { continue }
                if kind == "off" { calendar.off.insert(day) } else { calendar.worked.insert(day) }
            }
        }
        return calendar
    }

    /// This table with another's lines added (the other wins where both name a day).
    public func merging(_ other: WorkingCalendar) -> WorkingCalendar {
        WorkingCalendar(off: off.subtracting(other.worked).union(other.off), worked: worked.subtracting(other.off).union(other.worked))
    }

    public func isWorkingDay(_ day: CivilDate) -> Bool {
        if worked.contains(day) { return true }
        if off.contains(day) { return false }
        return day.weekday <= 5
    }

    /// The `n`th working day after `start`, the start itself not counted (a period counted in days begins
    /// the next day, 民法典 art. 201); a period whose end would fall on a day off ends on the next working
    /// day (art. 203) — which counting working days gives by itself.
    public func day(_ n: Int, workingDaysAfter start: CivilDate) -> CivilDate {
        var day = start
        var left = max(0, n)
        while left > 0, let next = day.adding(days: 1) {
            day = next
            if isWorkingDay(day) { left -= 1 }
        }
        return day
    }

    /// Working days left until `due`: those after `today` up to and including `due` (0 on the due day),
    /// and once it has passed, minus the working days since.
    public func workingDaysLeft(today: CivilDate, due: CivilDate) -> Int {
        if today <= due { return count(after: today, through: due) }
        return -count(after: due, through: today)
    }

    func count(after start: CivilDate, through end: CivilDate) -> Int {
        guard start < end else { return 0 }
        return ((start.dayNumber + 1)...end.dayNumber).reduce(0) { sum, n in
            sum + (CivilDate(dayNumber: n).map { isWorkingDay($0) ? 1 : 0 } ?? 0)
        }
    }

    /// 2026 as the State Council's notice set it.
    public static let china2026 = try! parse(
        """
        2026-01-01..2026-01-03 off   # 元旦
        2026-01-04 worked
        2026-02-15..2026-02-23 off   # 春节
        2026-02-14 worked
        2026-02-28 worked
        2026-04-04..2026-04-06 off   # 清明节
        2026-05-01..2026-05-05 off   # 劳动节
        2026-05-09 worked
        2026-06-19..2026-06-21 off   # 端午节
        2026-09-25..2026-09-27 off   # 中秋节
        2026-10-01..2026-10-07 off   # 国庆节
        2026-09-20 worked
        2026-10-10 worked
        """)
}
