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

    struct Spec {
        let name: String
        let type: String
        var building: String? = nil
        var room: String? = nil
        var zone: String? = nil
        /// Installed but never switched on (shows on the health page as never used).
        var idle = false
    }

    static let specs: [Spec] = [
        Spec(name: "正门人脸闸机1", type: "face_gate", zone: "正门"),
        Spec(name: "正门人脸闸机2", type: "face_gate", zone: "正门"),
        Spec(name: "1栋单元门禁", type: "access_reader", building: "1栋"),
        Spec(name: "2栋单元门禁", type: "access_reader", building: "2栋"),
        Spec(name: "3栋单元门禁", type: "access_reader", building: "3栋"),
        Spec(name: "1栋101智能门锁", type: "door_lock", building: "1栋", room: "101"),
        Spec(name: "2栋302智能门锁", type: "door_lock", building: "2栋", room: "302"),
        Spec(name: "1栋101门磁", type: "door_contact", building: "1栋", room: "101"),
        Spec(name: "1栋101人体感应", type: "motion", building: "1栋", room: "101"),
        Spec(name: "3栋502人体感应", type: "motion", building: "3栋", room: "502"),
        Spec(name: "1栋101烟感", type: "smoke", building: "1栋", room: "101"),
        Spec(name: "地下车库烟感", type: "smoke", zone: "地下车库"),
        Spec(name: "1栋101燃气探测器", type: "gas", building: "1栋", room: "101"),
        Spec(name: "4栋1204燃气探测器", type: "gas", building: "4栋", room: "1204"),
        Spec(name: "1栋101水浸", type: "water_leak", building: "1栋", room: "101"),
        Spec(name: "5栋801水浸", type: "water_leak", building: "5栋", room: "801"),
        Spec(name: "1栋101紧急按钮", type: "emergency_button", building: "1栋", room: "101"),
        Spec(name: "6栋1501紧急按钮", type: "emergency_button", building: "6栋", room: "1501", idle: true),
        Spec(name: "东区草坪土壤1", type: "soil_sensor", zone: "东区草坪"),
        Spec(name: "东区草坪土壤2", type: "soil_sensor", zone: "东区草坪"),
        Spec(name: "西区花园土壤", type: "soil_sensor", zone: "西区花园"),
        Spec(name: "东区草坪阀门", type: "irrigation_valve", zone: "东区草坪"),
        Spec(name: "西区花园阀门", type: "irrigation_valve", zone: "西区花园"),
        Spec(name: "1栋垃圾桶", type: "bin_level", building: "1栋"),
        Spec(name: "3栋垃圾桶", type: "bin_level", building: "3栋"),
        Spec(name: "5栋垃圾桶", type: "bin_level", building: "5栋", idle: true),
        Spec(name: "中心广场回收箱", type: "recycling_bin", zone: "中心广场"),
        // 1栋101's meters have six months of a household's life from the meters' own demo (`DemoMeters`).
        Spec(name: "1栋101水表", type: "water_meter", building: "1栋", room: "101", idle: true),
        Spec(name: "2栋302水表", type: "water_meter", building: "2栋", room: "302"),
        Spec(name: "泵房总水表", type: "water_meter", zone: "泵房"),
        Spec(name: "1栋101电表", type: "electricity_meter", building: "1栋", room: "101", idle: true),
        Spec(name: "公共照明电表", type: "electricity_meter", zone: "配电房"),
        Spec(name: "1栋101电视盒子", type: "tv_box", building: "1栋", room: "101"),
        Spec(name: "物业大厅自助机", type: "kiosk", zone: "物业中心"),
        Spec(name: "地下车库环境监测", type: "generic_sensor", zone: "地下车库"),
        Spec(name: "2栋302门磁", type: "door_contact", building: "2栋", room: "302"),
        Spec(name: "2栋302人体感应", type: "motion", building: "2栋", room: "302"),
        Spec(name: "中心广场气象站", type: "weather_station", zone: "中心广场"),
        Spec(name: "南区花坛土壤", type: "soil_sensor", zone: "南区花坛"),
        Spec(name: "南区花坛阀门", type: "irrigation_valve", zone: "南区花坛"),
        Spec(name: "2栋垃圾桶", type: "bin_level", building: "2栋"),
        Spec(name: "4栋垃圾桶", type: "bin_level", building: "4栋"),
        Spec(name: "6栋垃圾桶", type: "bin_level", building: "6栋"),
        Spec(name: "1栋北侧垃圾桶", type: "bin_level", building: "1栋"),
        Spec(name: "中心广场垃圾桶", type: "bin_level", zone: "中心广场"),
        Spec(name: "地下车库垃圾桶", type: "bin_level", zone: "地下车库"),
    ]

    /// 2栋302, where 李秀英 lives alone on the care watch: its door, motion, water meter and lock report
    /// her day (``HomeRoutine``), with a silent day about once a fortnight for the watch to find.
    static let routineHome = "2栋302"
    static let routine = HomeRoutine(seed: 302, gapEvery: 14)

    static func token(_ index: Int) -> String { "demo-device-\(index + 1)" }

    /// The devices the demo's simulator drives. Not the bins: their seeded month ends in the state their
    /// collections left (one nearly full, its task open), which a simulated bin emptying at random would undo.
    static var simulated: [Simulator.Device] {
        specs.enumerated().filter { !$0.element.idle && $0.element.type != "bin_level" }.map {
            Simulator.Device(
                name: $0.element.name, type: $0.element.type, token: token($0.offset),
                routine: "\($0.element.building ?? "")\($0.element.room ?? "")" == routineHome ? routine : nil)
        }
    }

    static func seed(_ db: any Database, community: UUID, buildings: [Building], households: [Household], now: Date)
        async throws
    {
        let buildingByName = Dictionary(uniqueKeysWithValues: buildings.map { ($0.name, $0) })
        var devices: [Device] = []
        for (index, spec) in specs.enumerated() {
            let device = Device()
            device.id = UUID()
            device.communityID = community
            device.type = spec.type
            device.name = spec.name
            device.serial = String(format: "LJ-%04d", index + 1)
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
            device.tokenHash = Secret.hash(token(index))
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
