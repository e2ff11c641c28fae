import Foundation
import Testing

@testable import LinliCore

private let hour: Int64 = 3_600_000
/// 2026-03-01 00:00 China time.
private let march1 = Int64(CivilDays.days(year: 2026, month: 3, day: 1)) * 86_400_000 - TimeBuckets.offset

private func hourly(_ totals: [Double], from start: Int64 = march1) -> [MeterUsage.Reading] {
    totals.enumerated().map { MeterUsage.Reading(ts: start + Int64($0.offset) * hour, total: $0.element) }
}

private func date(_ y: Int, _ m: Int, _ d: Int) -> CivilDate { CivilDate(year: y, month: m, day: d)! }

@Suite struct MeterUsageTests {
    @Test func hourlyUsageIsTheDifferenceOfTheEdgesAndAGapIsMissingNotZero() {
        // setup: hourly readings with hours 3–6 missing.
        var readings = hourly([100, 100.2, 100.5, 100.5])
        readings += hourly([101.5, 101.6], from: march1 + 7 * hour)
        let series = MeterUsage.series(readings, settings: .water)
        // act
        let hours = MeterUsage.buckets(series, from: march1, to: march1 + 8 * hour, .hour, maxGap: hour + 60_000)
        // check
        #expect(hours.map(\.usage) == [0.2, 0.3, 0, nil, nil, nil, nil, 0.1])
        #expect(hours.filter(\.complete).count == 4)
        // The day's usage is exact where its edges are known (interpolation over a gap up to 3 h only).
        let wider = MeterUsage.buckets(series, from: march1, to: march1 + 8 * hour, .hour, maxGap: 5 * hour)
        #expect(wider[3].usage == 0.25 && wider[3].complete)
        #expect(wider[3..<7].compactMap(\.usage).reduce(0, +) == 1.0)
    }

    @Test func aRolloverIsJoinedAndAnUnrecordedDropBreaksTheTotal() {
        // A five-digit register wraps at 99 999.
        let rolled = MeterUsage.series(hourly([99_998.5, 99_999.5, 0.7, 1.2]), settings: .water)
        #expect(rolled.runs.count == 1 && rolled.events.map(\.event) == [.rollover])
        let hours = MeterUsage.buckets(rolled, from: march1, to: march1 + 3 * hour, .hour, maxGap: hour)
        #expect(hours.map(\.usage) == [1, 0.2, 0.5])
        // A drop with no replacement on record: never a negative, the hour across it is not complete.
        let dropped = MeterUsage.series(hourly([500, 501, 3, 4, 5]), settings: .water)
        #expect(dropped.runs.count == 2 && dropped.events.map(\.event) == [.unexplainedDrop])
        let across = MeterUsage.buckets(dropped, from: march1, to: march1 + 4 * hour, .hour, maxGap: hour)
        #expect(across.map(\.usage) == [1, nil, 1, 1])
        #expect(across.allSatisfy { ($0.usage ?? 0) >= 0 })
    }

    @Test func aRecordedReplacementIsExactAndASpikeIsNotUsage() {
        // The old meter read 250.4 when it came off; the new one started at 0.1.
        let swap = MeterUsage.Replacement(ts: march1 + hour + hour / 2, oldFinal: 250.4, newInitial: 0.1)
        let series = MeterUsage.series(hourly([250, 250.2, 0.3, 0.6]), replacements: [swap], settings: .water)
        #expect(series.runs.count == 1)
        let hours = MeterUsage.buckets(series, from: march1, to: march1 + 3 * hour, .hour, maxGap: hour)
        // 250.2 → 250.4 on the old one, 0.1 → 0.3 on the new one: 0.4.
        #expect(hours.map(\.usage) == [0.2, 0.4, 0.3])
        // A reading 900 m³ up in an hour is a bad reading, not water.
        let spiky = MeterUsage.series(hourly([10, 10.1, 910.1, 910.3]), settings: .water)
        #expect(spiky.events.map(\.event) == [.spike])
        let spikeHours = MeterUsage.buckets(spiky, from: march1, to: march1 + 3 * hour, .hour, maxGap: hour)
        #expect(spikeHours.map(\.usage) == [0.1, nil, 0.2])
    }

    @Test func daysAndMonthsAreInChinaTime() {
        // setup: a reading every hour for 62 days, 0.01 m³ an hour, from 1 March 00:00 China time.
        let readings = hourly((0...(62 * 24)).map { Double($0) * 0.01 })
        let series = MeterUsage.series(readings, settings: .water)
        // act
        let days = MeterUsage.buckets(series, from: march1, to: march1 + 3 * 24 * hour, .day, maxGap: hour)
        let months = MeterUsage.buckets(series, from: march1, to: march1 + 61 * 24 * hour, .month, maxGap: hour)
        // check
        #expect(days.map(\.usage) == [0.24, 0.24, 0.24])
        #expect(months.map(\.usage) == [7.44, 7.2] && months.allSatisfy(\.complete))
        #expect(months.map(\.start) == [march1, march1 + 31 * 24 * hour])
    }
}

@Suite struct TariffTests {
    // Tiers of 180 and 260 m³ a year (in litres); 3.45, 4.83, 5.83 元/m³ in 1/100 fen.
    let water2026 = TariffVersion(
        id: "w1", effectiveFrom: date(2026, 1, 1), tierLimits: [180_000, 260_000], prices: [34_500, 48_300, 58_300])
    let water2026b = TariffVersion(
        id: "w2", effectiveFrom: date(2026, 7, 1), tierLimits: [180_000, 260_000], prices: [37_000, 51_000, 61_000])

    @Test func aMonthThatCrossesATierIsSplitAtTheLimit() {
        // 170 m³ used this year, 15 m³ in March: 10 at tier 1, 5 at tier 2.
        let days = (1...15).map { TariffPricing.DayUsage(date(2026, 3, $0), 1_000) }
        let lines = TariffPricing.price(days, yearToDate: 170_000, versions: [water2026])
        #expect(lines.map(\.tier) == [1, 2])
        #expect(lines.map(\.milliUnits) == [10_000, 5_000])
        #expect(lines.map(\.amountFen) == [3_450, 2_415])
    }

    @Test func aPriceChangeInTheMonthPricesEachDayByItsVersionAndThePastStays() {
        // June 29 – July 2, 2 m³ a day, no tier reached: June at w1, July at w2.
        let days = [date(2026, 6, 29), date(2026, 6, 30), date(2026, 7, 1), date(2026, 7, 2)]
            .map { TariffPricing.DayUsage($0, 2_000) }
        let lines = TariffPricing.price(days, yearToDate: 50_000, versions: [water2026b, water2026])
        #expect(lines.map(\.versionID) == ["w1", "w2"])
        #expect(lines.map(\.amountFen) == [1_380, 1_480])
        // June priced alone by both lists gives the same: a later version never reprices the past.
        let june = TariffPricing.price(Array(days.prefix(2)), yearToDate: 50_000, versions: [water2026])
        #expect(june == [lines[0]])
    }

    @Test func theYearStartsAgainOnTheFirstOfJanuary() {
        let days = [TariffPricing.DayUsage(date(2026, 12, 31), 3_000), TariffPricing.DayUsage(date(2027, 1, 1), 3_000)]
        // 259 m³ by 31 December: 1 at tier 2, 2 at tier 3; then a new year at tier 1.
        let lines = TariffPricing.price(days, yearToDate: 259_000, versions: [water2026])
        #expect(lines.map(\.tier) == [2, 3, 1])
        #expect(lines.map(\.milliUnits) == [1_000, 2_000, 3_000])
    }

    @Test func flatPricesRoundingAndBadVersions() {
        // 0.5283 元/kWh × 123.456 kWh = 65.2218 元 → 6 522 fen.
        let flat = TariffVersion(id: "e1", effectiveFrom: date(2026, 1, 1), prices: [5_283])
        let lines = TariffPricing.price([.init(date(2026, 2, 3), 123_456)], yearToDate: 0, versions: [flat])
        #expect(lines.map(\.amountFen) == [6_522])
        // Usage before any version is in force is not priced at all.
        #expect(TariffPricing.price([.init(date(2025, 12, 31), 1_000)], yearToDate: 0, versions: [flat]).isEmpty)
        #expect(TariffVersion(id: "x", effectiveFrom: date(2026, 1, 1), prices: []).check() == .noPrices)
        #expect(
            TariffVersion(id: "x", effectiveFrom: date(2026, 1, 1), tierLimits: [5], prices: [1]).check()
                == .tiersDoNotMatchPrices)
        #expect(
            TariffVersion(id: "x", effectiveFrom: date(2026, 1, 1), tierLimits: [5, 5], prices: [1, 2, 3]).check()
                == .tiersNotIncreasing)
        #expect(water2026.check() == nil)
    }

    @Test func feesAndLateFees() {
        // 2.50 元/m² × 89.37 m² = 223.425 元 → 22 343 fen.
        #expect(FeeItem.perArea(fenPerSquareMetre: 250).monthly(areaHundredths: 8_937) == 22_343)
        #expect(FeeItem.fixed(fen: 15_000).monthly(areaHundredths: 8_937) == 15_000)
        // 万分之五 a day on 200 元 for 30 days: 3 元; never more than what is owed.
        #expect(LateFee.fen(unpaid: 20_000, daysLate: 30, perTenThousandPerDay: 5) == 300)
        #expect(LateFee.fen(unpaid: 100, daysLate: 100_000, perTenThousandPerDay: 5) == 100)
        #expect(LateFee.fen(unpaid: 20_000, daysLate: 0, perTenThousandPerDay: 5) == 0)
    }
}

@Suite struct UsageRuleTests {
    private func buckets(_ usages: [Double?], from start: Int64 = march1) -> [MeterUsage.Bucket] {
        usages.enumerated().map {
            MeterUsage.Bucket(start: start + Int64($0.offset) * hour, usage: $0.element, complete: $0.element != nil)
        }
    }

    @Test func aRunningToiletFlowsEveryHourOfTheDay() {
        // 3 L an hour, day and night, for 24 hours.
        let findings = LeakRules.evaluate(buckets(Array(repeating: 0.003, count: 24)))
        #expect(findings.map(\.kind) == [.nightFlow, .continuousFlow])
        #expect(findings.last?.at == march1 + 23 * hour)
        // A missing hour breaks the streak: 23 + 1 missing + 23 is no finding of flow all day.
        let broken = LeakRules.evaluate(buckets(Array(repeating: 0.003, count: 23) + [nil] + Array(repeating: 0.003, count: 23)))
        #expect(!broken.map(\.kind).contains(.continuousFlow))
    }

    @Test func aBurstAndAQuietHome() {
        // A household's ordinary day: nothing at night, some use in the morning and evening.
        var day: [Double?] = Array(repeating: 0, count: 24)
        day[7] = 0.05
        day[19] = 0.08
        #expect(LeakRules.evaluate(buckets(day)).isEmpty)
        // 0.8 m³ an hour for two hours.
        day[13] = 0.8
        day[14] = 0.9
        let burst = LeakRules.evaluate(buckets(day))
        #expect(burst == [.init(kind: .highFlow, at: march1 + 14 * hour, value: 0.9)])
    }

    @Test func anHourFarAboveTheHouseholdsOwnUsualIsAbnormal() {
        // Four weeks of history: 20 L at 08:00, nothing else; then 08:00 at 25 L, and 03:00 at 200 L.
        var history: [Double?] = []
        for _ in 0..<28 { history += (0..<24).map { $0 == 8 ? 0.02 : 0 } }
        var recent: [Double?] = (0..<24).map { $0 == 8 ? 0.025 : 0 }
        recent[3] = 0.2
        let found = UsageAnomaly.evaluate(
            history: buckets(history), recent: buckets(recent, from: march1 + 28 * 24 * hour), floor: 0.05)
        #expect(found.map(\.at) == [march1 + 28 * 24 * hour + 3 * hour])
        // Monday 00:00 China time is hour 0 of the week; 2026-03-02 is a Monday.
        #expect(UsageAnomaly.hourOfWeek(march1 + 24 * hour) == 0)
        #expect(UsageAnomaly.hourOfWeek(march1) == 6 * 24)
    }

    @Test func theComparisonGivesAMedianAndARankNeverAFigure() {
        let me = UsageComparison.Peer(id: "me", usage: 9, area: 90, people: 3)
        let others = [
            UsageComparison.Peer(id: "a", usage: 5, area: 85, people: 3),
            UsageComparison.Peer(id: "b", usage: 7, area: 95, people: 3),
            UsageComparison.Peer(id: "c", usage: 12, area: 100, people: 3),
            UsageComparison.Peer(id: "d", usage: 8, area: 80, people: 3),
            // Not similar: too big, or two people.
            UsageComparison.Peer(id: "e", usage: 30, area: 140, people: 3),
            UsageComparison.Peer(id: "f", usage: 1, area: 90, people: 2),
        ]
        let result = UsageComparison.compare(me, among: [me] + others)
        #expect(result == .init(peers: 5, median: 8, rank: 4))
        // Too few similar households: no comparison at all.
        #expect(UsageComparison.compare(me, among: [me] + others.prefix(2)) == nil)
    }
}
