import Fluent
import Foundation
import LinliCore
import Vapor

/// The demo community's devices — every catalogue type, placed where they would be — with two weeks
/// of history, rules, and provisioning open with the key `linli-demo` / secret `linli-demo-secret`.
/// Tokens are `demo-device-N`: the demo is public, and `linli demo` drives these same devices with the
/// simulator.
enum DemoDevices {
    static let provisionKey = "linli-demo"
    static let provisionSecret = "linli-demo-secret"

    struct Spec: Sendable {
        /// The token is `demo-device-<number>`, and the serial `LJ-<number>`: fixed, so that what the README
        /// and the scripts name stays true when a feature adds devices (take the next free number).
        let number: Int
        let name: String
        let type: String
        var building: String? = nil
        var room: String? = nil
        var zone: String? = nil
        /// Installed but never switched on (shows on the health page as never used).
        var idle = false

        init(
            _ number: Int, _ name: String, _ type: String, building: String? = nil, room: String? = nil, zone: String? = nil,
            idle: Bool = false
        ) {
            self.number = number
            self.name = name
            self.type = type
            self.building = building
            self.room = room
            self.zone = zone
            self.idle = idle
        }
    }

    /// Every feature's demo devices, by token number.
    static var specs: [Spec] { Features.all.flatMap { $0.demoDevices }.sorted { $0.number < $1.number } }

    /// 2栋302, where 李秀英 lives alone on the care watch: its door, motion, water meter and lock report
    /// her day (``HomeRoutine``), with a silent day about once a fortnight for the watch to find.
    static let routineHome = "2栋302"
    static let routine = HomeRoutine(seed: 302, gapEvery: 14)

    static func token(_ number: Int) -> String { "demo-device-\(number)" }

    /// The devices the demo's simulator drives. Not the bins: their seeded month ends in the state their
    /// collections left (one nearly full, its task open), which a simulated bin emptying at random would undo.
    static var simulated: [Simulator.Device] {
        specs.filter { !$0.idle && $0.type != "bin_level" }.map {
            Simulator.Device(
                name: $0.name, type: $0.type, token: token($0.number),
                routine: "\($0.building ?? "")\($0.room ?? "")" == routineHome ? routine : nil)
        }
    }

    static func seed(_ db: any Database, community: UUID, buildings: [Building], households: [Household], now: Date)
        async throws
    {
        let buildingByName = Dictionary(uniqueKeysWithValues: buildings.map { ($0.name, $0) })
        var devices: [Device] = []
        for spec in specs {
            let device = Device()
            device.id = UUID()
            device.communityID = community
            device.type = spec.type
            device.name = spec.name
            device.serial = String(format: "LJ-%04d", spec.number)
            device.zone = spec.zone
            if let name = spec.building, let building = buildingByName[name] {
                device.buildingID = building.id
                if let room = spec.room {
                    device.householdID = households.first { $0.buildingID == building.id && $0.room == room }?.id
                }
            }
            device.attributes = JSON.object(["installer": .string("重庆礼嘉物业"), "installed": .string("2025-06-01")]).text
            device.clientAttributes = "{}"
            device.sharedAttributes = "{}"
            device.tokenHash = Secret.hash(token(spec.number))
            device.disabled = false
            device.provisioned = false
            devices.append(device)
        }
        try await devices.create(on: db)

        let provisioning = DeviceProvisioning()
        provisioning.communityID = community
        provisioning.key = provisionKey
        provisioning.secretHash = Secret.hash(provisionSecret)
        provisioning.enabled = true
        provisioning.defaultType = DeviceCatalog.genericKey
        try await provisioning.create(on: db)

        let rules = [
            Rule(
                name: "燃气泄漏", scope: RuleScope(deviceType: "gas"), key: "gas_lel",
                condition: RuleCondition(.above, value: 10),
                actions: [
                    RuleAction(.alarm, alarmType: "gas_leak", severity: .critical),
                    RuleAction(.notify, title: "燃气浓度超标，请立即上门", role: .guard_),
                    RuleAction(.notify, title: "家中燃气浓度超标，请开窗并关闭燃气阀"),
                    RuleAction(.command, method: "close_valve"),
                ]),
            Rule(
                name: "家中漏水", scope: RuleScope(deviceType: "water_leak"), key: "leak",
                condition: RuleCondition(.above, value: 0.5),
                actions: [
                    RuleAction(.alarm, alarmType: "water_leak", severity: .major),
                    RuleAction(.notify, title: "家中检测到漏水"),
                ]),
            Rule(
                name: "紧急呼叫", scope: RuleScope(deviceType: "emergency_button"), key: "pressed",
                condition: RuleCondition(.above, value: 0.5),
                actions: [
                    RuleAction(.alarm, alarmType: "emergency", severity: .critical),
                    RuleAction(.task, title: "紧急呼叫：立即上门查看", role: .guard_),
                ]),
            Rule(
                name: "门未上锁", scope: RuleScope(deviceType: "door_lock"), key: "locked",
                condition: RuleCondition(.below, value: 0.5), forMinutes: 10,
                actions: [
                    RuleAction(.alarm, alarmType: "door_unlocked", severity: .warning),
                    RuleAction(.notify, title: "家门超过 10 分钟未上锁"),
                ]),
            Rule(
                name: "独居老人家中长时间无活动", scope: RuleScope(deviceType: "motion"), key: "motion",
                condition: RuleCondition(.noData, value: 12 * 60),
                actions: [
                    RuleAction(.alarm, alarmType: "no_activity", severity: .major),
                    RuleAction(.notify, title: "请致电或上门看望", role: .communityWorker),
                ]),
        ]
        for rule in rules {
            let record = RuleRecord()
            record.id = rule.id
            record.communityID = community
            record.name = rule.name
            record.enabled = rule.enabled
            record.definition = String(decoding: try JSONEncoder.linli.encode(rule), as: UTF8.self)
            try await record.create(on: db)
        }

        // Two weeks of hourly history for the devices that are switched on.
        let end = Int64(now.timeIntervalSince1970 * 1000)
        let start = TimeBuckets.start(of: end, .hour) - 14 * 86_400_000
        // Bins' month of fill comes with their collections (`DemoEnvironment`).
        for (index, spec) in specs.enumerated() where !spec.idle && spec.type != "bin_level" {
            let device = devices[index]
            let ref = try DeviceRef(device)
            var model = VirtualDevice(
                type: spec.type, seed: UInt64(index + 1) * 7919,
                routine: "\(spec.building ?? "")\(spec.room ?? "")" == routineHome ? routine : nil)
            var readings: [Reading] = []
            // A home's meter has half a year of history (its bills and the usage page read months back).
            let meter = ["water_meter", "electricity_meter"].contains(spec.type) && spec.room != nil
            var ts = meter ? start - 169 * 86_400_000 : start
            while ts < end {
                for (key, value) in model.step(at: ts, seconds: 3600) {
                    if case .success(let checked) = TelemetryParser.check(key: key, value: value, type: ref.catalogue) {
                        readings.append(Reading(key: key, ts: ts, value: checked))
                    }
                }
                ts = ts + 3_600_000 >= end && ts < end - 60_000 ? end - 60_000 : ts + 3_600_000
            }
            _ = try await TelemetryStore.insert(
                [TelemetryBatch(device: ref, readings: readings, receivedAt: ts)], on: db)
        }
    }

    /// Drives the demo devices through the server's own device API, gently, for as long as it runs.
    static func simulate(_ app: Application, hostname: String, port: Int) {
        var options = Simulator.Options()
        options.url = "http://\(hostname == "0.0.0.0" ? "127.0.0.1" : hostname):\(port)"
        options.rate = 2
        options.connections = 2
        options.duration = 10 * 365 * 86_400
        options.devices = simulated.count
        Simulator.widenConnectionPool(app, options)
        let simulator = Simulator(options: options, client: app.client)
        let task = Task {
            for _ in 0..<100 {
                try? await Task.sleep(nanoseconds: 200_000_000)
                if let ready = try? await app.client.get(URI(string: options.url + "/healthz")), ready.status == .ok {
                    break
                }
            }
            if Task.isCancelled { return }
            // Meters carry on from what they last reported, so the stored history and the live readings
            // are one unbroken register.
            var devices = simulated
            for index in devices.indices {
                let key = ["water_meter": "water_total", "electricity_meter": "energy_total"][devices[index].type]
                guard let key,
                    let row = try? await Device.query(on: app.db).filter(\.$tokenHash == Secret.hash(devices[index].token)).first(),
                    let id = row.id,
                    case .number(let total)? = try? await TelemetryStore.latest(id, on: app.db).first(where: { $0.key == key })?.value
                else { continue }
                devices[index].total = total
            }
            do { _ = try await simulator.run(devices) } catch is CancellationError {} catch {
                app.logger.report(error: error)
            }
        }
        app.lifecycle.use(CancelOnShutdown(task: task))
        app.lifecycle.use(CancelOnShutdown(task: DemoGates.simulate(app, url: options.url)))
    }
}

/// Stops a background task before the application's services go away.
struct CancelOnShutdown: LifecycleHandler {
    let task: Task<Void, Never>

    func shutdown(_ application: Application) { task.cancel() }
}

extension Devices {
    static var deviceTypes: [DeviceType] { HubDevices.types }

    static var demoDevices: [DemoDevices.Spec] {
        [
            DemoDevices.Spec(34, "物业大厅自助机", "kiosk", zone: "物业中心"),
            DemoDevices.Spec(35, "地下车库环境监测", "generic_sensor", zone: "地下车库"),
            // The notifier's texts go out through it.
            DemoDevices.Spec(47, "物业短信网关", "sms_gateway", zone: "物业中心"),
        ]
    }
}
