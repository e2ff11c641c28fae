import Fluent
import LinliCore
import Vapor

extension ConsolePages {
    struct AlarmRow: Encodable {
        let id: UUID
        let device: String
        let deviceHref: String
        let type: String
        let severity: String
        let severityKey: String
        let status: String
        let active: Bool
        let acknowledged: Bool
        let started: String
        let details: String
        let handledBy: String
        let ack: String
        let clear: String
    }

    static func alarmRow(_ alarm: Alarm, deviceName: String?, community: UUID, _ req: Request) throws -> AlarmRow {
        let id = try alarm.requireID()
        let typeKey = "alarm.type.\(alarm.type)"
        let type = L10n.table(req.language)[typeKey] ?? alarm.type
        var handled: [String] = []
        if let by = alarm.acknowledgedBy {
            handled.append(req.t("alarm.ackBy", ["name": by, "time": time(alarm.acknowledgedAt, req)]))
        }
        if let by = alarm.clearedBy {
            handled.append(
                req.t(
                    "alarm.clearedBy",
                    ["name": by == "system" ? req.t("alarm.system") : by, "time": time(alarm.clearedAt, req)]))
        }
        return AlarmRow(
            id: id, device: deviceName ?? "", deviceHref: DeviceRoute.device(community, alarm.deviceID).path, type: type,
            severity: req.t("severity.\(alarm.severity.rawValue)"), severityKey: alarm.severity.rawValue,
            status: req.t("alarm.status.\(alarm.status.rawValue)"), active: alarm.active,
            acknowledged: alarm.status.isAcknowledged, started: time(alarm.startedAt, req),
            details: alarm.details.map { $0 + (alarm.repeats > 0 ? " · ×\(alarm.repeats + 1)" : "") }
                ?? (alarm.repeats > 0 ? "×\(alarm.repeats + 1)" : ""),
            handledBy: handled.joined(separator: " · "), ack: DeviceRoute.alarmAck(community, id).path,
            clear: DeviceRoute.alarmClear(community, id).path)
    }

    /// The alarm list, its live feed, acknowledge and clear, device health and staff tasks.
    static func registerAlarmsAndHealth(_ web: any RoutesBuilder) {
        Web.route(web, .GET, { c, _, _ in DeviceRoute.alarms(c) }) { req in
            let header = try await deviceHeader(req, current: "alarms")
            let id = header.id
            let page = try await DeviceHubAPI.alarmPage(in: id, on: req)
            let rows = try await Alarm.byID(page.items.map(\.id), on: req.db)
            let status = req.query[String.self, at: "status"] ?? ""
            let severity = req.query[String.self, at: "severity"] ?? ""
            return try await req.render(
                "devices/alarms", title: req.t("console.tab.alarms"),
                AlarmsPage(
                    header: header, heading: req.t("console.tab.alarms"),
                    alarms: try page.items.compactMap { item in
                        try rows[item.id].map { try alarmRow($0, deviceName: item.deviceName, community: id, req) }
                    },
                    pager: pager(page.metadata, req), canHandle: req.can(.handleAlarms(id)), status: status,
                    severity: severity,
                    statuses: ["active", "unacknowledged", "cleared"].map {
                        Option(value: $0, label: req.t("alarm.filter.\($0)"))
                    },
                    severities: Severity.allCases.map {
                        Option(value: $0.rawValue, label: req.t("severity.\($0.rawValue)"))
                    },
                    feed: AlarmFeed.path(id)))
        }
        Web.route(web, .POST, { c, a, _ in DeviceRoute.alarmAck(c, a) }) { req in
            let id = try req.id("communityID")
            try req.authorize(.handleAlarms(id))
            try await DeviceRegistry.acknowledge(try await Alarm.find(try req.id("alarmID"), in: id, on: req.db), by: req)
            req.flash(req.t("console.saved"))
            return req.redirect(to: back(req, or: DeviceRoute.alarms(id).path))
        }
        Web.route(web, .POST, { c, a, _ in DeviceRoute.alarmClear(c, a) }) { req in
            let id = try req.id("communityID")
            try req.authorize(.handleAlarms(id))
            try await DeviceRegistry.clear(try await Alarm.find(try req.id("alarmID"), in: id, on: req.db), by: req)
            req.flash(req.t("console.saved"))
            return req.redirect(to: back(req, or: DeviceRoute.alarms(id).path))
        }
        Web.route(web, .GET, { c, _, _ in DeviceRoute.deviceHealth(c) }) { req in
            let header = try await deviceHeader(req, current: "health")
            let id = header.id
            let report = try await DeviceHubAPI.healthReport(id, on: req)
            func row(_ entry: HealthRead.Entry, _ cells: [String]) -> Row {
                Row(
                    cells: [entry.name, req.t("device.type.\(entry.type)")] + cells,
                    href: DeviceRoute.device(id, entry.deviceID).path, action: nil, actionLabel: nil)
            }
            let tasks = try await StaffTask.scoped(to: id, on: req.db).filter(\.$status == .open).sort(
                \.$createdAt, .descending
            ).limit(50).all()
            let names = try await Device.byID(tasks.compactMap(\.deviceID), on: req.db)
            return try await req.render(
                "devices/health", title: req.t("console.tab.health"),
                HealthPage(
                    header: header, report: report, rate: String(format: "%.0f %%", report.onlineRate * 100),
                    offline: report.offlineLongest.map {
                        row($0, [time($0.lastSeen, req), duration($0.offlineSeconds ?? 0, req)])
                    },
                    never: report.neverUsed.map { row($0, []) },
                    battery: report.lowBattery.map {
                        row($0, [$0.battery.map { TelemetryDisplay.number($0) + " %" } ?? ""])
                    },
                    tasks: try tasks.map { task in
                        TaskRow(
                            title: req.t(task.title), role: req.t("role.\(task.role.rawValue)"),
                            device: task.deviceID.flatMap { names[$0]?.name } ?? "", created: time(task.createdAt, req),
                            done: DeviceRoute.taskDone(id, try task.requireID()).path)
                    }, canHandle: req.can(.handleAlarms(id))))
        }
        Web.route(web, .POST, { c, t, _ in DeviceRoute.taskDone(c, t) }) { req in
            let id = try req.id("communityID")
            try req.authorize(.handleAlarms(id))
            try await DeviceRegistry.finish(try await StaffTask.find(try req.id("taskID"), in: id, on: req.db), by: req)
            req.flash(req.t("console.saved"))
            return req.redirect(to: DeviceRoute.deviceHealth(id).path)
        }
    }
}
