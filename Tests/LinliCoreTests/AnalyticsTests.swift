import Foundation
import LinliCore
import Testing

/// The operations figures against fixtures worked out by hand: fee rates with partial payments and a
/// refund, on time with a reopened order, online / offline / idle, the built-but-unused index, and the
/// periods refused.
@Suite struct AnalyticsTests {
    func day(_ text: String) -> CivilDate { CivilDate(text)! }

    @Test func periodsAreCheckedAndHaveAPreviousOne() throws {
        let today = day("2026-12-05")
        let last30 = try AnalyticsPeriod.parse(from: nil, to: nil, today: today)
        #expect(last30.from == day("2026-11-06") && last30.to == today && last30.days == 30)
        let november = try AnalyticsPeriod.parse(from: "2026-11-01", to: "2026-11-30", today: today)
        #expect(november.previous == (try AnalyticsPeriod(from: day("2026-10-02"), to: day("2026-10-31"))))
        #expect(november.each.count == 30 && november.each.first == day("2026-11-01"))
        #expect(throws: AnalyticsPeriod.Refusal.reversed) { try AnalyticsPeriod.parse(from: "2026-11-30", to: "2026-11-01", today: today) }
        #expect(throws: AnalyticsPeriod.Refusal.tooLong) { try AnalyticsPeriod.parse(from: "2023-01-01", to: "2026-01-01", today: today) }
        #expect((try? AnalyticsPeriod.parse(from: "2023-01-02", to: "2026-01-01", today: today))?.days == 1096)
        #expect(throws: AnalyticsPeriod.Refusal.invalidDate(field: "from")) { try AnalyticsPeriod.parse(from: "2026-02-30", to: nil, today: today) }
    }

    @Test func feeRatesCountPartialPaymentsRefundsAndArrears() {
        let a = UUID(), b = UUID(), c = UUID()
        func pay(_ d: String, _ fen: Int64) -> FeeFigures.Payment { .init(day: day(d), amountFen: fen) }
        let bills: [FeeFigures.Bill] = [
            // November's bills (the period): a paid in full; b paid 60 of 100; c paid 100, 30 refunded, so 70.
            .init(household: a, issued: day("2026-11-01"), due: day("2026-11-20"), totalFen: 100, payments: [pay("2026-11-05", 100)]),
            .init(household: b, issued: day("2026-11-01"), due: day("2026-11-20"), totalFen: 100, payments: [pay("2026-11-25", 60)]),
            .init(household: c, issued: day("2026-11-01"), due: day("2026-11-20"), totalFen: 100,
                  payments: [pay("2026-11-10", 100), pay("2026-11-12", -30)]),
            // A payment after the period does not count for it.
            .init(household: a, issued: day("2026-11-15"), due: day("2026-12-05"), totalFen: 50, payments: [pay("2026-12-02", 50)]),
            // Arrears: b owed 200 from September (40 paid in October), 80 paid in November; c owed 10 (paid before).
            .init(household: b, issued: day("2026-09-01"), due: day("2026-09-20"), totalFen: 200,
                  payments: [pay("2026-10-03", 40), pay("2026-11-02", 80)]),
            .init(household: c, issued: day("2026-10-01"), due: day("2026-10-20"), totalFen: 10, payments: [pay("2026-10-15", 10)]),
        ]
        let result = FeeFigures.compute(bills, period: try! AnalyticsPeriod(from: day("2026-11-01"), to: day("2026-11-30")))
        #expect(result.billedFen == 350 && result.collectedFen == 230)
        #expect(result.collectionRate == 0.6571)  // 230 / 350
        #expect(result.householdsBilled == 3 && result.householdsPaid == 0)  // a's second bill unpaid by the 30th
        #expect(result.householdRate == 0)
        #expect(result.arrearsAtStartFen == 160 && result.arrearsCollectedFen == 80 && result.clearanceRate == 0.5)
        // On the 30th: b's November 40 and c's 30 are 10 days late; b's September 80 is 71 days late.
        #expect(result.arrearsByAge.upTo30Fen == 70 && result.arrearsByAge.upTo90Fen == 80 && result.arrearsByAge.over180Fen == 0)
        #expect(FeeFigures.compute([], period: try! AnalyticsPeriod(from: day("2026-11-01"), to: day("2026-11-30"))).collectionRate == nil)
    }

    @Test func onTimeCountsARedoAgainstItsOwnDeadline() {
        let start = Date(timeIntervalSince1970: 1_796_083_200)  // 2026-12-01 00:00 UTC = 08:00 China time, a Tuesday
        let h: TimeInterval = 3600
        let alice = UUID()
        func order(_ openings: [TimeInterval], _ done: [TimeInterval], status: WorkStatus, accepted: TimeInterval? = nil, rating: Int? = nil)
            -> WorkFigures.Order
        {
            .init(
                category: .repairWater, channel: "app", openings: openings.map { start.addingTimeInterval($0 * h) },
                completions: done.map { start.addingTimeInterval($0 * h) }, accepted: accepted.map { start.addingTimeInterval($0 * h) },
                status: status, assignee: alice, rating: rating)
        }
        // Water repairs: accept within 15 min, done within 4 h.
        let orders = [
            order([0], [3], status: .confirmed, accepted: 0.1, rating: 5),  // on time
            order([0], [5], status: .confirmed, accepted: 0.5, rating: 3),  // late, accepted late
            order([0, 10], [2, 13], status: .confirmed, accepted: 0.2),  // reopened, redo within 4 h of the reopening: on time
            order([0, 10], [2, 15], status: .confirmed, accepted: 0.2),  // reopened, redo 5 h after: late
            order([0], [], status: .accepted, accepted: 0.1),  // open, 4 h passed at now: overdue
            order([20], [], status: .submitted),  // open, filed 1 h before now, not accepted: overdue (15 min)
        ]
        let result = WorkFigures.compute(orders, from: start, to: start.addingTimeInterval(24 * h), now: start.addingTimeInterval(21 * h))
        #expect(result.filed == 6 && result.byCategory == ["repair_water": 6] && result.byChannel == ["app": 6])
        #expect(result.byHour[8] == 5 && result.byHour[4] == 1)  // 20 h after 08:00 is 04:00 the next day
        #expect(result.byWeekday[1] == 5 && result.byWeekday[2] == 1)
        #expect(result.done == 4 && result.onTime == 2 && result.onTimeRate == 0.5 && result.reopened == 2)
        #expect(result.respondedOnTime == 4 && result.respondedRate == 0.6667)
        #expect(result.ratings == 2 && result.ratingMean == 4)
        #expect(result.perStaff[alice.uuidString] == { var s = WorkFigures.Staff(); s.done = 4; s.onTime = 2; return s }())
        #expect(result.overdueOpen == 2)
    }

    @Test func idleOfflineAndUnusedAreTold() {
        let minute: Int64 = 60_000
        let now: Int64 = 1_000_000 * minute
        func state(_ seen: Int64?, _ used: Int64?, counts: Bool = true) -> DeviceActivity.State {
            DeviceActivity.state(
                lastSeen: seen.map { now - $0 * minute }, lastUse: used.map { now - $0 * minute }, countsUse: counts,
                interval: 10 * minute, idleAfter: 7 * 1440 * minute, now: now)
        }
        #expect(state(nil, nil) == .offline)
        #expect(state(11, 1) == .offline)  // silent past its interval, whatever its use
        #expect(state(2, nil) == .idle && state(2, 8 * 1440) == .idle)
        #expect(state(2, 60) == .online)
        #expect(state(2, nil, counts: false) == .online)  // a sensor that only reports
        let gate = UUID(), quietGate = UUID(), tv = UUID(), usedTV = UUID()
        let index = DeviceActivity.unusedIndex(
            [
                .init(id: gate, type: "face_gate", households: 100, uses: 900),
                .init(id: quietGate, type: "face_gate", households: 100, uses: 40),
                .init(id: tv, type: "tv_box", households: 1, uses: 0),
                .init(id: usedTV, type: "tv_box", households: 1, uses: 12),
            ], perHousehold: { $0 == "face_gate" ? 1 : 3 })
        #expect(index.map(\.type) == ["face_gate", "tv_box"])
        #expect(index[0].installed == 2 && index[0].unused == 1 && index[0].share == 0.5 && index[0].devices == [quietGate])
        #expect(index[1].devices == [tv])
    }

    @Test func theNearestRankQuantileSaysWhereTheTopTenthBegins() {
        #expect(Statistics.quantile([], 0.9) == nil)
        #expect(Statistics.quantile([7], 0.9) == 7)
        #expect(Statistics.quantile(Array(1...10).map(Double.init), 0.9) == 9)
        #expect(Statistics.quantile(Array(1...11).map(Double.init).reversed(), 0.9) == 10)
        #expect(Statistics.quantile([10, 30], 0.9) == 30 && Statistics.quantile([10, 30], 0.5) == 10)
    }
}
