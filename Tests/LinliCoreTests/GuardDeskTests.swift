import Foundation
import Testing

@testable import LinliCore

/// The guard desk's rules: order, steps, escalation, choice of guard, figures.
@Suite struct GuardDeskTests {
    let t0 = Date(timeIntervalSince1970: 1_790_000_000)

    @Test func theConsoleListsTheMostUrgentFirstThenTheOldest() {
        let ids = (0..<5).map { _ in UUID() }
        let calls = [
            GuardDesk.Listed(id: ids[0], kind: .unconfirmed, raisedAt: t0),
            .init(id: ids[1], kind: .intrusion, raisedAt: t0.addingTimeInterval(10)),
            .init(id: ids[2], kind: .hazard, raisedAt: t0.addingTimeInterval(30)),
            .init(id: ids[3], kind: .intrusion, raisedAt: t0.addingTimeInterval(5)),
            .init(id: ids[4], kind: .duress, raisedAt: t0.addingTimeInterval(20)),
        ]
        #expect(GuardDesk.ordered(calls).map(\.id) == [ids[4], ids[2], ids[3], ids[1], ids[0]])
    }

    @Test func stepsGoForwardOneAtATime() {
        #expect(GuardDesk.allows(.raised, .acknowledged) && GuardDesk.allows(.acknowledged, .dispatched))
        #expect(GuardDesk.allows(.dispatched, .onSite) && GuardDesk.allows(.onSite, .resolved))
        #expect(GuardDesk.allows(.acknowledged, .resolved), "a false alarm is resolved without going there")
        #expect(!GuardDesk.allows(.raised, .resolved), "acknowledged first")
        #expect(!GuardDesk.allows(.raised, .onSite) && !GuardDesk.allows(.onSite, .acknowledged))
        #expect(!GuardDesk.allows(.resolved, .resolved) && !GuardDesk.allows(.resolved, .acknowledged))
    }

    @Test func unacknowledgedCallsEscalateAt60And120Seconds() {
        #expect(GuardDesk.escalation(raisedAt: t0, acknowledgedAt: nil, now: t0 + 59) == (0, t0 + 60))
        #expect(GuardDesk.escalation(raisedAt: t0, acknowledgedAt: nil, now: t0 + 60) == (1, t0 + 120))
        #expect(GuardDesk.escalation(raisedAt: t0, acknowledgedAt: nil, now: t0 + 500) == (2, nil))
        // Acknowledged at 90 s: one escalation happened, no more come.
        #expect(GuardDesk.escalation(raisedAt: t0, acknowledgedAt: t0 + 90, now: t0 + 500) == (1, nil))
        #expect(GuardDesk.escalation(raisedAt: t0, acknowledgedAt: t0 + 30, now: t0 + 500) == (0, nil))
    }

    @Test func theNearestFreeGuardOnShiftIsSent() {
        let a = UUID(), b = UUID(), c = UUID()
        #expect(
            GuardDesk.choose([
                .init(id: a, onShift: false, distance: 0, busy: 0), .init(id: b, onShift: true, distance: 3, busy: 0),
                .init(id: c, onShift: true, distance: 1, busy: 1),
            ]) == b)
        #expect(GuardDesk.choose([.init(id: c, onShift: true, distance: 1, busy: 2)]) == c, "busy beats nobody")
        #expect(GuardDesk.choose([.init(id: a, onShift: false, distance: 0, busy: 0)]) == nil)
    }

    @Test func theDesksFigures() {
        let home = UUID(), other = UUID()
        func call(_ ack: TimeInterval?, _ onSite: TimeInterval?, _ outcome: GuardDesk.Outcome, _ h: UUID, _ s: String)
            -> GuardDesk.Closed
        {
            .init(
                raisedAt: t0, acknowledgedAt: ack.map { t0 + $0 }, onSiteAt: onSite.map { t0 + $0 }, outcome: outcome,
                household: h, sensor: s)
        }
        let f = GuardDesk.figures([
            call(20, 200, .real, home, "door"), call(70, 400, .falseAlarm, home, "hall"),
            call(10, nil, .falseAlarm, other, "hall"), call(60, 300, .test, other, "door"),
        ])
        #expect(f.acknowledgedWithin60s == 0.75)
        #expect(f.medianToOnSite == 300)
        #expect(f.falseAlarmRate == 0.5)
        #expect(f.falseAlarmRateByHousehold == [home: 0.5, other: 0.5])
        #expect(f.falseAlarmRateBySensor == ["door": 0, "hall": 1])
        #expect(GuardDesk.figures([]).acknowledgedWithin60s == nil && GuardDesk.figures([]).medianToOnSite == nil
            && GuardDesk.figures([]).falseAlarmRate == nil)
    }
}
