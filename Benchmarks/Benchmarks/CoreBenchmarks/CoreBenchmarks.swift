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

    let soil = DeviceCatalog.type("soil_sensor")!
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
}
