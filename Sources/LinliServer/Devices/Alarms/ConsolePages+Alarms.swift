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
        Web.route(web, .GET, { c, _, _ in DeviceRoute.alarms(c) }, authority: .community { .viewDevices($0) }, alarmsPage)
        Web.route(web, .POST, { c, a, _ in DeviceRoute.alarmAck(c, a) }, authority: .community { .handleAlarms($0) }, postAlarmAck)
        Web.route(web, .POST, { c, a, _ in DeviceRoute.alarmClear(c, a) }, authority: .community { .handleAlarms($0) }, postAlarmClear)
        Web.route(web, .GET, { c, _, _ in DeviceRoute.deviceHealth(c) }, authority: .community { .viewDevices($0) }, deviceHealthPage)
        Web.route(web, .POST, { c, t, _ in DeviceRoute.taskDone(c, t) }, authority: .community { .handleAlarms($0) }, postTaskDone)
    }
}
