import Fluent
import Foundation
import LinliCore
import Vapor

/// The household's panel (residents) and the guard desk (guards, property staff, operators).
enum SecurityAPI {
    static let home = "/api/v1/me/households/{householdID}/security"
    static let desk = RegistryAPI.c + "/security"

    static func read(_ household: Household, _ panel: AlarmPanel? = nil, row: SecurityPanel? = nil, on req: Request)
        async throws -> SecurityRead
    {
        let now = req.clock.now()
        let stored: SecurityPanel
        if let row { stored = row } else { stored = try await HomeSecurity.stored(household, on: req.db) }
        let row = stored
        let sensors = try await HomeSecurity.sensors(of: try household.requireID(), row.settings, now: now, on: req.db)
        return SecurityRead(panel ?? row.panel, row: row, sensors: sensors)
    }

    /// Arms: open sensors refuse it (409 listing them) unless `force`, which bypasses them for this
    /// arming and says so in the history.
    /// `by`: the resident (nil for the home's keypad, which must give the household's code when one is set).
    static func arm(_ household: Household, _ input: ArmInput, by person: UUID?, on req: Request) async throws
        -> SecurityRead
    {
        guard let mode = AlarmPanel.Mode(rawValue: input.mode) else { throw LinliError.invalid("mode", "invalid_value") }
        try checkFormat(input.code)
        let now = req.clock.now()
        let row = try await HomeSecurity.stored(household, on: req.db)
        if person == nil {
            try await throttled(household, on: req) { try await HomeSecurity.code(input.code, for: row, on: req.db) == .valid }
        }
        let open = try await HomeSecurity.sensors(of: try household.requireID(), row.settings, now: now, on: req.db)
            .filter(\.open).map { $0.id.uuidString }
        let force = input.force ?? false
        do {
            let stepped = try await HomeSecurity.step(household, by: person, now: now, app: req.application) {
                panel, settings in
                try panel.arm(mode, open: open, force: force, settings: settings.panel, now: now)
                return []
            }
            return try await read(household, stepped.panel, on: req)
        } catch let refusal as AlarmPanel.Refusal {
            switch refusal {
            case .openSensors(let ids):
                throw LinliError(
                    .conflict, ["field": "openSensors"],
                    issues: ids.map { FieldIssue(field: "openSensors", reason: "sensor_open", message: $0) })
            case .notDisarmed:
                throw LinliError(.conflict, issues: [FieldIssue(field: "state", reason: "not_disarmed")])
            }
        }
    }

    /// Disarms with the household's code. Wrong codes are counted (the third in a row during the entry
    /// delay triggers at once) and throttled per household; the duress code disarms and silently calls
    /// the guards.
    static func disarm(_ household: Household, _ input: DisarmInput, by person: UUID?, on req: Request) async throws
        -> SecurityRead
    {
        try checkFormat(input.code)
        let now = req.clock.now()
        let row = try await HomeSecurity.stored(household, on: req.db)
        let app = req.application
        try await throttled(household, on: req) {
            let code = try await HomeSecurity.code(input.code, for: row, on: req.db)
            try await HomeSecurity.step(household, by: person, now: now, app: app, retries: 3) { panel, settings in
                panel.disarm(code, settings: settings.panel, now: now)
            }
            return code != .wrong
        }
        return try await read(household, on: req)
    }

    static func checkFormat(_ code: String?) throws {
        if let code, !code.isEmpty, !(4...8).contains(code.count) || !code.allSatisfy(\.isASCIIDigit) {
            throw LinliError.invalid("code", "invalid_code")
        }
    }

    /// A try of the household's code, counted before it is checked (slowed after 3, locked after 6 in
    /// 5 minutes): `403 wrong_code` when `check` says no.
    static func throttled(_ household: Household, on req: Request, _ check: () async throws -> Bool) async throws {
        var rules = LoginThrottle()
        rules.slowAfter = 3
        rules.lockAfter = 6
        rules.window = 5 * 60
        rules.lockDuration = 5 * 60
        try await AttemptThrottle.guarded(
            [("security-code:\(try household.requireID())", rules)],
            failure: LinliError(.forbidden, issues: [FieldIssue(field: "code", reason: "wrong_code")]), on: req,
            check)
    }

    /// Delays, cross-zoning, sensor classes and codes; only while disarmed (a change mid-arming would
    /// move its timers).
    static func settings(_ household: Household, _ input: SecuritySettingsInput, on req: Request) async throws
        -> SecurityRead
    {
        let now = req.clock.now()
        let row = try await HomeSecurity.panel(household, now: now, on: req.db)
        guard row.panel.state == .disarmed else {
            throw LinliError(.conflict, issues: [FieldIssue(field: "state", reason: "not_disarmed")])
        }
        var settings = row.settings
        var v = Validation()
        if let x = input.exitDelay { settings.panel.exitDelay = x }
        if let x = input.entryDelay { settings.panel.entryDelay = x }
        if let x = input.abortWindow { settings.panel.abortWindow = x }
        if let x = input.crossZoning { settings.panel.crossZoning = x }
        for field in settings.panel.problems { v.fail(field, "out_of_range") }
        if let sensors = input.sensors {
            guard sensors.count <= 100 else { throw LinliError.invalid("sensors", "too_many") }
            let own = Set(
                try await Device.query(on: req.db).filter(\.$householdID == (try household.requireID())).all()
                    .filter { HomeSecurity.defaultClass($0.type) != nil }.compactMap(\.id))
            var classes: [UUID: AlarmPanel.SensorClass] = [:]
            for (key, value) in sensors {
                guard let id = UUID(uuidString: key), own.contains(id) else { v.fail("sensors", "unknown_sensor"); continue }
                guard let sensorClass = AlarmPanel.SensorClass(rawValue: value) else {
                    v.fail("sensors", "invalid_value"); continue
                }
                classes[id] = sensorClass
            }
            settings.sensors = classes
        }
        if let entries = input.schedule {
            guard entries.count <= 8 else { throw LinliError.invalid("schedule", "too_many") }
            var parsed: [ArmingSchedule.Entry] = []
            for entry in entries {
                guard let minute = TimeOfDay.minutes(entry.at) else { v.fail("schedule", "invalid_time"); continue }
                parsed.append(.init(action: entry.action, minute: minute, days: entry.days ?? []))
            }
            settings.schedule = ArmingSchedule(parsed)
            for field in settings.schedule.problems { v.fail("schedule.\(field)", "invalid_value") }
        }
        func valid(_ code: String?, _ field: String) -> Bool {
            guard let code, !code.isEmpty else { return true }
            if (4...8).contains(code.count) && code.allSatisfy(\.isASCIIDigit) { return true }
            v.fail(field, "invalid_code")
            return false
        }
        _ = valid(input.code, "code")
        _ = valid(input.duressCode, "duressCode")
        if let code = input.code, let duress = input.duressCode, !code.isEmpty, code == duress {
            v.fail("duressCode", "same_as_code")
        }
        try v.check()
        let key = try await CredentialKey.of(household.communityID, on: req.db)
        if let code = input.code { row.codeHash = code.isEmpty ? nil : key.hash(code) }
        if let duress = input.duressCode { row.duressHash = duress.isEmpty ? nil : key.hash(duress) }
        if row.codeHash == nil { row.duressHash = nil }  // a duress code alone would disarm everything silently
        if let code = row.codeHash, code == row.duressHash {
            throw LinliError.invalid("duressCode", "same_as_code")
        }
        row.settingsJSON = String(decoding: try JSONEncoder().encode(settings), as: UTF8.self)
        row.updatedAt = now
        let version = row.version
        let saved = row
        let rowID = try row.requireID()
        let audited = SecuritySettingsRead(settings)
        let hasSchedule = !settings.schedule.entries.isEmpty
        try await req.db.writeTransaction { db in
            saved.version = version + 1
            let changed = try await db.conditionalUpdate(SecurityPanel.schema) {
                $0.set("settings", to: saved.settingsJSON).set("scheduled", to: hasSchedule)
                    .set("schedule_checked_at", to: now)
                    .set("code_hash", to: saved.codeHash).set("duress_hash", to: saved.duressHash)
                    .set("version", to: version + 1).set("updated_at", to: now)
                    .where("id", .equal, rowID).where("version", .equal, version)
                    .where("panel", .equal, saved.panelJSON)
            }
            guard changed == 1 else { throw LinliError(.conflict) }
            try await Audit.record(
                .update, "security_settings", id: saved.id, community: household.communityID,
                after: audited, by: req, on: db)
        }
        return try await read(household, on: req)
    }

    static func register(_ app: Application) {
        let api = app.api.authenticated
        api.register(
            .init(
                method: .GET, path: home, operationID: "getSecurity",
                summary: "The household's alarm panel: state, delays, open, bypassed and faulty sensors, the alarm",
                tag: "security", authority: .resident, response: Schema.ref("Security")), in: app, getSecurity)
        api.register(
            .init(
                method: .POST, path: home + "/arm", operationID: "armSecurity",
                summary: "Arm (armed_home, armed_away, armed_night, armed_vacation); open sensors answer 409 unless force",
                tag: "security", authority: .resident, body: SecuritySchemas.arm, response: Schema.ref("Security")), in: app, armSecurity)
        api.register(
            .init(
                method: .POST, path: home + "/disarm", operationID: "disarmSecurity",
                summary: "Disarm with the household's code (wrong codes are counted and throttled)", tag: "security", authority: .resident,
                body: SecuritySchemas.disarm, response: Schema.ref("Security")), in: app, disarmSecurity)
        api.register(
            .init(
                method: .PUT, path: home + "/settings", operationID: "setSecuritySettings",
                summary: "Exit and entry delay, abort window, cross-zoning, sensor classes, the codes (write-only)",
                tag: "security", authority: .resident, body: SecuritySchemas.settingsInput, response: Schema.ref("Security")), in: app, setSecuritySettings)
        api.register(
            .init(
                method: .GET, path: home + "/history", operationID: "securityHistory",
                summary: "The household's security history, newest first (what the guards alone know is not in it)",
                tag: "security", authority: .resident, response: Schema.page(of: "SecurityEvent"), query: Endpoint.listQuery(.securityEvents)),
            in: app, securityHistory)
        GuardDeskAPI.register(app, api)
        app.liveFeeds.register(
            .init(
                method: .GET, path: home + "/live", operationID: "householdSecurityFeed",
                summary: "WebSocket: {event:\"security\"} whenever the household's panel or its call changes",
                tag: "security", authority: .resident), in: app, householdSecurityFeed)
    }
}
