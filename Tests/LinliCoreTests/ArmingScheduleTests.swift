import Foundation
import Testing

@testable import LinliCore

@Suite struct ArmingScheduleTests {
    let china: Calendar = {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        return c
    }()

    func at(_ day: Int, _ hour: Int, _ minute: Int = 0) -> Date {
        china.date(from: DateComponents(year: 2026, month: 12, day: day, hour: hour, minute: minute))!
    }

    /// Night at 22:30 every day, disarmed at 06:30 on weekdays (2026-12-05 is a Saturday).
    let schedule = ArmingSchedule([
        .init(action: "armed_night", minute: 22 * 60 + 30),
        .init(action: "disarmed", minute: 6 * 60 + 30, days: [1, 2, 3, 4, 5]),
    ])

    @Test func theEntryDueBetweenTwoLooks() {
        #expect(schedule.due(after: at(2, 22, 29), upTo: at(2, 22, 31))?.entry.action == "armed_night")
        #expect(schedule.due(after: at(2, 22, 31), upTo: at(2, 22, 40)) == nil, "once")
        #expect(schedule.due(after: at(3, 6, 0), upTo: at(3, 7, 0))?.entry.action == "disarmed")
        #expect(schedule.due(after: at(5, 6, 0), upTo: at(5, 7, 0)) == nil, "not on Saturday")
        // Down overnight: only the latest entry holds.
        let late = schedule.due(after: at(2, 20, 0), upTo: at(3, 9, 0))
        #expect(late?.entry.action == "disarmed" && late?.at == at(3, 6, 30))
        #expect(schedule.next(after: at(5, 7, 0), calendar: china)?.at == at(5, 22, 30))
        #expect(schedule.next(after: at(5, 23, 0), calendar: china)?.at == at(6, 22, 30), "Sunday has no disarm")
    }

    @Test func badEntries() {
        #expect(schedule.problems.isEmpty)
        #expect(ArmingSchedule([.init(action: "armed_forever", minute: 0)]).problems == ["action"])
        #expect(ArmingSchedule([.init(action: "disarmed", minute: 1440)]).problems == ["minute"])
        #expect(ArmingSchedule([.init(action: "disarmed", minute: 0, days: [0])]).problems == ["days"])
        #expect(ArmingSchedule(Array(repeating: .init(action: "disarmed", minute: 0), count: 9)).problems == ["entries"])
    }
}

extension ArmingSchedule {
    fileprivate func due(after: Date, upTo: Date) -> (entry: Entry, at: Date)? {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        return due(after: after, upTo: upTo, calendar: c)
    }
}
