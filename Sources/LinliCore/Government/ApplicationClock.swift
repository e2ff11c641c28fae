import Foundation

/// The statutory clocks of an application (办事), in working days on a ``WorkingCalendar``: the 低保
/// decision due 30 working days after acceptance (45 when extended with a recorded reason), a refusal
/// told in writing within 3 working days of the decision, publicity (公示) for 7 days; and how urgent an
/// application is on a worker's list.
public struct ApplicationClock: Sendable {
    public let calendar: WorkingCalendar
    public var decisionDays = 30
    public var extendedDecisionDays = 45
    public var refusalNoticeDays = 3
    public var publicityDays = 7
    /// At or below this many working days left, an application is marked on the list.
    public var soonDays = 3

    public init(calendar: WorkingCalendar) {
        self.calendar = calendar
    }

    public func decisionDue(acceptedOn: CivilDate, extended: Bool) -> CivilDate {
        calendar.day(extended ? extendedDecisionDays : decisionDays, workingDaysAfter: acceptedOn)
    }

    public func refusalNoticeDue(decidedOn: CivilDate) -> CivilDate {
        calendar.day(refusalNoticeDays, workingDaysAfter: decidedOn)
    }

    /// The last day of publicity that starts on `start` (natural days: the notice hangs through weekends).
    public func publicityEnds(start: CivilDate) -> CivilDate {
        start.adding(days: publicityDays - 1) ?? start
    }

    public enum Urgency: String, Sendable, Equatable {
        case onTime = "on_time", soon, overdue
    }

    public func urgency(today: CivilDate, due: CivilDate) -> Urgency {
        let left = calendar.workingDaysLeft(today: today, due: due)
        if today > due { return .overdue }
        return left <= soonDays ? .soon : .onTime
    }
}
