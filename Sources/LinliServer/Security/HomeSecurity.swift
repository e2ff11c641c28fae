import Fluent
import Foundation
import LinliCore
import SQLKit
import Vapor

/// The server side of a household's panel: its row, its sensors, and `step`, the one way it changes —
/// a conditional write on the row's version in one transaction with the history lines, the guard calls
/// and the household's notifications the step's effects make. Events go out after the commit.
enum HomeSecurity {
    /// The device types that are panel sensors, with the class each has unless the household set another.
    static func defaultClass(_ type: String) -> AlarmPanel.SensorClass? {
        switch type {
        case "door_contact": .entry
        case "motion": .interior
        case "smoke", "gas", "water_leak", "emergency_button", "alarm_keypad": .always
        default: nil
        }
    }

    /// Whether these readings trip the sensor: a door opens, motion is seen, smoke, gas, a leak, a press,
    /// tamper on any of them.
    static func trips(_ type: String, _ readings: [Reading]) -> Bool {
        let key: String? =
            switch type {
            case "door_contact": "open"
            case "motion": "motion"
            case "smoke": "smoke"
            case "gas": "gas_alarm"
            case "water_leak": "leak"
            case "emergency_button": "pressed"
            default: nil
            }
        return readings.contains { ($0.key == key || $0.key == "tamper") && $0.value == .bool(true) }
    }

    /// The household's panel row as stored, or — for a household that never used it — an unsaved one,
    /// disarmed with the default settings: reading makes nothing.
    static func stored(_ household: Household, on db: any Database) async throws -> SecurityPanel {
        let id = try household.requireID()
        if let row = try await SecurityPanel.query(on: db).filter(\.$householdID == id).first() { return row }
        let row = SecurityPanel()
        row.communityID = household.communityID
        row.householdID = id
        row.panelJSON = String(decoding: try JSONEncoder().encode(AlarmPanel()), as: UTF8.self)
        row.settingsJSON = String(decoding: try JSONEncoder().encode(SecuritySettings()), as: UTF8.self)
        row.version = 0
        return row
    }

    /// The household's panel row, made (disarmed, default settings) on first change; a parallel maker's row
    /// wins by the unique index.
    static func panel(_ household: Household, now: Date, on db: any Database) async throws -> SecurityPanel {
        let id = try household.requireID()
        if let row = try await SecurityPanel.query(on: db).filter(\.$householdID == id).first() { return row }
        if let sql = db as? any SQLDatabase {
            let panel = String(decoding: try JSONEncoder().encode(AlarmPanel()), as: UTF8.self)
            let settings = String(decoding: try JSONEncoder().encode(SecuritySettings()), as: UTF8.self)
            try await sql.insert(into: SecurityPanel.schema)
                .columns("id", "community_id", "household_id", "panel", "settings", "version", "updated_at")
                .values(
                    SQLBind(UUID()), SQLBind(household.communityID), SQLBind(id), SQLBind(panel), SQLBind(settings),
                    SQLBind(0), SQLBind(now)
                )
                .ignoringConflicts(with: ["household_id"]).run()
        }
        guard let row = try await SecurityPanel.query(on: db).filter(\.$householdID == id).first() else {
            throw LinliError(.unavailable)
        }
        return row
    }

    /// A sensor of the household as the page and the API show it.
    struct Sensor: Sendable {
        let id: UUID
        let name: String
        let type: String
        let sensorClass: AlarmPanel.SensorClass
        let open: Bool
        /// `offline`, `low_battery`, `disabled`: reported at arming and on the page, never bypassed silently.
        let problems: [String]
    }

    static func sensors(of household: UUID, _ settings: SecuritySettings, now: Date, on db: any Database) async throws
        -> [Sensor]
    {
        let devices = try await Device.query(on: db).filter(\.$householdID == household).sort(\.$name).all()
            .filter { defaultClass($0.type) != nil }
        let nowMs = Int64(now.timeIntervalSince1970 * 1000)
        var out: [Sensor] = []
        for device in devices {
            let id = try device.requireID()
            let latest = try await TelemetryStore.latest(id, on: db)
            let lastSeen = latest.map(\.ts).max()
            var problems: [String] = []
            if device.disabled { problems.append("disabled") }
            if !DeviceCatalog.isOnline(type: device.type, lastSeen: lastSeen, now: nowMs) { problems.append("offline") }
            if case .number(let battery)? = latest.first(where: { $0.key == "battery" })?.value,
                battery < DeviceCatalog.lowBattery
            {
                problems.append("low_battery")
            }
            let open = device.type == "door_contact" && latest.first { $0.key == "open" }?.value == .bool(true)
            out.append(
                Sensor(
                    id: id, name: device.name, type: device.type,
                    sensorClass: settings.sensors[id] ?? defaultClass(device.type) ?? .always, open: open,
                    problems: problems))
        }
        return out
    }

    /// What a step did, for the answer and the events.
    struct Stepped: Sendable {
        let panel: AlarmPanel
        let effects: [AlarmPanel.Effect]
    }

    /// Changes the panel by `change` — a conditional write on the version, so a parallel step finds it
    /// moved on and gets 409 (or, with `retries`, runs again on the new state: the timer job and sensors) —
    /// and records what it did in the same transaction. `by` is the resident who did it.
    @discardableResult
    static func step(
        _ household: Household, by person: UUID?, now: Date, app: Application, retries: Int = 0,
        _ change: @escaping @Sendable (inout AlarmPanel, SecuritySettings) throws -> [AlarmPanel.Effect]
    ) async throws -> Stepped {
        var attempt = 0
        while true {
            let row = try await panel(household, now: now, on: app.db)
            var panel = row.panel
            let before = panel
            let settings = row.settings
            let effects = try change(&panel, settings)
            if panel == before && effects.isEmpty { return Stepped(panel: panel, effects: []) }
            let json = String(decoding: try JSONEncoder().encode(panel), as: UTF8.self)
            let next = panel.nextDue
            let version = row.version
            let rowID = try row.requireID()
            let after = panel
            let done: Bool = try await app.db.writeTransaction { db in
                let changed = try await db.conditionalUpdate(SecurityPanel.schema) {
                    $0.set("panel", to: json).set("version", to: version + 1)
                        .set("next_due", to: next.map { SQLBind($0) as any SQLExpression } ?? SQLLiteral.null)
                        .set("updated_at", to: now).where("id", .equal, rowID).where("version", .equal, version)
                }
                guard changed == 1 else { return false }
                try await record(before, after, effects, household, by: person, now: now, jobs: app.jobs, on: db)
                // The timer as a one-off job at its due time (the `security.timers` sweep is the net).
                if let next {
                    try await app.jobs.enqueue(
                        GuardCalls.dueJob, name: "security-due-\(rowID)-\(version + 1)", at: next, on: db)
                }
                return true
            }
            if done {
                app.events.publish(
                    SecurityChanged(community: household.communityID, household: try household.requireID()))
                app.events.publish(NotificationsChanged(community: household.communityID))
                return Stepped(panel: panel, effects: effects)
            }
            attempt += 1
            guard attempt <= retries else { throw LinliError(.conflict) }
        }
    }

    /// The history lines, guard calls and notifications of one step.
    private static func record(
        _ before: AlarmPanel, _ after: AlarmPanel, _ effects: [AlarmPanel.Effect], _ household: Household,
        by person: UUID?, now: Date, jobs: Jobs, on db: any Database
    ) async throws {
        let community = household.communityID
        let home = try household.requireID()
        func line(_ kind: String, sensor: String? = nil, call: UUID? = nil, hidden: Bool = false) async throws {
            let event = SecurityEvent()
            event.communityID = community
            event.householdID = home
            event.kind = kind
            event.mode = after.mode?.rawValue ?? before.mode?.rawValue
            event.sensorID = sensor.flatMap(UUID.init(uuidString:))
            event.personID = person
            event.callID = call
            event.hidden = hidden
            event.at = now
            try await event.create(on: db)
            if !hidden { try await tell(household, "security.note.\(kind)", sensor: event.sensorID, now: now, on: db) }
        }
        if before.state != after.state { try await line("state.\(after.state.rawValue)") }
        for effect in effects {
            switch effect {
            case .report(let intrusion):
                let call = try await raise(
                    intrusion.confirmed ? .intrusion : .unconfirmed, household, sensor: intrusion.sensor, now: now,
                    jobs: jobs, on: db)
                try await line("reported", sensor: intrusion.sensor, call: call)
                try await EmergencyContacts.tell(household, "security.note.family.intrusion", .security, now: now, on: db)
            case .confirmed(let intrusion):
                if let open = try await GuardCall.query(on: db).filter(\.$householdID == home)
                    .filter(\.$kind == .unconfirmed).filter(\.$step != .resolved).first()
                {
                    open.kind = .intrusion
                    try await open.save(on: db)
                }
                try await line("confirmed", sensor: intrusion.sensor)
            case .cancelled(let intrusion): try await line("cancelled", sensor: intrusion.sensor)
            case .disarmedAfterReport(let intrusion):
                try await GuardCall.query(on: db).filter(\.$householdID == home).filter(\.$step != .resolved)
                    .filter(\.$disarmedAt == nil).set(\.$disarmedAt, to: now).update()
                try await line("disarmedAfterReport", sensor: intrusion.sensor)
            case .hazard(let sensor):
                var type: String?
                if let id = UUID(uuidString: sensor) { type = try await Device.find(id, on: db)?.type }
                let call = try await raise(
                    type == "emergency_button" ? .panic : .hazard, household, sensor: sensor, now: now, jobs: jobs,
                    on: db)
                try await line(type == "emergency_button" ? "panic" : "hazard", sensor: sensor, call: call)
                try await EmergencyContacts.tell(household, "security.note.family.\(type == "emergency_button" ? "panic" : "hazard")", .security, now: now, on: db)
                if type == "emergency_button" {
                    // The red key: the community worker is told at once too (the care side of it).
                    try await Notifier.send(
                        "security.note.worker.panic", .security, to: .role(.communityWorker), community: community,
                        now: now, on: db)
                }
            case .duress:
                // Silent: the household's history says "disarmed", only the guards know.
                let call = try await raise(.duress, household, sensor: nil, now: now, jobs: jobs, on: db)
                try await line("duress", call: call, hidden: true)
            case .fellBackToHome: try await line("fellBackToHome")
            case .shutDown(let sensor): try await line("shutDown", sensor: sensor)
            }
        }
    }

    /// A call on the guard desk, or one more repeat of the same open one.
    static func raise(
        _ kind: GuardDesk.Kind, _ household: Household, sensor: String?, now: Date, jobs: Jobs, on db: any Database
    ) async throws -> UUID {
        let home = try household.requireID()
        let sensorID = sensor.flatMap(UUID.init(uuidString:))
        var open = GuardCall.query(on: db).filter(\.$householdID == home).filter(\.$kind == kind)
            .filter(\.$step != .resolved)
        open = sensorID.map { open.filter(\.$sensorID == $0) } ?? open.filter(\.$sensorID == nil)
        if let call = try await open.first() {
            call.repeats += 1
            try await call.save(on: db)
            return try call.requireID()
        }
        let call = GuardCall()
        call.communityID = household.communityID
        call.householdID = home
        call.kind = kind
        call.sensorID = sensorID
        call.step = .raised
        call.raisedAt = now
        call.escalations = 0
        call.nextEscalationAt = GuardDesk.escalation(raisedAt: now, acknowledgedAt: nil, now: now).next
        call.repeats = 0
        try await call.create(on: db)
        let id = try call.requireID()
        for (n, after) in GuardDesk.escalations.enumerated() {
            try await jobs.enqueue(
                GuardCalls.escalationJob, name: "security-escalate-\(id)-\(n + 1)", at: now.addingTimeInterval(after),
                on: db)
        }
        return id
    }

    /// A notification to the household (its members see it on the home page and in the app).
    static func tell(_ household: Household, _ title: String, sensor: UUID?, now: Date, on db: any Database)
        async throws
    {
        // A sensor removed since the panel noted it is named no more.
        var device: UUID? = nil
        if let sensor, try await Device.find(sensor, on: db) != nil { device = sensor }
        try await Notifier.send(
            title, .security, to: .household(try household.requireID()), community: household.communityID,
            device: device, now: now, on: db)
    }

    /// What the household's code is: the hashes are keyed by the community's credential key.
    static func code(_ text: String?, for row: SecurityPanel, on db: any Database) async throws -> AlarmPanel.Code {
        guard row.codeHash != nil || row.duressHash != nil else { return .valid }  // no code set
        guard let text, !text.isEmpty else { return .wrong }
        let key = try await CredentialKey.of(row.communityID, on: db)
        let hash = key.hash(text)
        if hash == row.duressHash { return .duress }
        return hash == row.codeHash ? .valid : .wrong
    }
}
