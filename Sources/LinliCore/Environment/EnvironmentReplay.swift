import Foundation

/// Replays simulated days of a community's weather, soil and bins against the smart-environment rules,
/// and against the fixed schedules they replace, with the same seeded world for both:
/// - irrigation: zones watered at their program's start times, the run scaled by ``WateringScale`` from
///   the last 24 hours' weather, skipped in a rain delay or when ``SoilGate`` finds the soil at its
///   target, stopped once the soil reaches it; the fixed schedule waters the full duration every time.
/// - bins: each filling at its own rate by hour of the day, asked for by ``BinForecast`` (checked every
///   hour) and collected within the response time inside working hours; the fixed schedule collects
///   every bin every morning.
public enum EnvironmentReplay {
    public struct Result: Sendable, Equatable {
        public var days = 0
        public var zones = 0
        public var runs = 0
        public var skippedRain = 0
        public var skippedSoil = 0
        /// Weather that asked for no water at all (scale 0).
        public var skippedScale = 0
        public var stoppedAtTarget = 0
        /// Runs started while the soil was at or above its target (goal 0).
        public var runsWhileWet = 0
        public var litres = 0.0
        public var fixedRuns = 0
        public var fixedRunsWhileWet = 0
        public var fixedLitres = 0.0
        public var bins = 0
        public var collections = 0
        public var overflows = 0
        public var fixedCollections = 0
        public var fixedOverflows = 0

        public var litresSaved: Double { fixedLitres == 0 ? 0 : 1 - litres / fixedLitres }
        public var collectionsSaved: Double {
            fixedCollections == 0 ? 0 : 1 - Double(collections) / Double(fixedCollections)
        }
    }

    /// Litres a valve lets through a minute (the simulator's valve reports 18 L/min).
    public static let flow = 18.0

    struct DayWeather {
        var temperatureC: Double
        var humidityPct: Double
        var rainMm: Double
        /// When the rain fell (hour of the day), if any.
        var rainHour: Int
    }

    public static func run(
        days: Int, zones: Int = 3, bins: Int = 20, seed: UInt64, responseHours: Double = 2,
        start: Date, calendar: Calendar
    ) -> Result {
        var result = Result(days: days, zones: zones, bins: bins)
        var rng = SeededRandom(seed: seed)
        // A summer month: warm days, showers on about one in four.
        let weather: [DayWeather] = (0..<(days + 1)).map { _ in
            let rain = rng.chance(0.25) ? Double(2 + rng.next(28)) : 0
            return DayWeather(
                temperatureC: 24 + Double(rng.next(12)) + rng.noise(0.8), humidityPct: 45 + Double(rng.next(40)),
                rainMm: rain, rainHour: 12 + rng.next(10))
        }
        irrigation(weather, days: days, zones: zones, rng: &rng, into: &result)
        binsReplay(days: days, bins: bins, rng: &rng, responseHours: responseHours, start: start, calendar: calendar,
            into: &result)
        return result
    }

    /// Soil moisture per zone, hour by hour: drying with heat and dry air, wetted by rain and watering.
    static func irrigation(_ weather: [DayWeather], days: Int, zones: Int, rng: inout SeededRandom, into result: inout Result) {
        let program = IrrigationProgram(
            days: .weekly(Set(1...7)), starts: [360], minutes: 20, cycleMinutes: 10, soakMinutes: 10)
        let target = 32.0
        let rainDelayMm = 8.0
        for _ in 0..<zones {
            var smart = 24 + Double(rng.next(8))
            var fixed = smart
            let drying = 2.5 + Double(rng.next(150)) / 100  // points a day at 25 °C, 60 %
            for day in 1...max(1, days) {
                let today = weather[day]
                let yesterday = weather[day - 1]
                // 06:00: the day's run, from yesterday's weather (the last 24 h).
                let scale = WateringScale.scale(
                    .init(temperatureC: yesterday.temperatureC, humidityPct: yesterday.humidityPct,
                        rainMm: yesterday.rainMm)
                ).scale
                let planned = program.cycles(scale: scale, maxRunMinutes: 60).map(\.seconds).reduce(0, +) / 60
                if yesterday.rainMm >= rainDelayMm {
                    result.skippedRain += 1
                } else if SoilGate.verdict(
                    sensors: ["s"], latest: [.init(sensor: "s", moisture: smart, at: Date(timeIntervalSince1970: 0))],
                    target: target, reportInterval: 600, now: Date(timeIntervalSince1970: 0)
                ).wetEnough {
                    result.skippedSoil += 1
                } else if planned == 0 {
                    result.skippedScale += 1
                } else {
                    result.runs += 1
                    if smart >= target { result.runsWhileWet += 1 }
                    var minutes = 0
                    while minutes < planned {
                        if smart >= target {
                            result.stoppedAtTarget += 1
                            break
                        }
                        smart += 0.25
                        minutes += 1
                    }
                    result.litres += Double(minutes) * flow
                }
                // The fixed schedule: 20 minutes every morning whatever the weather and the soil.
                result.fixedRuns += 1
                if fixed >= target { result.fixedRunsWhileWet += 1 }
                fixed += 20 * 0.25
                result.fixedLitres += 20 * flow
                // The day: drying, and the rain.
                let dry = drying * (1 + (today.temperatureC - 25) / 15) * (1 + (60 - today.humidityPct) / 100)
                for soil in [0, 1] {
                    var m = soil == 0 ? smart : fixed
                    m = min(45, max(8, m - max(0, dry) + min(12, today.rainMm * 0.5)))
                    if soil == 0 { smart = m } else { fixed = m }
                }
            }
        }
    }

    static func binsReplay(
        days: Int, bins: Int, rng: inout SeededRandom, responseHours: Double, start: Date, calendar: Calendar,
        into result: inout Result
    ) {
        let hours = BinForecast.WorkingHours()
        let total = days * 24
        for _ in 0..<bins {
            // Points an hour by hour of the day: busy mornings and evenings, little at night.
            let daily = 15 + Double(rng.next(50))
            let shape: [Double] = (0..<24).map { h in
                let busy = exp(-pow(Double(h) - 8, 2) / 4) + exp(-pow(Double(h) - 19, 2) / 4) + 0.15
                return busy
            }
            let sum = shape.reduce(0, +)
            let rates = shape.map { $0 / sum * daily }
            var noise = SeededRandom(seed: rng.next())
            // Smart: readings every hour, the forecast asked each hour.
            var fill = Double(rng.next(30))
            var fixedFill = fill
            var readings: [BinForecast.Reading] = []
            var askedAt: Int?
            var overflowing = false
            var fixedOverflowing = false
            for hour in 0..<total {
                let now = start.addingTimeInterval(TimeInterval(hour * 3600))
                let h = hour % 24
                let weekend = calendar.isDateInWeekend(now)
                let gain = max(0, rates[h] * (weekend ? 1.3 : 1) * (1 + noise.noise(0.25)))
                fill = min(100, fill + gain)
                fixedFill = min(100, fixedFill + gain)
                if fill >= 100 && !overflowing {
                    result.overflows += 1
                    overflowing = true
                }
                if fixedFill >= 100 && !fixedOverflowing {
                    result.fixedOverflows += 1
                    fixedOverflowing = true
                }
                readings.append(.init(at: now, fill: fill))
                if readings.count > 24 * 21 { readings.removeFirst(readings.count - 24 * 21) }
                // Asked with an hour to spare: the replay looks once an hour.
                if askedAt == nil {
                    let forecast = BinForecast.forecast(
                        readings, now: now, hours: hours, lead: (responseHours + 1) * 3600, calendar: calendar)
                    if BinForecast.due(
                        forecast, fill: fill, now: now, hours: hours, lead: (responseHours + 1) * 3600, calendar: calendar)
                    {
                        askedAt = hour
                    }
                }
                // A collection asked for is done once the response time has passed, inside working hours.
                if let asked = askedAt {
                    let minute = h * 60
                    let working = minute >= hours.start && minute < hours.end
                    if working && Double(hour - asked) >= responseHours {
                        result.collections += 1
                        fill = 0
                        overflowing = false
                        askedAt = nil
                        readings.append(.init(at: now.addingTimeInterval(60), fill: 0))
                    }
                }
                // The fixed schedule empties every bin at 08:00.
                if h == 8 {
                    result.fixedCollections += 1
                    fixedFill = 0
                    fixedOverflowing = false
                }
            }
        }
    }
}
