import Fluent
import LinliCore
import Vapor

extension ConsolePages {
    @Sendable static func alarmsPage(_ req: Request) async throws -> Response {
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

    @Sendable static func postAlarmAck(_ req: Request) async throws -> Response {
        let id = try req.id("communityID")
        try req.authorize(.handleAlarms(id))
        try await DeviceRegistry.acknowledge(try await Alarm.find(try req.id("alarmID"), in: id, on: req.db), by: req)
        req.flash(req.t("console.saved"))
        return req.redirect(to: back(req, or: DeviceRoute.alarms(id).path))
    }

    @Sendable static func postAlarmClear(_ req: Request) async throws -> Response {
        let id = try req.id("communityID")
        try req.authorize(.handleAlarms(id))
        try await DeviceRegistry.clear(try await Alarm.find(try req.id("alarmID"), in: id, on: req.db), by: req)
        req.flash(req.t("console.saved"))
        return req.redirect(to: back(req, or: DeviceRoute.alarms(id).path))
    }

    @Sendable static func deviceHealthPage(_ req: Request) async throws -> Response {
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

    @Sendable static func postTaskDone(_ req: Request) async throws -> Response {
        let id = try req.id("communityID")
        try req.authorize(.handleAlarms(id))
        try await DeviceRegistry.finish(try await StaffTask.find(try req.id("taskID"), in: id, on: req.db), by: req)
        req.flash(req.t("console.saved"))
        return req.redirect(to: DeviceRoute.deviceHealth(id).path)
    }
}
