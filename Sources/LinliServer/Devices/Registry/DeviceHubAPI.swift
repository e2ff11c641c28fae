import Fluent
import FluentSQL
import LinliCore
import Vapor

extension Sorting {
    static let devices = Sorting(keys: ["name", "type", "created_at"], defaultSort: "name")
    static let alarms = Sorting(keys: ["started_at", "updated_at", "severity", "type"], defaultSort: "-started_at")
    static let commands = Sorting(keys: ["id", "created_at", "status"], defaultSort: "-id")
    static let rules = Sorting(keys: ["name", "created_at"], defaultSort: "name")
    static let tasks = Sorting(keys: ["created_at", "status"], defaultSort: "-created_at")
}

/// `/api/v1/communities/{communityID}/devices|rules|alarms|commands|tasks|...`: operators' side of the hub.
enum DeviceHubAPI {
    static let c = RegistryAPI.c
    static let d = c + "/devices/{deviceID}"

    static func communityID(_ req: Request, _ access: (UUID) -> AccessRequest) async throws -> UUID {
        try await RegistryAPI.communityID(req, access)
    }

    static func device(_ req: Request, _ access: (UUID) -> AccessRequest = { .viewDevices($0) }) async throws -> Device
    {
        let community = try await communityID(req, access)
        return try await Device.find(try req.id("deviceID"), in: community, on: req.db)
    }

    static func reads(_ devices: [Device], on req: Request) async throws -> [DeviceRead] {
        guard let community = devices.first?.communityID else { return [] }
        let status = try await DeviceHealth.status(community: community, on: req.db)
        let now = req.clock.now()
        return try devices.map { try DeviceRead($0, lastSeen: status[$0.id!]?.last, now: now) }
    }

    static func register(_ app: Application, _ api: any RoutesBuilder) {
        api.register(
            .init(
                method: .GET, path: "/api/v1/device-types", operationID: "listDeviceTypes",
                summary: "The device catalogue: telemetry keys, units, commands", tag: "devices",
                response: Schema.array(Schema.ref("DeviceType"))), in: app
        ) { _ in DeviceCatalog.all.map(DeviceTypeRead.init) }
        registerDevices(app, api)
        registerTelemetryAndCommands(app, api)
        registerRulesAlarmsTasks(app, api)
    }

    static func registerDevices(_ app: Application, _ api: any RoutesBuilder) {
        api.register(
            .init(
                method: .GET, path: c + "/devices", operationID: "listDevices", summary: "Devices of a community",
                tag: "devices", response: Schema.page(of: "Device"),
                query: Endpoint.listQuery(.devices) + [.init(name: "type", schema: Schema.string(max: 40))]), in: app
        ) { req in
            let id = try await communityID(req, { .viewDevices($0) })
            let options = try req.listOptions(.devices)
            var query = Device.scoped(to: id, on: req.db)
            if let q = options.query { query = query.group(.or) { $0.filter(\.$name ~~ q).filter(\.$serial ~~ q) } }
            if let type = req.query[String.self, at: "type"] { query = query.filter(\.$type == type) }
            let page = try await query.page(options, map: { $0 })
            return ListPage(items: try await reads(page.items, on: req), metadata: page.metadata)
        }
        api.register(
            .init(
                method: .POST, path: c + "/devices", operationID: "createDevice",
                summary: "Add a device; the answer holds its access token, shown only once", tag: "devices",
                body: Schema.ref("DeviceCreate"), status: .created, response: Schema.ref("DeviceCredentials")), in: app
        ) { req in
            let id = try await communityID(req, { .manageDevices($0) })
            let (device, token) = try await DeviceRegistry.create(in: id, try req.decode(DeviceCreate.self), by: req)
            return Created(
                value: DeviceCredentials(
                    device: try DeviceRead(device, lastSeen: nil, now: req.clock.now()), token: token))
        }
        api.register(
            .init(
                method: .POST, path: c + "/devices/import", operationID: "importDevices",
                summary: "Add devices from CSV (type,name,serial,building,room,zone): all rows or none", tag: "devices",
                body: Schema.string(), bodyContentType: "text/csv", maxBody: "2mb", status: .created,
                response: Schema.array(Schema.ref("ImportedDevice"))), in: app
        ) { req in
            let id = try await communityID(req, { .manageDevices($0) })
            guard let buffer = req.body.data else { throw LinliError.invalid("", "missing_value") }
            return Created(
                value: try await DeviceImporter.run(
                    String(decoding: Data(buffer: buffer), as: UTF8.self), in: id, on: req))
        }
        api.register(
            .init(
                method: .GET, path: d, operationID: "getDevice", summary: "One device", tag: "devices",
                response: Schema.ref("Device")), in: app
        ) { req in try await reads([try await device(req)], on: req)[0] }
        api.register(
            .init(
                method: .PATCH, path: d, operationID: "updateDevice", summary: "Change, disable or enable a device",
                tag: "devices", body: Schema.ref("DeviceUpdate"), response: Schema.ref("Device")), in: app
        ) { req in
            let device = try await device(req, { .manageDevices($0) })
            try await DeviceRegistry.update(device, try req.decode(DeviceUpdate.self), by: req)
            return try await reads([device], on: req)[0]
        }
        api.register(
            .init(
                method: .DELETE, path: d, operationID: "deleteDevice", summary: "Remove a device and its data",
                tag: "devices", status: .noContent), in: app
        ) { req in
            try await DeviceRegistry.delete(try await device(req, { .manageDevices($0) }), by: req)
            return NoContent()
        }
        api.register(
            .init(
                method: .POST, path: d + "/token", operationID: "rotateDeviceToken",
                summary: "Issue a new access token (the old one stops working)", tag: "devices",
                response: Schema.ref("DeviceCredentials")), in: app
        ) { req in
            let device = try await device(req, { .manageDevices($0) })
            let token = try await DeviceRegistry.rotateToken(device, by: req)
            return DeviceCredentials(device: try await reads([device], on: req)[0], token: token)
        }
        api.register(
            .init(
                method: .POST, path: d + "/shared-attributes", operationID: "setSharedAttributes",
                summary: "Set shared attributes (null removes one); a device waiting on attributes/updates gets them",
                tag: "devices", body: Schema.ref("AttributeValues"), response: Schema.ref("Device")), in: app
        ) { req in
            let device = try await device(req, { .sendCommands($0) })
            guard case .object(let values) = try req.decode(JSON.self) else {
                throw LinliError.invalid("", "expected_object")
            }
            try await DeviceRegistry.share(values, with: device, by: req)
            return try await reads([try await Device.find(device.id, on: req.db) ?? device], on: req)[0]
        }
        api.register(
            .init(
                method: .GET, path: c + "/provisioning", operationID: "getProvisioning",
                summary: "The community's provisioning key (the secret is never shown)", tag: "devices",
                response: Schema.ref("Provisioning")), in: app
        ) { req in
            let id = try await communityID(req, { .manageDevices($0) })
            let row = try await DeviceProvisioning.query(on: req.db).filter(\.$communityID == id).first()
            return row.map(ProvisioningRead.init)
                ?? ProvisioningRead(enabled: false, key: nil, defaultType: DeviceCatalog.genericKey)
        }
        api.register(
            .init(
                method: .PUT, path: c + "/provisioning", operationID: "setProvisioning",
                summary: "Enable or disable provisioning; set its key, secret and default device type", tag: "devices",
                body: Schema.ref("ProvisioningUpdate"), response: Schema.ref("Provisioning")), in: app
        ) { req in
            let id = try await communityID(req, { .manageDevices($0) })
            let row = try await DeviceRegistry.setProvisioning(try req.decode(ProvisioningUpdate.self), in: id, by: req)
            return ProvisioningRead(row)
        }
        api.register(
            .init(
                method: .GET, path: c + "/device-health", operationID: "getDeviceHealth",
                summary: "Online rate, devices offline longest, never used, low battery", tag: "devices",
                response: Schema.ref("DeviceHealth")), in: app
        ) { req in
            try await healthReport(try await communityID(req, { .viewDevices($0) }), on: req)
        }
    }

    static func registerTelemetryAndCommands(_ app: Application, _ api: any RoutesBuilder) {
        api.register(
            .init(
                method: .GET, path: d + "/telemetry/latest", operationID: "getLatestTelemetry",
                summary: "Latest value of every key", tag: "telemetry",
                response: Schema.array(Schema.ref("LatestValue"))),
            in: app
        ) { req in try await TelemetryStore.latest(try await device(req).requireID(), on: req.db) }
        api.register(
            .init(
                method: .GET, path: d + "/telemetry", operationID: "getTelemetrySeries",
                summary: "A key's time series, raw or aggregated (from/to in ms, to exclusive)", tag: "telemetry",
                response: Schema.ref("Series"),
                query: [
                    .init(name: "key", schema: Schema.string(min: 1, max: 64)),
                    .init(name: "from", schema: Schema.integer(min: 0)),
                    .init(name: "to", schema: Schema.integer(min: 0)),
                    .init(name: "interval", schema: Schema.enumeration(Interval.allCases.map(\.rawValue))),
                    .init(name: "agg", schema: Schema.enumeration(AggregateFunction.allCases.map(\.rawValue))),
                    .init(name: "limit", schema: Schema.integer(min: 1, max: 10_000)),
                ]), in: app
        ) { req in
            let device = try await device(req)
            var v = Validation()
            let key = v.text(req.query[String.self, at: "key"], "key", max: 64) ?? ""
            let now = Int64(req.clock.now().timeIntervalSince1970 * 1000)
            let representable: ClosedRange<Int64> = 0...4_102_444_800_000  // up to 2100-01-01
            func stamp(_ name: String) throws -> Int64? {
                guard let value = try req.int64Query(name) else { return nil }
                guard representable.contains(value) else { throw LinliError.invalid(name, "out_of_range") }
                return value
            }
            let to = try stamp("to") ?? now + 1
            let from = try stamp("from") ?? max(0, to - 86_400_000)
            guard let interval = Interval(rawValue: req.query[String.self, at: "interval"] ?? "none") else {
                throw LinliError(
                    .invalidListQuery, ["field": "interval"],
                    issues: [FieldIssue(field: "interval", reason: "invalid_value")])
            }
            guard let agg = AggregateFunction(rawValue: req.query[String.self, at: "agg"] ?? "avg") else {
                throw LinliError(
                    .invalidListQuery, ["field": "agg"], issues: [FieldIssue(field: "agg", reason: "invalid_value")])
            }
            let limit = try req.int64Query("limit").map(Int.init) ?? 1000
            if from >= to { v.fail("from", "out_of_range") }
            if !(1...10_000).contains(limit) { v.fail("limit", "out_of_range") }
            if interval == .minute, to - from > TelemetryStore.maxMinuteRange { v.fail("from", "range_too_long") }
            try v.check()
            let points = try await TelemetryStore.series(
                device: try device.requireID(), key: key, from: from, to: to, interval: interval, function: agg,
                limit: limit, on: req.db)
            return SeriesRead(key: key, interval: interval, agg: agg, points: points)
        }
        api.register(
            .init(
                method: .POST, path: d + "/commands", operationID: "sendCommand",
                summary: "Queue a command (persistent: delivered when the device polls or holds its WebSocket)",
                tag: "commands", body: Schema.ref("CommandCreate"), status: .created, response: Schema.ref("Command")),
            in: app
        ) { req in
            let device = try await device(req, { .sendCommands($0) })
            return Created(
                value: try CommandRead(
                    try await DeviceRegistry.sendCommand(to: device, try req.decode(CommandCreate.self), by: req)))
        }
        api.register(
            .init(
                method: .GET, path: c + "/commands", operationID: "listCommands",
                summary: "Commands of a community, newest first", tag: "commands", response: Schema.page(of: "Command"),
                query: Endpoint.listQuery(.commands) + [
                    .init(name: "deviceID", schema: Schema.uuid),
                    .init(name: "status", schema: Schema.enumeration(CommandStatus.allCases.map(\.rawValue))),
                ]), in: app
        ) { req in
            let id = try await communityID(req, { .viewDevices($0) })
            let options = try req.listOptions(.commands)
            var query = DeviceCommand.query(on: req.db).filter(\.$communityID == id)
            if let device = req.query[UUID.self, at: "deviceID"] { query = query.filter(\.$deviceID == device) }
            if let text = req.query[String.self, at: "status"] {
                guard let status = CommandStatus(rawValue: text) else {
                    throw LinliError(
                        .invalidListQuery, ["field": "status"],
                        issues: [FieldIssue(field: "status", reason: "invalid_value")])
                }
                query = query.filter(\.$status == status)
            }
            if let q = options.query { query = query.filter(\.$method ~~ q) }
            return try await query.page(options, map: CommandRead.init)
        }
        api.register(
            .init(
                method: .GET, path: c + "/commands/{commandID}", operationID: "getCommand", summary: "One command",
                tag: "commands", response: Schema.ref("Command"), pathSchemas: ["commandID": Schema.integer(min: 1)]),
            in: app
        ) { req in
            let id = try await communityID(req, { .viewDevices($0) })
            guard let commandID = req.parameters.get("commandID", as: Int.self),
                let command = try await DeviceCommand.find(commandID, on: req.db), command.communityID == id
            else { throw LinliError(.notFound) }
            return try CommandRead(command)
        }
    }

    static func registerRulesAlarmsTasks(_ app: Application, _ api: any RoutesBuilder) {
        api.register(
            .init(
                method: .GET, path: c + "/rules", operationID: "listRules", summary: "Rules of a community",
                tag: "rules", response: Schema.page(of: "Rule"), query: Endpoint.listQuery(.rules)), in: app
        ) { req in
            let id = try await communityID(req, { .viewDevices($0) })
            let options = try req.listOptions(.rules)
            var query = RuleRecord.scoped(to: id, on: req.db)
            if let q = options.query { query = query.filter(\.$name ~~ q) }
            return try await query.page(options, map: { RuleRead(try DeviceRegistry.rule($0)) })
        }
        api.register(
            .init(
                method: .POST, path: c + "/rules", operationID: "createRule", summary: "Add a rule", tag: "rules",
                body: Schema.ref("RuleInput"), status: .created, response: Schema.ref("Rule")), in: app
        ) { req in
            let id = try await communityID(req, { .manageDevices($0) })
            return Created(
                value: RuleRead(
                    try await DeviceRegistry.saveRule(try req.decode(RuleInput.self), existing: nil, in: id, by: req)))
        }
        api.register(
            .init(
                method: .GET, path: c + "/rules/{ruleID}", operationID: "getRule", summary: "One rule", tag: "rules",
                response: Schema.ref("Rule")), in: app
        ) { req in
            let id = try await communityID(req, { .viewDevices($0) })
            return RuleRead(
                try DeviceRegistry.rule(try await RuleRecord.find(try req.id("ruleID"), in: id, on: req.db)))
        }
        api.register(
            .init(
                method: .PUT, path: c + "/rules/{ruleID}", operationID: "updateRule", summary: "Replace a rule",
                tag: "rules", body: Schema.ref("RuleInput"), response: Schema.ref("Rule")), in: app
        ) { req in
            let id = try await communityID(req, { .manageDevices($0) })
            let record = try await RuleRecord.find(try req.id("ruleID"), in: id, on: req.db)
            return RuleRead(
                try await DeviceRegistry.saveRule(try req.decode(RuleInput.self), existing: record, in: id, by: req))
        }
        api.register(
            .init(
                method: .DELETE, path: c + "/rules/{ruleID}", operationID: "deleteRule", summary: "Remove a rule",
                tag: "rules", status: .noContent), in: app
        ) { req in
            let id = try await communityID(req, { .manageDevices($0) })
            try await DeviceRegistry.deleteRule(
                try await RuleRecord.find(try req.id("ruleID"), in: id, on: req.db), by: req)
            return NoContent()
        }
        api.register(
            .init(
                method: .GET, path: c + "/alarms", operationID: "listAlarms",
                summary: "Alarms, newest first; filter by status, severity, type, device", tag: "alarms",
                response: Schema.page(of: "Alarm"),
                query: Endpoint.listQuery(.alarms) + [
                    .init(
                        name: "status",
                        schema: Schema.enumeration(
                            ["active", "cleared", "unacknowledged"] + AlarmStatus.allCases.map(\.rawValue))),
                    .init(name: "severity", schema: Schema.enumeration(Severity.allCases.map(\.rawValue))),
                    .init(name: "type", schema: Schema.string(max: 64)),
                    .init(name: "deviceID", schema: Schema.uuid),
                ]), in: app
        ) { req in
            let id = try await communityID(req, { .viewDevices($0) })
            return try await alarmPage(in: id, on: req)
        }
        api.register(
            .init(
                method: .POST, path: c + "/alarms/{alarmID}/ack", operationID: "acknowledgeAlarm",
                summary: "Acknowledge an alarm", tag: "alarms", response: Schema.ref("Alarm")), in: app
        ) { req in
            let id = try await communityID(req, { .handleAlarms($0) })
            let alarm = try await Alarm.find(try req.id("alarmID"), in: id, on: req.db)
            try await DeviceRegistry.acknowledge(alarm, by: req)
            return try AlarmRead(alarm, deviceName: try await Device.find(alarm.deviceID, on: req.db)?.name)
        }
        api.register(
            .init(
                method: .POST, path: c + "/alarms/{alarmID}/clear", operationID: "clearAlarm",
                summary: "Clear an alarm", tag: "alarms", response: Schema.ref("Alarm")), in: app
        ) { req in
            let id = try await communityID(req, { .handleAlarms($0) })
            let alarm = try await Alarm.find(try req.id("alarmID"), in: id, on: req.db)
            try await DeviceRegistry.clear(alarm, by: req)
            return try AlarmRead(alarm, deviceName: try await Device.find(alarm.deviceID, on: req.db)?.name)
        }
        api.register(
            .init(
                method: .GET, path: c + "/alarms/live", operationID: "alarmFeed",
                summary: "WebSocket: every alarm change of the community as {event:\"alarm\", alarm}", tag: "alarms"),
            in: app
        ) { req -> Response in
            let id = try await communityID(req, { .viewDevices($0) })
            guard req.headers[.upgrade].contains(where: { $0.lowercased() == "websocket" }) else {
                throw LinliError(.badRequest)
            }
            return req.webSocket { req, ws in AlarmFeed.run(req, ws, community: id) }
        }
        api.register(
            .init(
                method: .GET, path: c + "/tasks", operationID: "listTasks",
                summary: "Staff tasks raised by rules and device health", tag: "alarms",
                response: Schema.page(of: "Task"),
                query: Endpoint.listQuery(.tasks) + [
                    .init(name: "status", schema: Schema.enumeration(["open", "done"]))
                ]),
            in: app
        ) { req in
            let id = try await communityID(req, { .viewDevices($0) })
            let options = try req.listOptions(.tasks)
            var query = StaffTask.scoped(to: id, on: req.db)
            if let status = req.query[String.self, at: "status"] { query = query.filter(\.$status == status) }
            return try await query.page(options, map: { try TaskRead($0, title: req.t($0.title)) })
        }
        api.register(
            .init(
                method: .POST, path: c + "/tasks/{taskID}/done", operationID: "finishTask", summary: "Mark a task done",
                tag: "alarms", response: Schema.ref("Task")), in: app
        ) { req in
            let id = try await communityID(req, { .handleAlarms($0) })
            let task = try await StaffTask.find(try req.id("taskID"), in: id, on: req.db)
            try await DeviceRegistry.finish(task, by: req)
            return try TaskRead(task, title: req.t(task.title))
        }
    }

    static func alarmPage(in community: UUID, on req: Request) async throws -> ListPage<AlarmRead> {
        let options = try req.listOptions(.alarms)
        var query = Alarm.scoped(to: community, on: req.db)
        switch req.query[String.self, at: "status"] {
        case nil: break
        case "active": query = query.filter(\.$active == true)
        case "cleared": query = query.filter(\.$active == false)
        case "unacknowledged": query = query.filter(\.$status ~~ [AlarmStatus.activeUnack, .clearedUnack])
        case let text?:
            guard let status = AlarmStatus(rawValue: text) else {
                throw LinliError(
                    .invalidListQuery, ["field": "status"],
                    issues: [FieldIssue(field: "status", reason: "invalid_value")])
            }
            query = query.filter(\.$status == status)
        }
        if let text = req.query[String.self, at: "severity"] {
            guard let severity = Severity(rawValue: text) else {
                throw LinliError(
                    .invalidListQuery, ["field": "severity"],
                    issues: [FieldIssue(field: "severity", reason: "invalid_value")])
            }
            query = query.filter(\.$severity == severity)
        }
        if let type = req.query[String.self, at: "type"] { query = query.filter(\.$type == type) }
        if let device = req.query[UUID.self, at: "deviceID"] { query = query.filter(\.$deviceID == device) }
        if let q = options.query { query = query.filter(\.$type ~~ q) }
        let page = try await query.page(options, map: { $0 })
        let names = try await Device.byID(page.items.map(\.deviceID), on: req.db)
        return ListPage(
            items: try page.items.map { try AlarmRead($0, deviceName: names[$0.deviceID]?.name) },
            metadata: page.metadata)
    }

    static func healthReport(_ community: UUID, on req: Request) async throws -> HealthRead {
        let devices = try await Device.scoped(to: community, on: req.db).all()
        let status = try await DeviceHealth.status(community: community, on: req.db)
        let power = try await DeviceHealth.batteryAndSignal(devices.compactMap(\.id), on: req.db)
        let now = req.clock.now()
        var entries: [(HealthRead.Entry, Bool)] = []
        for device in devices {
            let id = try device.requireID()
            let seen = status[id].map { Date(timeIntervalSince1970: Double($0.last) / 1000) }
            let online = DeviceCatalog.isOnline(
                type: device.type, lastSeen: status[id]?.last, now: Int64(now.timeIntervalSince1970 * 1000))
            let entry = HealthRead.Entry(
                deviceID: id, name: device.name, type: device.type, lastSeen: seen,
                offlineSeconds: online ? nil : seen.map { Int(now.timeIntervalSince($0)) }, battery: power[id]?.battery,
                rssi: power[id]?.rssi)
            entries.append((entry, online))
        }
        let disabled = Set(devices.filter(\.disabled).compactMap(\.id))
        let enabled = entries.filter { !disabled.contains($0.0.deviceID) }
        let online = enabled.filter(\.1).count
        let never = enabled.filter { $0.0.lastSeen == nil }
        let offline = enabled.filter { !$0.1 && $0.0.lastSeen != nil }
        return HealthRead(
            total: devices.count, online: online, offline: offline.count, neverSeen: never.count,
            disabled: devices.count - enabled.count,
            onlineRate: enabled.isEmpty ? 0 : Double(online) / Double(enabled.count),
            offlineLongest: offline.map(\.0).sorted { ($0.offlineSeconds ?? 0) > ($1.offlineSeconds ?? 0) }.prefix(20)
                .map { $0 },
            neverUsed: never.map(\.0).sorted { $0.name < $1.name },
            lowBattery: enabled.map(\.0).filter { ($0.battery ?? 100) < DeviceCatalog.lowBattery }.sorted {
                ($0.battery ?? 0) < ($1.battery ?? 0)
            })
    }
}

extension Request {
    /// An integer query parameter; a malformed one is a 400 naming it.
    func int64Query(_ name: String) throws -> Int64? {
        guard let text = query[String.self, at: name] else { return nil }
        guard let value = Int64(text) else {
            throw LinliError(
                .invalidListQuery, ["field": name], issues: [FieldIssue(field: name, reason: "wrong_type")])
        }
        return value
    }
}

/// The console's live alarm WebSocket: one JSON text frame per alarm change.
enum AlarmFeed {
    static func run(_ req: Request, _ ws: WebSocket, community: UUID) {
        let events = req.deviceHub.events
        Task {
            let (id, stream) = events.subscribe(community: community)
            ws.onClose.whenComplete { _ in events.unsubscribe(id) }
            try? await ws.send(#"{"event":"hello"}"#)
            for await text in stream {
                if ws.isClosed { break }
                try? await ws.send(text)
            }
            events.unsubscribe(id)
        }
    }
}
