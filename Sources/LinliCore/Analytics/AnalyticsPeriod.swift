import Foundation

/// The days a figure covers, China dates, both ends included: at least one day, at most three years.
public struct AnalyticsPeriod: Sendable, Equatable {
    public static let maxDays = 1096

    public let from: CivilDate
    public let to: CivilDate

    /// Why a period is refused (the field and the reason code of a 422).
    public enum Refusal: Error, Equatable, Sendable {
        case invalidDate(field: String)
        case reversed
        case tooLong
    }

    public init(from: CivilDate, to: CivilDate) throws(Refusal) {
        guard from <= to else { throw .reversed }
        let length = Self.dayNumber(to) - Self.dayNumber(from) + 1
        guard length <= Self.maxDays else { throw .tooLong }
        self.from = from
        self.to = to
    }

    /// From `YYYY-MM-DD` texts; a missing `to` is `today`, a missing `from` 29 days before it.
    public static func parse(from: String?, to: String?, today: CivilDate) throws(Refusal) -> AnalyticsPeriod {
        let end: CivilDate
        if let to {
            guard let parsed = CivilDate(to) else { throw .invalidDate(field: "to") }
            end = parsed
        } else {
            end = today
        }
        let start: CivilDate
        if let from {
            guard let parsed = CivilDate(from) else { throw .invalidDate(field: "from") }
            start = parsed
        } else {
            start = day(dayNumber(end) - 29)
        }
        return try AnalyticsPeriod(from: start, to: end)
    }

    public var days: Int { Self.dayNumber(to) - Self.dayNumber(from) + 1 }

    /// The period of the same length just before this one.
    public var previous: AnalyticsPeriod {
        let start = Self.dayNumber(from) - days
        // Same length as a valid period: cannot be refused.
        return (try? AnalyticsPeriod(from: Self.day(start), to: Self.day(Self.dayNumber(from) - 1))) ?? self
    }

    /// Each day of the period, in order.
    public var each: [CivilDate] { (Self.dayNumber(from)...Self.dayNumber(to)).map(Self.day) }

    public func contains(_ date: CivilDate) -> Bool { from <= date && date <= to }

    public static func dayNumber(_ date: CivilDate) -> Int { CivilDays.days(year: date.year, month: date.month, day: date.day) }

    public static func day(_ number: Int) -> CivilDate {
        let (y, m, d) = CivilDays.civil(fromDays: number)
        return CivilDate(year: y, month: m, day: d)!
    }
}
