import Fluent
import Foundation
import LinliCore
import Vapor

/// The strings of this feature (`SecurityStrings` tables beside it).
enum SecurityStrings: LocalizedStrings {}

/// Home security linked to the guards: each household's panel (Home Assistant's states, SIA CP-01's
/// false-alarm rules), fed by the household's sensors through the device hub; the guard desk with its
/// live console, steps and escalations; the household's emergency contacts.
enum HomeSecurityFeature: Feature {
    static var strings: (any LocalizedStrings.Type)? { SecurityStrings.self }

    static func register(_ app: Application) {
        app.notificationTopics.add(.security)
        app.migrations.add(CreateSecurity())
        app.pageLinks.add("security", SecurityRoute.mySecurity)
        app.homeTiles.add("security", order: 50, SecurityRoute.mySecurity)
        app.consoleTabs.add("security", order: 85, shown: { .handleAlarms($0) }) { SecurityRoute.desk($0) }
        SecurityAPI.register(app)
        AlarmFigures.register(app)
        SecurityPages.register(app.pages)
        app.openAPIComponents.add(SecuritySchemas.all)
        app.deviceHub.observers.add(SecurityObserver(app: app))
        // The home's keypad arms and disarms with the household's code.
        for method in ["armSecurity", "disarmSecurity"] {
            app.deviceHub.requests.on(method) { device, params, req in
                guard device.type == "alarm_keypad", let home = device.facts.householdID,
                    let household = try await Household.find(home, on: req.db)
                else { throw LinliError(.forbidden, issues: [FieldIssue(field: "method", reason: "not_a_keypad")]) }
                func text(_ key: String) -> String? { if case .string(let s)? = params[key] { s } else { nil } }
                let read =
                    method == "armSecurity"
                    ? try await SecurityAPI.arm(
                        household, ArmInput(mode: text("mode") ?? "armed_away", code: text("code"), force: false),
                        by: nil, on: req)
                    : try await SecurityAPI.disarm(household, DisarmInput(code: text("code")), by: nil, on: req)
                return .object(["state": .string(read.state.rawValue), "mode": read.mode.map { .string($0.rawValue) } ?? .null])
            }
        }
        // A home armed away or on vacation is empty: its silence is no sign of trouble.
        app.activity.addAway { household, db in
            guard let row = try await SecurityPanel.query(on: db).filter(\.$householdID == household).first() else {
                return false
            }
            let panel = row.panel
            return [.armedAway, .armedVacation].contains(panel.mode) && panel.state != .disarmed
        }
        // Every server's open consoles and household pages hear of changes made on any of them.
        let bus = app.securityBus
        app.events.on(SecurityChanged.self) { changed in
            bus.publish(community: changed.community, SecurityFeed.frame)
            if let household = changed.household { bus.publish(community: household, SecurityFeed.frame) }
        }
        // Delays and abort windows that ended, and calls nobody acknowledged: one-off jobs at their due
        // times, and a sweep every 5 s as the net; both read the database, so they go on after a restart.
        app.jobs.on(GuardCalls.dueJob) { app, job in try await GuardCalls.advancePanels(now: job.now, app: app) }
        app.jobs.on(GuardCalls.escalationJob) { app, job in try await GuardCalls.escalate(now: job.now, app: app) }
        app.jobs.every("security.schedule", seconds: 30) { app, job in
            try await GuardCalls.applySchedules(now: job.now, app: app)
        }
        app.jobs.every("security.timers", seconds: 5) { app, job in
            try await GuardCalls.advancePanels(now: job.now, app: app)
            try await GuardCalls.escalate(now: job.now, app: app)
        }
    }

    static func seedDemo(_ world: DemoWorld, on db: any Database) async throws {
        try await DemoSecurity.seed(world, on: db)
    }
}

/// Feeds the household's panel with its sensors' readings, after they are stored and before the
/// device's 200: an alarm a reading raised is recorded once the device hears "ok".
struct SecurityObserver: TelemetryObserver {
    let app: Application

    func observe(_ batches: [TelemetryBatch], now: Date) async throws {
        for batch in batches {
            guard let home = batch.device.facts.householdID, let kind = HomeSecurity.defaultClass(batch.device.type),
                HomeSecurity.trips(batch.device.type, batch.readings)
            else { continue }
            guard let household = try await Household.find(home, on: app.db) else { continue }
            let sensor = batch.device.id
            try await HomeSecurity.step(household, by: nil, now: now, app: app, retries: 5) { panel, settings in
                panel.sensor(sensor.uuidString, settings.sensors[sensor] ?? kind, settings: settings.panel, now: now)
            }
        }
    }
}

extension NotificationTopic {
    static let security = NotificationTopic("security", safety: true)
}

extension HomeSecurityFeature {
    static var css: String? { "security/security.css" }
}

/// A household's panel or a guard call changed: the desk's consoles reload, and the household's page
/// unless `household` is nil (what only the guards may know: the duress call, an escalation).
struct SecurityChanged: LinliEvent {
    let community: UUID
    let household: UUID?
}
