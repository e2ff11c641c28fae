import Fluent
import Foundation
import LinliCore

/// The demo's smart environment: three zones (东区草坪, 西区花园, 南区花坛) with their programs and a month
/// of runs — skipped for rain and soil on the days the weather said so — and eight bins with a month of
/// hourly fill and the collections that emptied them; 1栋垃圾桶 is nearly full now, its task open.
enum DemoEnvironment {
    static func seed(_ world: DemoWorld, on db: any Database) async throws {
        let devices = try await Device.query(on: db).filter(\.$communityID == world.community).all()
        let now = world.now
        let calendar = Calendar.china
        var rng = SeededRandom(seed: 20_261_213)
        // Zones: a valve, its zone's soil sensors, a program.
        let programs: [String: ([IrrigationProgram], String, Double)] = [
            "东区草坪": (
                [
                    IrrigationProgram(days: .weekly(Set(1...7)), starts: [6 * 60], minutes: 12, cycleMinutes: 6, soakMinutes: 10),
                    IrrigationProgram(days: .weekly(Set(1...7)), restriction: .odd, starts: [18 * 60 + 30], minutes: 8),
                ], "lawn", 35
            ),
            "西区花园": ([IrrigationProgram(days: .interval(every: 2, offset: 0), starts: [6 * 60 + 30], minutes: 15)], "shrubs", 30),
            "南区花坛": (
                [
                    IrrigationProgram(
                        days: .weekly([1, 3, 5, 7]), starts: [7 * 60], minutes: 10, quietStart: 22 * 60, quietEnd: 6 * 60)
                ], "flowers", 40
            ),
        ]
        let start = calendar.startOfDay(for: now.addingTimeInterval(-30 * 86_400))
        // The month's weather: a rainy day about one in four.
        let rainy = (0..<31).map { _ in rng.next(4) == 0 }
        for valve in devices.filter({ $0.type == "irrigation_valve" }).sorted(by: { $0.name < $1.name }) {
            guard let name = valve.zone, let (zonePrograms, plant, target) = programs[name], let valveID = valve.id else {
                continue
            }
            let zone = IrrigationZone()
            zone.id = UUID()
            zone.communityID = world.community
            zone.name = name
            zone.valveID = valveID
            zone.sensorIDs = devices.filter { $0.type == "soil_sensor" && $0.zone == name }.compactMap(\.id)
            zone.plant = plant
            zone.targetMoisture = target
            zone.maxRunMinutes = 60
            zone.litresPerMinute = 18
            zone.rainSkipMm = 5
            zone.programs = zonePrograms
            zone.createdAt = start
            zone.updatedAt = start
            try await zone.create(on: db)
            var runs: [IrrigationRun] = []
            for day in 0...30 {
                for (index, program) in zonePrograms.enumerated() {
                guard let date = calendar.date(byAdding: .day, value: day, to: start),
                    program.runs(on: date.addingTimeInterval(12 * 3600), calendar: calendar)
                else { continue }
                for s in program.starts {
                    let at = date.addingTimeInterval(TimeInterval(s * 60))
                    guard at < now.addingTimeInterval(-Irrigation.startGrace) else { continue }
                    let run = IrrigationRun()
                    run.communityID = world.community
                    run.zoneID = zone.id!
                    run.key = "\(zone.id!):\(Calendar.chinaDate(at)):\(index):\(s)"
                    run.kind = "program"
                    run.plannedAt = at
                    let scale = 60 + rng.next(80)
                    run.scale = scale
                    var one = program
                    one.starts = [s]
                    let cycles = one.cycles(scale: scale, maxRunMinutes: zone.maxRunMinutes)
                    let first = cycles.first?.start ?? s * 60
                    run.cycles = cycles.map { [$0.start - first, $0.seconds] }
                    run.cycleIndex = max(0, cycles.count - 1)
                    run.phaseAt = at
                    run.openSeconds = 0
                    run.version = 0
                    run.updatedAt = at
                    if rainy[day] {
                        run.status = .skipped
                        run.skipReason = .rain
                    } else if rng.next(10) < 3 {
                        run.status = .skipped
                        run.skipReason = .soil
                        run.moisture = target + Double(rng.next(60)) / 10
                    } else {
                        run.status = .done
                        run.openSeconds = run.plannedSeconds
                        run.startedAt = at.addingTimeInterval(20)
                        let early = rng.next(5) == 0
                        if early { run.openSeconds = run.openSeconds * 2 / 3 }
                        run.stopReason = early ? .target : .timeUp
                        run.stoppedAt = at.addingTimeInterval(TimeInterval(run.openSeconds + 20))
                        run.closedAt = run.stoppedAt?.addingTimeInterval(30)
                        run.litres = IrrigationRules.litres(openSeconds: run.openSeconds, meanFlow: nil, estimate: 18)
                        run.moisture = target - Double(5 + rng.next(80)) / 10
                    }
                    runs.append(run)
                }
                }
            }
            try await runs.create(on: db)
        }
        try await seedBins(world, devices: devices, start: start, rng: &rng, on: db)
    }

    /// Each bin fills by the hour (faster at the morning and evening rush), is asked for by the forecast
    /// rule, and emptied in the next working hour; its readings go in hourly.
    static func seedBins(
        _ world: DemoWorld, devices: [Device], start: Date, rng: inout SeededRandom, on db: any Database
    ) async throws {
        let now = world.now
        let calendar = Calendar.china
        let bins = devices.filter { $0.type == "bin_level" && $0.name != "5栋垃圾桶" }.sorted { $0.name < $1.name }
        for (index, device) in bins.enumerated() {
            let ref = try DeviceRef(device)
            let nearlyFull = device.name == "1栋垃圾桶"
            let base = 0.35 + Double(rng.next(40)) / 100
            var fill = Double(rng.next(30))
            var readings: [Reading] = []
            var events: [BinEvent] = []
            var askedAt: Date?
            var lastEmptied: Date?
            var t = start
            let endTs = now.addingTimeInterval(-600)
            let lastDay = now.addingTimeInterval(-30 * 3600)
            var ramp: Double?
            while t < endTs {
                let hour = calendar.component(.hour, from: t)
                let rush = (7...9).contains(hour) || (18...21).contains(hour) ? 2.6 : hour < 6 ? 0.2 : 1
                // The last day of 1栋垃圾桶 nobody came, and it filled fast: it is nearly full (86 %) now.
                let skip = nearlyFull && t > lastDay
                if skip {
                    let step = ramp ?? max(0, 86 - fill) / (endTs.timeIntervalSince(t) / 3600)
                    ramp = step
                    fill = min(87, fill + step)
                } else {
                    fill = min(100, fill + base * rush * Double(80 + rng.next(40)) / 100)
                }
                let working = (7..<19).contains(hour)
                if askedAt == nil, fill >= 75 || (hour == 17 && fill >= 55) { askedAt = t }
                if let asked = askedAt, working, t.timeIntervalSince(asked) >= 3600, !skip {
                    fill = Double(rng.next(5))
                    askedAt = nil
                    lastEmptied = t
                    events.append(BinEvent(community: world.community, device: device.id!, "emptied", at: t))
                }
                readings.append(Reading(key: "fill_level", ts: Int64(t.timeIntervalSince1970 * 1000), value: .number((fill * 10).rounded() / 10)))
                readings.append(Reading(key: "temperature", ts: Int64(t.timeIntervalSince1970 * 1000), value: .number(Double(16 + rng.next(10)))))
                t = t.addingTimeInterval(3600)
            }
            _ = try await TelemetryStore.insert([TelemetryBatch(device: ref, readings: readings, receivedAt: readings.last?.ts ?? 0)], on: db)
            try await events.create(on: db)
            let bin = WasteBin(community: world.community, device: device.id!, now: now)
            bin.capacityLitres = index % 3 == 0 ? 660 : 240
            bin.lastFill = (fill * 10).rounded() / 10
            bin.lastFillAt = endTs
            bin.lastEmptiedAt = lastEmptied
            if nearlyFull || askedAt != nil {
                bin.taskID = try await StaffTasks.open(
                    Bins.taskTitle, .init(device: device.id), community: world.community,
                    now: askedAt ?? now.addingTimeInterval(-3600), on: db)
            }
            try await bin.create(on: db)
            _ = try await Bins.forecast(of: bin, now: now, on: db)
        }
    }

}

extension SmartEnvironment {
    static var deviceTypes: [DeviceType] { EnvironmentDevices.types }

    static var demoDevices: [DemoDevices.Spec] {
        [
            DemoDevices.Spec(19, "东区草坪土壤1", "soil_sensor", zone: "东区草坪"),
            DemoDevices.Spec(20, "东区草坪土壤2", "soil_sensor", zone: "东区草坪"),
            DemoDevices.Spec(21, "西区花园土壤", "soil_sensor", zone: "西区花园"),
            DemoDevices.Spec(22, "东区草坪阀门", "irrigation_valve", zone: "东区草坪"),
            DemoDevices.Spec(23, "西区花园阀门", "irrigation_valve", zone: "西区花园"),
            DemoDevices.Spec(24, "1栋垃圾桶", "bin_level", building: "1栋"),
            DemoDevices.Spec(25, "3栋垃圾桶", "bin_level", building: "3栋"),
            DemoDevices.Spec(26, "5栋垃圾桶", "bin_level", building: "5栋", idle: true),
            DemoDevices.Spec(38, "中心广场气象站", "weather_station", zone: "中心广场"),
            DemoDevices.Spec(39, "南区花坛土壤", "soil_sensor", zone: "南区花坛"),
            DemoDevices.Spec(40, "南区花坛阀门", "irrigation_valve", zone: "南区花坛"),
            DemoDevices.Spec(41, "2栋垃圾桶", "bin_level", building: "2栋"),
            DemoDevices.Spec(42, "4栋垃圾桶", "bin_level", building: "4栋"),
            DemoDevices.Spec(43, "6栋垃圾桶", "bin_level", building: "6栋"),
            DemoDevices.Spec(44, "1栋北侧垃圾桶", "bin_level", building: "1栋"),
            DemoDevices.Spec(45, "中心广场垃圾桶", "bin_level", zone: "中心广场"),
            DemoDevices.Spec(46, "地下车库垃圾桶", "bin_level", zone: "地下车库"),
        ]
    }
}
