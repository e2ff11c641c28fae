import Fluent
import LinliCore
import Vapor

extension ConsolePages {

    struct AlarmsPage: Encodable {
        let header: Header
        let heading: String
        let alarms: [AlarmRow]
        let pager: Pager?
        let canHandle: Bool
        let status: String
        let severity: String
        let statuses: [Option]
        let severities: [Option]
        let feed: String
    }

    struct RuleRow: Encodable {
        let name: String
        let summary: String
        let enabled: Bool
        let href: String
        let toggle: String
        let remove: String
    }

    /// The no-code rule form, flat: one optional action of each kind.
    struct RuleForm: Content {
        var name: String
        var enabled: String?
        var deviceType: String?
        var zone: String?
        var buildingID: String?
        var key: String
        var condition: String
        var value: String?
        var low: String?
        var high: String?
        var forMinutes: String?
        var alarmType: String?
        var severity: String?
        var method: String?
        var params: String?
        var target: String?
        var clearMethod: String?
        var taskTitle: String?
        var taskRole: String?
        var notifyTitle: String?
        var notifyRole: String?

        init(_ rule: Rule?) {
            name = rule?.name ?? ""
            enabled = rule.map { $0.enabled ? "1" : nil } ?? "1"
            deviceType = rule?.scope.deviceType
            zone = rule?.scope.zone
            buildingID = rule?.scope.buildingID?.uuidString
            key = rule?.key ?? ""
            condition = rule?.condition.kind.rawValue ?? "below"
            value = rule?.condition.value.map(TelemetryDisplay.number)
            low = rule?.condition.low.map(TelemetryDisplay.number)
            high = rule?.condition.high.map(TelemetryDisplay.number)
            forMinutes = rule.map { String($0.forMinutes) }
            let actions = rule?.actions ?? []
            let alarm = actions.first { $0.kind == .alarm }
            alarmType = alarm?.alarmType
            severity = alarm?.severity?.rawValue
            let command = actions.first { $0.kind == .command && $0.on == .fire }
            method = command?.method
            params = command?.params.map(\.text)
            target = command?.targetDeviceID?.uuidString
            clearMethod = actions.first { $0.kind == .command && $0.on == .clear }?.method
            let task = actions.first { $0.kind == .task }
            taskTitle = task?.title
            taskRole = task?.role?.rawValue
            let notify = actions.first { $0.kind == .notify }
            notifyTitle = notify?.title
            notifyRole = notify?.role?.rawValue
        }

        func number(_ text: String?, _ field: String) throws -> Double? {
            guard let text = text?.nilIfEmpty else { return nil }
            guard let value = Double(text) else { throw LinliError.invalid(field, "invalid_value") }
            return value
        }

        func input() throws -> RuleInput {
            guard let kind = RuleCondition.Kind(rawValue: condition) else {
                throw LinliError.invalid("condition", "invalid_value")
            }
            var actions: [RuleAction] = []
            if let type = alarmType?.nilIfEmpty {
                actions.append(
                    RuleAction(.alarm, alarmType: type, severity: Severity(rawValue: severity ?? "") ?? .warning))
            }
            let targetID = try target?.nilIfEmpty.map { text -> UUID in
                guard let id = UUID(uuidString: text) else { throw LinliError.invalid("target", "invalid_value") }
                return id
            }
            if let method = method?.nilIfEmpty {
                var parsed: JSON?
                if let text = params?.nilIfEmpty {
                    guard let json = JSON.parse(text) else { throw LinliError.invalid("params", "malformed_json") }
                    parsed = json
                }
                actions.append(RuleAction(.command, method: method, params: parsed, targetDeviceID: targetID))
            }
            if let method = clearMethod?.nilIfEmpty {
                actions.append(RuleAction(.command, on: .clear, method: method, targetDeviceID: targetID))
            }
            if let title = taskTitle?.nilIfEmpty {
                actions.append(
                    RuleAction(.task, title: title, role: StaffRole(rawValue: taskRole ?? "") ?? .propertyStaff))
            }
            if let title = notifyTitle?.nilIfEmpty {
                actions.append(RuleAction(.notify, title: title, role: StaffRole(rawValue: notifyRole ?? "")))
            }
            let building = try buildingID?.nilIfEmpty.map { text -> UUID in
                guard let id = UUID(uuidString: text) else { throw LinliError.invalid("buildingID", "invalid_value") }
                return id
            }
            return RuleInput(
                name: name, enabled: enabled != nil,
                scope: RuleScope(deviceType: deviceType?.nilIfEmpty, buildingID: building, zone: zone?.nilIfEmpty),
                key: key,
                condition: RuleCondition(
                    kind, value: try number(value, "value"), low: try number(low, "low"), high: try number(high, "high")
                ),
                forMinutes: try number(forMinutes, "forMinutes").map { Int($0) }, actions: actions)
        }
    }

    struct RulesPage: Encodable {
        let header: Header
        let heading: String
        let rules: [RuleRow]
        let canManage: Bool
        let form: RuleForm
        let action: String
        let types: [Option]
        let buildings: [Option]
        let conditions: [Option]
        let severities: [Option]
        let roles: [Option]
        let targets: [Option]
    }

    struct TaskRow: Encodable {
        let title: String
        let role: String
        let device: String
        let created: String
        let done: String?
    }

    struct HealthPage: Encodable {
        let header: Header
        let report: HealthRead
        let rate: String
        let offline: [Row]
        let never: [Row]
        let battery: [Row]
        let tasks: [TaskRow]
        let canHandle: Bool
    }

    static func summary(_ rule: Rule, _ req: Request) -> String {
        var parts: [String] = []
        if let type = rule.scope.deviceType { parts.append(req.t("device.type.\(type)")) }
        if let zone = rule.scope.zone { parts.append(zone) }
        let c = rule.condition
        let condition: String =
            switch c.kind {
            case .below: "\(rule.key) < \(TelemetryDisplay.number(c.value ?? 0))"
            case .above: "\(rule.key) > \(TelemetryDisplay.number(c.value ?? 0))"
            case .between:
                "\(TelemetryDisplay.number(c.low ?? 0)) ≤ \(rule.key) ≤ \(TelemetryDisplay.number(c.high ?? 0))"
            case .outside:
                "\(rule.key) ∉ [\(TelemetryDisplay.number(c.low ?? 0)), \(TelemetryDisplay.number(c.high ?? 0))]"
            case .rateAbove:
                req.t("rule.summary.rate", ["key": rule.key, "value": TelemetryDisplay.number(c.value ?? 0)])
            case .noData:
                req.t("rule.summary.noData", ["key": rule.key, "value": TelemetryDisplay.number(c.value ?? 0)])
            }
        parts.append(condition)
        if rule.forMinutes > 0 { parts.append(req.t("rule.summary.for", ["minutes": "\(rule.forMinutes)"])) }
        let actions = rule.actions.map {
            req.t("rule.action.\($0.kind.rawValue)") + ($0.on == .clear ? " (\(req.t("rule.onClear")))" : "")
        }
        return parts.joined(separator: " · ") + " → " + actions.joined(separator: ", ")
    }

    static func rulesPage(_ req: Request, editing record: RuleRecord?) async throws -> Response {
        let header = try await deviceHeader(req, current: "rules")
        let id = header.id
        let records = try await RuleRecord.scoped(to: id, on: req.db).sort(\.$name).all()
        let rows = try records.map { record -> RuleRow in
            let rule = try DeviceRegistry.rule(record)
            return RuleRow(
                name: rule.name, summary: summary(rule, req), enabled: rule.enabled,
                href: DeviceRoute.rule(id, rule.id).path,
                toggle: DeviceRoute.ruleToggle(id, rule.id).path, remove: DeviceRoute.ruleDelete(id, rule.id).path)
        }
        let buildings = try await Building.scoped(to: id, on: req.db).sort(\.$name).all()
        let commandTypes = Set(DeviceCatalog.all.filter { !$0.commands.isEmpty }.map(\.key))
        let targets = try await Device.scoped(to: id, on: req.db).filter(\.$type ~~ Array(commandTypes)).sort(\.$name)
            .all()
        let editing = try record.map(DeviceRegistry.rule)
        return try await req.render(
            "devices/rules", title: req.t("console.tab.rules"),
            RulesPage(
                header: header, heading: editing?.name ?? req.t("console.tab.rules"), rules: editing == nil ? rows : [],
                canManage: req.can(.manageDevices(id)), form: RuleForm(editing),
                action: editing.map { DeviceRoute.rule(id, $0.id).path } ?? DeviceRoute.rules(id).path,
                types: DeviceCatalog.all.map { Option(value: $0.key, label: req.t("device.type.\($0.key)")) },
                buildings: buildings.map { Option(value: $0.id?.uuidString ?? "", label: $0.name) },
                conditions: RuleCondition.Kind.allCases.map {
                    Option(value: $0.rawValue, label: req.t("rule.condition.\($0.rawValue)"))
                },
                severities: Severity.allCases.map {
                    Option(value: $0.rawValue, label: req.t("severity.\($0.rawValue)"))
                },
                roles: StaffRole.allCases.map { Option(value: $0.rawValue, label: req.t("role.\($0.rawValue)")) },
                targets: targets.map { Option(value: $0.id?.uuidString ?? "", label: $0.name) }))
    }

    static func registerRulesAndAlarms(_ web: any RoutesBuilder) {
        Web.route(web, .GET, { c, _, _ in DeviceRoute.rules(c) }, authority: .community { .viewRegistry($0) }, rulesPage)
        Web.route(web, .POST, { c, _, _ in DeviceRoute.rules(c) }, authority: .community { .manageDevices($0) }, postRules)
        Web.route(web, .GET, { c, r, _ in DeviceRoute.rule(c, r) }, authority: .community { .viewRegistry($0) }, rulePage)
        Web.route(web, .POST, { c, r, _ in DeviceRoute.rule(c, r) }, authority: .community { .manageDevices($0) }, postRule)
        Web.route(web, .POST, { c, r, _ in DeviceRoute.ruleToggle(c, r) }, authority: .community { .manageDevices($0) }, postRuleToggle)
        Web.route(web, .POST, { c, r, _ in DeviceRoute.ruleDelete(c, r) }, authority: .community { .manageDevices($0) }, postRuleDelete)
        registerAlarmsAndHealth(web)
    }

    static func duration(_ seconds: Int, _ req: Request) -> String {
        if seconds >= 86_400 { return req.t("duration.days", ["n": "\(seconds / 86_400)"]) }
        if seconds >= 3600 { return req.t("duration.hours", ["n": "\(seconds / 3600)"]) }
        return req.t("duration.minutes", ["n": "\(max(1, seconds / 60))"])
    }

    /// The page a console form was posted from, when it is one of ours.
    static func back(_ req: Request, or fallback: String) -> String {
        guard let referer = req.headers.first(name: .referer), let uri = Optional(URI(string: referer)),
            uri.path.hasPrefix("/console/")
        else { return fallback }
        return uri.path + (uri.query.map { "?" + $0 } ?? "")
    }
}
