import Foundation
import Testing

@testable import LinliCore

private let china: Calendar = {
    var c = Calendar(identifier: .gregorian)
    c.timeZone = TimeZone(identifier: "Asia/Shanghai")!
    return c
}()

private func day(_ y: Int, _ m: Int, _ d: Int, _ h: Int = 0, _ min: Int = 0) -> Date {
    china.date(from: DateComponents(year: y, month: m, day: d, hour: h, minute: min))!
}

@Suite struct WateringScaleTests {
    @Test func theBaselinesGive100AndEachFactorMovesIt() {
        // 70 °F = 21.11 °C, 30 %, no rain.
        #expect(WateringScale.scale(.init(temperatureC: 21.111_2, humidityPct: 30, rainMm: 0)).scale == 100)
        // Hot and dry: 35 °C = 95 °F → +100; 10 % humidity → +20.
        let hot = WateringScale.scale(.init(temperatureC: 35, humidityPct: 10, rainMm: 0))
        #expect(hot.scale == 200 && hot.temperature == 100 && hot.humidity == 20)
        // 40 °C = 104 °F → +136, 40 % → −10, 25.4 mm = 1 in → −200: 26.
        #expect(WateringScale.scale(.init(temperatureC: 40, humidityPct: 40, rainMm: 25.4)).scale == 26)
        // Floored: 25 °C = 77 °F → +28; 31.5 % → −1.5: 126.5 → 126.
        #expect(WateringScale.scale(.init(temperatureC: 25, humidityPct: 31.5, rainMm: 0)).scale == 126)
        // Clamped: a wet cold day is 0, not negative.
        #expect(WateringScale.scale(.init(temperatureC: 5, humidityPct: 95, rainMm: 20)).scale == 0)
    }

    @Test func weightsAndMissingData() {
        let weather = WateringScale.Weather(temperatureC: 40, humidityPct: 40, rainMm: 25.4)
        // Rain at half: 100 + 136 − 10 − 100 = 126; humidity not counted: 100 + 136 − 200 = 36.
        #expect(WateringScale.scale(weather, weights: .init(rain: 50)).scale == 126)
        #expect(WateringScale.scale(weather, weights: .init(humidity: 0)).scale == 36)
        // 30 °C, 50 %, dry: 144; temperature at half: 112.
        let warm = WateringScale.Weather(temperatureC: 30, humidityPct: 50, rainMm: 0)
        #expect(WateringScale.scale(warm).scale == 144)
        #expect(WateringScale.scale(warm, weights: .init(temperature: 50)).scale == 112)
        let missing = WateringScale.scale(.init(temperatureC: 30, humidityPct: nil, rainMm: 0))
        #expect(missing.scale == 100 && missing.missingData && missing.temperature == nil)
        #expect(WateringScale.scale(.init(temperatureC: .nan, humidityPct: 30, rainMm: 0)).missingData)
        #expect(!WateringScale.Weights(humidity: 250).isValid && WateringScale.Weights().isValid)
    }
}

@Suite struct IrrigationProgramTests {
    @Test func weeklyIntervalOddAndEvenDays() {
        // 2026-12-07 is a Monday.
        let monWedFri = IrrigationProgram(days: .weekly([1, 3, 5]), starts: [360], minutes: 10)
        #expect((7...13).map { monWedFri.runs(on: day(2026, 12, $0, 12), calendar: china) }
            == [true, false, true, false, true, false, false])
        let everyThird = IrrigationProgram(days: .interval(every: 3, offset: 0), starts: [360], minutes: 10)
        let ran = (1...30).filter { everyThird.runs(on: day(2026, 12, $0, 23, 30), calendar: china) }
        #expect(ran.count == 10 && zip(ran, ran.dropFirst()).allSatisfy { $1 - $0 == 3 })
        // Late at night China time is still that day, not the UTC one.
        #expect(everyThird.runs(on: day(2026, 12, ran[0], 0, 10), calendar: china))
        let odd = IrrigationProgram(days: .weekly(Set(1...7)), restriction: .odd, starts: [360], minutes: 10)
        #expect(odd.runs(on: day(2026, 12, 29), calendar: china) && !odd.runs(on: day(2026, 12, 30), calendar: china))
        #expect(!odd.runs(on: day(2026, 12, 31), calendar: china) && odd.runs(on: day(2027, 1, 1), calendar: china))
        #expect(!odd.runs(on: day(2028, 2, 29), calendar: china))
        let even = IrrigationProgram(days: .weekly(Set(1...7)), restriction: .even, starts: [360], minutes: 10)
        #expect(even.runs(on: day(2026, 12, 30), calendar: china) && !even.runs(on: day(2026, 12, 31), calendar: china))
    }

    @Test func cyclesSoakScaleQuietHoursAndTheSafetyMaximum() {
        // Two starts, 20 min each at 100 %, in cycles of 8 with 10 min soak.
        let p = IrrigationProgram(
            days: .weekly([1]), starts: [360, 1080], minutes: 20, cycleMinutes: 8, soakMinutes: 10)
        let cycles = p.cycles(scale: 100, maxRunMinutes: 120)
        #expect(cycles.map(\.seconds) == [480, 480, 240, 480, 480, 240])
        let starts: [Int] = [21_600, 22_680, 23_760, 64_800, 65_880, 66_960]  // soaked 10 min after each 8
        #expect(cycles.map(\.start) == starts)
        // Scaled: 150 % is 30 min a start; 0 % waters nothing.
        let scaled = p.cycles(scale: 150, maxRunMinutes: 120).map(\.seconds).reduce(0, +)
        #expect(scaled == 3600)
        #expect(p.cycles(scale: 0, maxRunMinutes: 120).isEmpty)
        // The valve's maximum for the day cuts the run, whatever the scale.
        let capped = p.cycles(scale: 200, maxRunMinutes: 50).map(\.seconds).reduce(0, +)
        #expect(capped == 3000)
        // A cycle that would run into the quiet hours waits for their end.
        let quiet = IrrigationProgram(
            days: .weekly([1]), starts: [595], minutes: 20, cycleMinutes: 10, soakMinutes: 5, quietStart: 600,
            quietEnd: 960)
        let q = quiet.cycles(scale: 100, maxRunMinutes: 60)
        let quietStarts: [Int] = [35_700, 57_600, 58_500]  // 09:55, 16:00, 16:15
        #expect(q.map(\.start) == quietStarts)
        #expect(q.map(\.seconds) == [300, 600, 300])
        // Quiet hours over midnight: nothing after their start today.
        let night = IrrigationProgram(
            days: .weekly([1]), starts: [1300], minutes: 30, cycleMinutes: 15, soakMinutes: 30, quietStart: 1320,
            quietEnd: 300)
        #expect(night.cycles(scale: 100, maxRunMinutes: 60).map(\.seconds) == [900])
    }

    @Test func badProgramsAreRefusedWithTheirField() {
        func problem(_ p: IrrigationProgram, max: Int = 120) -> IrrigationProgram.Problem? {
            do throws(IrrigationProgram.Problem) {
                try p.check(maxRunMinutes: max)
                return nil
            } catch { return error }
        }
        let good = IrrigationProgram(days: .weekly([1, 4]), starts: [360, 1080], minutes: 15)
        #expect(problem(good) == nil)
        var p = good
        p.days = .weekly([])
        #expect(problem(p)?.reason == "no_days")
        p = good
        p.minutes = -5
        #expect(problem(p)?.field == "minutes")
        p = good
        p.minutes = 40
        #expect(problem(p)?.reason == "over_max_run")
        // A huge duration is out of range before any arithmetic on it (no overflow trap).
        p = good
        p.minutes = Int.max
        #expect(problem(p)?.reason == "out_of_range")
        p = good
        p.starts = []
        #expect(problem(p)?.reason == "no_start_times")
        p = good
        p.days = .interval(every: 3, offset: 3)
        #expect(problem(p)?.field == "offset")
        p = good
        p.quietStart = 600
        #expect(problem(p)?.field == "quietHours")
    }
}

@Suite struct SoilGateTests {
    @Test func wetEnoughSkipsStaleFallsBack() {
        let now = day(2026, 12, 7, 6)
        let fresh = [
            SoilGate.Reading(sensor: "a", moisture: 34, at: now - 300),
            SoilGate.Reading(sensor: "b", moisture: 38, at: now - 600),
        ]
        let wet = SoilGate.verdict(sensors: ["a", "b"], latest: fresh, target: 35, reportInterval: 600, now: now)
        #expect(wet.moisture == 36 && wet.wetEnough && wet.stale.isEmpty)
        #expect(!SoilGate.verdict(sensors: ["a", "b"], latest: fresh, target: 37, reportInterval: 600, now: now).wetEnough)
        // b is older than twice its interval; c never reported: the zone goes by a alone, and says so.
        let old = [fresh[0], SoilGate.Reading(sensor: "b", moisture: 60, at: now - 1300)]
        let partly = SoilGate.verdict(sensors: ["a", "b", "c"], latest: old, target: 35, reportInterval: 600, now: now)
        #expect(partly.moisture == 34 && !partly.wetEnough && partly.stale == ["b", "c"])
        let none = SoilGate.verdict(sensors: ["a"], latest: [], target: 35, reportInterval: 600, now: now)
        #expect(none.moisture == nil && !none.wetEnough && none.stale == ["a"])
    }
}

@Suite struct BinForecastTests {
    /// A bin that fills 2 points an hour from 07:00 to 21:00 and not at night, emptied at 80 %.
    func history(days: Int, until end: Date) -> [BinForecast.Reading] {
        var out: [BinForecast.Reading] = []
        var fill = 10.0
        var t = end - TimeInterval(days * 86_400)
        while t <= end {
            let hour = china.component(.hour, from: t)
            if hour >= 7 && hour < 21 { fill += 2 }
            if fill >= 80 { fill = 5 }
            out.append(.init(at: t, fill: fill))
            t += 3600
        }
        return out
    }

    @Test func learnsTheHoursAndAsksWithinWorkingHoursBeforeFull() throws {
        let now = day(2026, 12, 7, 20)
        var readings = history(days: 7, until: now - 3600)
        readings.append(.init(at: now, fill: 70))
        let f = BinForecast.forecast(readings, now: now, calendar: china)
        #expect(f.enoughHistory && f.lastEmptied != nil)
        #expect(abs(f.rates[BinForecast.hourOfWeek(day(2026, 12, 8, 10), china)] - 2) < 0.01)
        #expect(f.rates[BinForecast.hourOfWeek(day(2026, 12, 8, 3), china)] < 0.01)
        // 70 % at 20:00 on Monday: nothing more that evening or at night, +2 an hour from 06:00, so 90 % at
        // 16:00 on Tuesday.
        let full = try #require(f.fullAt)
        #expect(abs(full.timeIntervalSince(day(2026, 12, 8, 16))) < 60)
        // Asked for at 15:00 (an hour's work before full, inside 07:00–19:00), not now.
        #expect(f.askBy == day(2026, 12, 8, 15))
        #expect(!BinForecast.due(f, fill: 70, now: now, calendar: china))
        #expect(BinForecast.due(f, fill: 86, now: day(2026, 12, 8, 15), calendar: china))
        // Full at 03:00 would be asked for the working evening before.
        #expect(
            BinForecast.askBy(
                before: day(2026, 12, 9, 3), now: now, hours: .init(), lead: 3600, calendar: china)
                == day(2026, 12, 8, 18))
    }

    @Test func tooLittleHistoryUsesTheThreshold() {
        let now = day(2026, 12, 7, 12)
        let f = BinForecast.forecast(history(days: 1, until: now), now: now, calendar: china)
        #expect(!f.enoughHistory && f.fullAt == nil)
        #expect(!BinForecast.due(f, fill: 79, now: now, calendar: china) && BinForecast.due(f, fill: 80, now: now, calendar: china))
        // The day's last chance to ask (17:00–18:00 for an hour's work before 19:00) asks from 55 %.
        #expect(BinForecast.due(f, fill: 56, now: day(2026, 12, 7, 17, 30), calendar: china))
        #expect(!BinForecast.due(f, fill: 54, now: day(2026, 12, 7, 17, 30), calendar: china))
        #expect(!BinForecast.due(f, fill: 56, now: day(2026, 12, 7, 18, 0), calendar: china))
        #expect(!BinForecast.forecast([], now: now, calendar: china).enoughHistory)
    }
}

@Suite struct HourArithmeticTests {
    /// The forecast's hour of the week and hour end, by arithmetic on the zone's offset, agree with
    /// Foundation's calendar hour after hour — in China and across New York's daylight-saving changes.
    @Test func hourOfWeekAndHourEndAgreeWithTheCalendar() {
        for zone in ["Asia/Shanghai", "America/New_York"] {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: zone)!
            var t = Date(timeIntervalSince1970: 1_772_000_000)  // late February 2026: March's change ahead
            for _ in 0..<(24 * 60) {
                let parts = calendar.dateComponents([.weekday, .hour], from: t)
                let expected = (((parts.weekday ?? 1) + 5) % 7) * 24 + (parts.hour ?? 0)
                #expect(BinForecast.hourOfWeek(t, calendar) == expected, "\(zone) \(t)")
                #expect(BinForecast.hourEnd(t, calendar) == calendar.dateInterval(of: .hour, for: t)?.end, "\(zone) \(t)")
                t = t.addingTimeInterval(3600 + 61)
            }
        }
    }
}

@Suite struct EnvironmentReplayTests {
    @Test func thirtyDaysAgainstTheFixedSchedules() {
        let start = day(2026, 7, 1)
        // Eight bins keep the debug build's run short; `linli environment-replay` runs the full 20.
        let r = EnvironmentReplay.run(days: 30, bins: 8, seed: 20_261_213, start: start, calendar: china)
        #expect(r == EnvironmentReplay.run(days: 30, bins: 8, seed: 20_261_213, start: start, calendar: china))
        #expect(r.runs + r.skippedRain + r.skippedSoil + r.skippedScale == 90 && r.fixedRuns == 90)
        #expect(r.runsWhileWet == 0 && r.fixedRunsWhileWet > 0)
        #expect(r.litres < r.fixedLitres && r.fixedCollections == 240)
        #expect(r.collectionsSaved >= 0.4 && r.overflows == 0, "\(r.collections) collections, \(r.overflows) overflows")
    }
}

@Suite struct IrrigationRulesTests {
    let dry = SoilGate.Verdict(moisture: 20, wetEnough: false, stale: [])
    let wet = SoilGate.Verdict(moisture: 40, wetEnough: true, stale: [])

    @Test func aStartIsSkippedForTheFirstReasonStaffWouldLookFor() {
        typealias C = IrrigationRules.Conditions
        #expect(IrrigationRules.skip(C(soil: dry, scale: 100)) == nil)
        #expect(IrrigationRules.skip(C(heldOff: true, rainMm24h: 20, soil: wet, scale: 0)) == .manualOff)
        #expect(IrrigationRules.skip(C(manualRunning: true, soil: dry, scale: 100)) == .manualRun)
        #expect(IrrigationRules.skip(C(valveOnline: false, soil: dry, scale: 100)) == .valveOffline)
        #expect(IrrigationRules.skip(C(rainDelayed: true, soil: dry, scale: 100)) == .rainDelay)
        #expect(IrrigationRules.skip(C(rainMm24h: 5, rainThresholdMm: 5, soil: wet, scale: 100)) == .rain)
        #expect(IrrigationRules.skip(C(rainMm24h: 4.9, rainThresholdMm: 5, soil: dry, scale: 100)) == nil)
        #expect(IrrigationRules.skip(C(soil: wet, scale: 0)) == .soil)
        #expect(IrrigationRules.skip(C(soil: dry, scale: 0)) == .scaleZero)
        // A silent sensor: no moisture, so the weather decides.
        let silent = SoilGate.Verdict(moisture: nil, wetEnough: false, stale: ["a"])
        #expect(IrrigationRules.skip(C(soil: silent, scale: 80)) == nil)
    }

    @Test func anOpenStretchStopsAtTheTargetItsTimeOrTheSafetyMaximum() {
        #expect(IrrigationRules.stop(openFor: 100, planned: 300, maxRunSeconds: 3600, soilWetEnough: false) == nil)
        #expect(IrrigationRules.stop(openFor: 100, planned: 300, maxRunSeconds: 3600, soilWetEnough: true) == .target)
        #expect(IrrigationRules.stop(openFor: 300, planned: 300, maxRunSeconds: 3600, soilWetEnough: false) == .timeUp)
        #expect(IrrigationRules.stop(openFor: 600, planned: 7200, maxRunSeconds: 600, soilWetEnough: false) == .maxRun)
        #expect(IrrigationRules.stop(openFor: 599, planned: 7200, maxRunSeconds: 600, soilWetEnough: false) == nil)
    }

    @Test func theDaysWeatherAndTheLitres() {
        let w = IrrigationRules.weather(temperatures: [20, 22], humidities: [], rains: [0.5, 1.5, .nan])
        #expect(w.temperatureC == 21 && w.humidityPct == nil && w.rainMm == 2)
        #expect(WateringScale.scale(w).missingData)
        #expect(IrrigationRules.litres(openSeconds: 600, meanFlow: 19.5, estimate: 18) == 195)
        #expect(IrrigationRules.litres(openSeconds: 600, meanFlow: nil, estimate: 18) == 180)
        #expect(IrrigationRules.litres(openSeconds: 90, meanFlow: 0, estimate: 18) == 27)
    }
}
