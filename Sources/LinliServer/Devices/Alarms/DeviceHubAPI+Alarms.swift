import Fluent
import FluentSQL
import LinliCore
import Vapor

extension DeviceHubAPI {
    static func registerRulesAlarmsTasks(_ app: Application, _ api: any RoutesBuilder) {
        api.register(
            .init(
                method: .GET, path: c + "/rules", operationID: "listRules", summary: "Rules of a community",
                tag: "rules", authority: .community { .viewDevices($0) }, response: Schema.page(of: "Rule"), query: Endpoint.listQuery(.rules)), in: app, listRules)
        api.register(
            .init(
                method: .POST, path: c + "/rules", operationID: "createRule", summary: "Add a rule", tag: "rules", authority: .community { .manageDevices($0) },
                body: Schema.ref("RuleInput"), status: .created, response: Schema.ref("Rule")), in: app, createRule)
        api.register(
            .init(
                method: .GET, path: c + "/rules/{ruleID}", operationID: "getRule", summary: "One rule", tag: "rules", authority: .community { .viewDevices($0) },
                response: Schema.ref("Rule")), in: app, getRule)
        api.register(
            .init(
                method: .PUT, path: c + "/rules/{ruleID}", operationID: "updateRule", summary: "Replace a rule",
                tag: "rules", authority: .community { .manageDevices($0) }, body: Schema.ref("RuleInput"), response: Schema.ref("Rule")), in: app, updateRule)
        api.register(
            .init(
                method: .DELETE, path: c + "/rules/{ruleID}", operationID: "deleteRule", summary: "Remove a rule",
                tag: "rules", authority: .community { .manageDevices($0) }, status: .noContent), in: app, deleteRule)
        api.register(
            .init(
                method: .GET, path: c + "/alarms", operationID: "listAlarms",
                summary: "Alarms, newest first; filter by status, severity, type, device", tag: "alarms", authority: .community { .viewDevices($0) },
                response: Schema.page(of: "Alarm"),
                query: Endpoint.listQuery(.alarms) + [
                    .init(
                        name: "status",
                        schema: Schema.enumeration(
                            ["active", "cleared", "unacknowledged"] + AlarmStatus.allCases.map(\.rawValue))),
                    .init(name: "severity", schema: Schema.enumeration(Severity.allCases.map(\.rawValue))),
                    .init(name: "type", schema: Schema.string(max: 64)),
                    .init(name: "deviceID", schema: Schema.uuid),
                ]), in: app, listAlarms)
        api.register(
            .init(
                method: .POST, path: c + "/alarms/{alarmID}/ack", operationID: "acknowledgeAlarm",
                summary: "Acknowledge an alarm", tag: "alarms", authority: .community { .handleAlarms($0) }, response: Schema.ref("Alarm")), in: app, acknowledgeAlarm)
        api.register(
            .init(
                method: .POST, path: c + "/alarms/{alarmID}/clear", operationID: "clearAlarm",
                summary: "Clear an alarm", tag: "alarms", authority: .community { .handleAlarms($0) }, response: Schema.ref("Alarm")), in: app, clearAlarm)
        app.registerCommunityFeed(
            path: c + "/alarms/live", operationID: "alarmFeed",
            summary:
                "WebSocket: every alarm change of the community as {event:\"alarm\", alarm}; a bearer token or the console's session",
            tag: "alarms", authority: { .viewDevices($0) }
        ) { req, ws, id in AlarmFeed.run(req, ws, community: id) }
        api.register(
            .init(
                method: .GET, path: c + "/tasks", operationID: "listTasks",
                summary: "Staff tasks raised by rules and device health", tag: "alarms", authority: .community { .viewDevices($0) },
                response: Schema.page(of: "Task"),
                query: Endpoint.listQuery(.tasks) + [
                    .init(name: "status", schema: Schema.enumeration(TaskStatus.allCases.map(\.rawValue)))
                ]),
            in: app, listTasks)
        api.register(
            .init(
                method: .POST, path: c + "/tasks/{taskID}/done", operationID: "finishTask", summary: "Mark a task done",
                tag: "alarms", authority: .community { .handleAlarms($0) }, response: Schema.ref("Task")), in: app, finishTask)
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
