import Benchmark
import Foundation
import LinliCore

/// A residents CSV like a real community's: `rows` lines, Chinese headers.
func residentsCSV(rows: Int) -> String {
    var lines = ["姓名,手机号,楼栋,房号,关系,出生年份,入住日期,老人,独居,儿童"]
    for i in 0..<rows {
        lines.append(
            "居民\(i),139\(String(format: "%08d", i)),\(i % 6 + 1)栋,\(i % 20 + 1)0\(i % 4 + 1),业主,\(1940 + i % 60),2020-05-01,否,否,否"
        )
    }
    return lines.joined(separator: "\n")
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal], maxDuration: .seconds(3))

    let csv = residentsCSV(rows: 5_000)
    Benchmark("ResidentImport.parse 5,000 rows") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(ResidentImport.parse(csv, currentYear: 2026))
        }
    }

    let community = UUID()
    var staff: [UUID: Set<StaffRole>] = [:]
    for _ in 0..<20 { staff[UUID()] = [.guard_] }
    staff[community] = [.operator_]
    let principal = Principal(personID: UUID(), staffRoles: staff, households: [UUID(): community])
    Benchmark("AccessPolicy.decide", configuration: .init(scalingFactor: .kilo)) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(AccessPolicy.decide(.manageRegistry(community), for: principal))
        }
    }

    Benchmark("ListOptions parse", configuration: .init(scalingFactor: .kilo)) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(
                try? ListOptions(
                    page: "3", per: "50", sort: "-name", order: nil, query: " 王 ", sortable: ["name", "phone"],
                    defaultSort: "name"))
        }
    }

    // Device hub: a community's rules evaluated against readings of many devices, as after each
    // telemetry transaction. One iteration is one (rule, reading) evaluation.
    let devices = (0..<1_000).map { i in
        DeviceFacts(id: UUID(), type: i % 2 == 0 ? "soil_sensor" : "gas", buildingID: nil, householdID: nil, zone: "东区")
    }
    let rules = [
        Rule(
            name: "dry", scope: RuleScope(deviceType: "soil_sensor", zone: "东区"), key: "soil_moisture",
            condition: RuleCondition(.below, value: 20), forMinutes: 10,
            actions: [RuleAction(.alarm, alarmType: "dry", severity: .minor)]),
        Rule(
            name: "gas", scope: RuleScope(deviceType: "gas"), key: "gas_lel",
            condition: RuleCondition(.above, value: 10),
            actions: [RuleAction(.alarm, alarmType: "gas", severity: .critical)]),
        Rule(
            name: "jump", scope: RuleScope(), key: "soil_moisture", condition: RuleCondition(.rateAbove, value: 5),
            actions: [RuleAction(.alarm, alarmType: "jump", severity: .warning)]),
    ]
    Benchmark("RuleEngine.applies + evaluate", configuration: .init(scalingFactor: .mega)) { benchmark in
        var states = [RuleState](repeating: RuleState(), count: devices.count * rules.count)
        var ts: Int64 = 1_790_000_000_000
        var fired = 0
        var i = 0
        for _ in benchmark.scaledIterations {
            let d = i % devices.count
            let r = (i / devices.count) % rules.count
            let rule = rules[r]
            if RuleEngine.applies(rule, to: devices[d]) {
                let value = Double((i &* 2_654_435_761) % 60)
                if RuleEngine.evaluate(rule, &states[d * rules.count + r], value: value, ts: ts) != nil { fired += 1 }
            }
            ts += 1_000
            i += 1
        }
        blackHole(fired)
    }

    let soil = EnvironmentDevices.types.first { $0.key == "soil_sensor" }!
    let single = JSON.parse(#"{"soil_moisture": 31.5, "soil_temperature": 18.2, "battery": 88}"#)!
    Benchmark("TelemetryParser.parse 3 keys", configuration: .init(scalingFactor: .kilo)) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try? TelemetryParser.parse(single, type: soil, now: 1_790_000_000_000))
        }
    }
    let hundred = JSON.array(
        (0..<100).map { i in
            .object([
                "ts": .number(Double(1_789_999_000_000 + i * 1000)),
                "values": .object(["soil_moisture": .number(Double(i % 100))]),
            ])
        })
    Benchmark("TelemetryParser.parse 100 readings") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try? TelemetryParser.parse(hundred, type: soil, now: 1_790_000_000_000))
        }
    }

    // A bin's month: the forecast job reads 28 days of hourly fill per bin (672 points) every 10 minutes.
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
    let start = Date(timeIntervalSince1970: 1_790_000_000 - 28 * 86_400)
    var fill = 0.0
    let month = (0..<672).map { hour -> BinForecast.Reading in
        fill = fill >= 85 ? 3 : fill + 0.4 + Double(hour % 24 >= 7 && hour % 24 <= 21 ? 1 : 0)
        return BinForecast.Reading(at: start.addingTimeInterval(Double(hour) * 3600), fill: fill)
    }
    let now = Date(timeIntervalSince1970: 1_790_000_000)
    Benchmark("BinForecast.forecast 28 days hourly") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(BinForecast.forecast(month, now: now, calendar: calendar))
        }
    }
    // A zone's day: six starts split into cycles with soaks, around quiet hours.
    let program = IrrigationProgram(
        days: .weekly(Set(1...7)), starts: [300, 420, 720, 1020, 1140, 1300], minutes: 20, cycleMinutes: 7,
        soakMinutes: 15, quietStart: 1320, quietEnd: 360)
    Benchmark("IrrigationProgram.cycles 6 starts", configuration: .init(scalingFactor: .kilo)) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(program.cycles(scale: 137, maxRunMinutes: 240))
        }
    }

    // A household meter's six months: 4,380 hourly readings joined and read per day and per month.
    let sixMonths = (0..<4_380).map { MeterUsage.Reading(ts: 1_774_000_000_000 + Int64($0) * 3_600_000, total: 100 + Double($0) * 0.012) }
    Benchmark("MeterUsage 6 months hourly → days and months") { benchmark in
        for _ in benchmark.scaledIterations {
            let series = MeterUsage.series(sixMonths, settings: .water)
            blackHole(MeterUsage.buckets(series, from: sixMonths[0].ts, to: sixMonths[4_379].ts, .day, maxGap: 93_600_000))
            blackHole(MeterUsage.buckets(series, from: sixMonths[0].ts, to: sixMonths[4_379].ts, .month, maxGap: 93_600_000))
        }
    }
    // Bill lines of 480 households × 6 months: each month's daily usage priced against two tariff
    // versions with annual tiers (the pricing part of the bill job, without the database).
    let tariffs = [
        TariffVersion(id: "w1", effectiveFrom: CivilDate(year: 2026, month: 1, day: 1)!, tierLimits: [180_000, 260_000], prices: [34_500, 48_300, 58_300]),
        TariffVersion(id: "w2", effectiveFrom: CivilDate(year: 2026, month: 4, day: 15)!, tierLimits: [180_000, 260_000], prices: [37_000, 51_000, 61_000]),
    ]
    let monthsOfDays: [[TariffPricing.DayUsage]] = (1...6).map { month in
        (1...28).map { TariffPricing.DayUsage(CivilDate(year: 2026, month: month, day: $0)!, Int64(250 + ($0 * 37) % 400)) }
    }
    Benchmark("TariffPricing 480 households × 6 months") { benchmark in
        for _ in benchmark.scaledIterations {
            for household in 0..<480 {
                var yearToDate = Int64(household * 50)
                for days in monthsOfDays {
                    let lines = TariffPricing.price(days, yearToDate: yearToDate, versions: tariffs)
                    yearToDate += lines.reduce(0) { $0 + $1.milliUnits }
                    blackHole(lines)
                }
            }
        }
    }
    Benchmark("Ledger.post 1,000 transfers") { benchmark in
        for _ in benchmark.scaledIterations {
            var ledger = Ledger()
            for i in 0..<1_000 {
                let wallet = Ledger.Account(.wallet, "h\(i % 50)")
                try? ledger.post(.transfer(Int64(100 + i), from: .init(.recyclingPayouts, "c"), to: wallet, cause: "w\(i)"))
            }
            blackHole(ledger)
        }
    }

    // The console's applications list: 500 open applications, each with its decision day (30 working
    // days after receipt) and the working days left today, on the 2026 calendar with an operator's lines.
    let workingDays = WorkingCalendar.china2026.merging((try? WorkingCalendar.parse("2027-01-01..2027-01-03 off\n2027-01-04 worked")) ?? WorkingCalendar())
    let clock = ApplicationClock(calendar: workingDays)
    let received = (0..<500).compactMap { CivilDate("2026-09-01")?.adding(days: $0 % 120) }
    let today = CivilDate("2026-12-05")!
    Benchmark("ApplicationClock 500 due days and days left") { benchmark in
        for _ in benchmark.scaledIterations {
            for day in received {
                let due = clock.decisionDue(acceptedOn: day, extended: false)
                blackHole(workingDays.workingDaysLeft(today: today, due: due))
            }
        }
    }
    // A senior-university course drawn: 2,000 applications for 60 seats, weights by the published rule.
    let entries = (0..<2_000).map { CourseDraw.Entry(applicationID: UUID().uuidString, weight: [1, 1.5, 2][$0 % 3]) }
    Benchmark("CourseDraw.draw 2,000 applications") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(CourseDraw.draw(seed: "benchmark-seed", entries: entries, seats: 60))
        }
    }

    assistantBenchmarks()
}

/// The assistant over STARD (`STARD_DIR`: the folder with its `corpus.jsonl` and `queries.jsonl`): the index
/// of its 43,895 articles built, and one dev question answered per iteration (cycling through the 308)
/// with the shipped model (`../Resources/Assistant/model.tsv`). Skipped when the data is not there.
func assistantBenchmarks() {
    guard let folder = ProcessInfo.processInfo.environment["STARD_DIR"],
        let corpus = FileManager.default.contents(atPath: folder + "/corpus.jsonl"),
        let queries = FileManager.default.contents(atPath: folder + "/queries.jsonl"),
        let passages = try? JSONLines.decode(PassageLine.self, from: corpus),
        let questions = try? JSONLines.decode(QuestionLine.self, from: queries)
    else { return }
    let texts = passages.map { (title: $0.title, text: $0.text) }
    let dev = questions.filter { $0.split == "dev" }.map(\.text)
    let model = FileManager.default.contents(atPath: "../Resources/Assistant/model.tsv")
        .flatMap { try? AssistantModel(parsing: String(decoding: $0, as: UTF8.self)) } ?? .untrained
    let measured: [BenchmarkMetric] = [.wallClock, .peakMemoryResident, .throughput]
    Benchmark("PassageIndex build, STARD 43,895 articles", configuration: .init(metrics: measured, maxDuration: .seconds(30), maxIterations: 3)) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(PassageIndex(passages: texts)) }
    }
    let index = PassageIndex(passages: texts)
    var next = 0
    Benchmark("PassageIndex.search, a STARD dev question", configuration: .init(metrics: measured, maxDuration: .seconds(10))) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(index.search(dev[next % dev.count], map: model.map, top: 10))
            next += 1
        }
    }
}
