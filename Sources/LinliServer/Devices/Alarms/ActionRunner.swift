import Fluent
import Foundation
import LinliCore
import SQLKit
import Vapor

/// Runs what rules and device health decide: alarms, commands, staff tasks, notifications. One
/// actor, so two sweeps never raise the same alarm twice.
actor ActionRunner {
    private let app: Application
    /// Devices with an active offline alarm (cleared when they are heard from again).
    private var offline: Set<UUID>?

    init(app: Application) { self.app = app }

    /// After readings are committed: offline alarms cleared, rules fed, their alarms raised, the hub's
    /// observers (``TelemetryObserver``) told. A failure
    /// here fails the telemetry requests (503, the device retries; its readings are not stored twice), so
    /// a smoke or gas reading is acknowledged only once its alarm is recorded.
    func afterTelemetry(_ batches: [TelemetryBatch], rules: RuleRuntime, now: Date) async throws {
        do {
            try await heard(Set(batches.map(\.device)), now: now)
            try await rules.evaluate(batches) { firings in try await self.run(firings, now: now) }
            for observer in app.deviceHub.observers.all { try await observer.observe(batches, now: now) }
        } catch {
            app.logger.report(error: error)
            throw LinliError(.unavailable)
        }
    }

    /// Devices that contacted the server: clear their offline alarms.
    func heard(_ devices: Set<DeviceRef>, now: Date) async throws {
        let offline = try await offlineDevices()
        for device in devices where offline.contains(device.id) {
            self.offline?.remove(device.id)
            if let alarm = try await Alarms.clear(
                device: device.id, type: Alarms.offline, by: nil, now: now, on: app.db)
            {
                await publish(alarm)
            }
        }
    }

    private func offlineDevices() async throws -> Set<UUID> {
        if let offline { return offline }
        let rows = try await Alarm.query(on: app.db).filter(\.$type == Alarms.offline).filter(\.$active == true).all()
        let loaded = Set(rows.map(\.deviceID))
        offline = loaded
        return loaded
    }

    /// Raises an offline alarm and a maintenance task for each device silent longer than its type allows.
    func checkHealth(now: Date, hub: DeviceHub) async throws {
        var offline = try await offlineDevices()
        let nowMs = Int64(now.timeIntervalSince1970 * 1000)
        for row in try await DeviceHealth.lastSeen(on: app.db) {
            guard !offline.contains(row.device.id), !row.device.disabled,
                !DeviceCatalog.isOnline(type: row.device.type, lastSeen: row.lastSeen, now: nowMs)
            else { continue }
            let (alarm, created) = try await Alarms.raise(
                community: row.device.communityID, device: row.device.id, type: Alarms.offline, severity: .major,
                rule: nil, details: nil, now: now, on: app.db)
            if created {
                try await Self.task(
                    community: row.device.communityID, role: .propertyStaff, title: "task.checkOffline",
                    device: row.device.id, alarm: alarm.id, now: now, on: app.db)
            }
            offline.insert(row.device.id)
            await publish(alarm)
        }
        self.offline = offline
    }

    /// Runs the actions of each firing; a rule's alarms clear when it clears.
    func run(_ firings: [Firing], now: Date) async throws {
        for firing in firings {
            let ruleID = firing.rule.id == RuleRuntime.lowBatteryRule.id ? nil : firing.rule.id
            var raised: Alarm?
            if firing.transition == .clear {
                for action in firing.rule.actions where action.kind == .alarm {
                    if let alarm = try await Alarms.clear(
                        device: firing.device.id, type: action.alarmType ?? "", by: nil, now: now, on: app.db)
                    {
                        await publish(alarm)
                    }
                }
            }
            for action in RuleEngine.actions(firing.rule, for: firing.transition) {
                switch action.kind {
                case .alarm:
                    let details = firing.value.map { "\(firing.rule.key)=\(TelemetryDisplay.number($0))" }
                    let (alarm, _) = try await Alarms.raise(
                        community: firing.communityID, device: firing.device.id, type: action.alarmType ?? "rule",
                        severity: action.severity ?? .warning, rule: ruleID, details: details, now: now, on: app.db)
                    raised = alarm
                    await publish(alarm)
                case .command:
                    let target = action.targetDeviceID ?? firing.device.id
                    guard let device = try await Device.find(target, on: app.db),
                        device.communityID == firing.communityID
                    else { continue }
                    let spec = DeviceCatalog.type(device.type)?.command(action.method ?? "")
                    _ = try await CommandQueue.enqueue(
                        device: device, method: action.method ?? "", params: action.params ?? .object([:]),
                        twoWay: spec?.twoWay ?? false, expiresIn: 3600, maxRetries: 3, replyTimeout: 60, by: nil,
                        rule: ruleID, now: now, hub: app.deviceHub, on: app.db)
                case .task:
                    try await Self.task(
                        community: firing.communityID, role: action.role ?? .propertyStaff,
                        title: action.title ?? firing.rule.name, device: firing.device.id, alarm: raised?.id, now: now,
                        on: app.db)
                case .notify:
                    try await Notifier.send(
                        action.title ?? firing.rule.name, .devices,
                        to: .init(role: action.role, household: action.role == nil ? firing.device.facts.householdID : nil),
                        community: firing.communityID, device: firing.device.id, now: now, on: app.db)
                    app.events.publish(NotificationsChanged(community: firing.communityID))
                }
            }
        }
    }

    static func task(
        community: UUID, role: StaffRole, title: String, device: UUID?, alarm: UUID?, now: Date, on db: any Database
    ) async throws {
        try await StaffTasks.open(title, .init(role: role, device: device, alarm: alarm), community: community, now: now, on: db)
    }

    private func publish(_ alarm: Alarm) async { await Alarms.publish(alarm, to: app.deviceHub) }
}

struct AlarmEvent: Content {
    let event: String
    let alarm: AlarmRead
}

/// Alarm lifecycle: one active alarm per (device, type); repeats update it.
enum Alarms {
    static let offline = "offline"
    static let lowBattery = "low_battery"

    /// Puts an alarm change on the community's live feed.
    static func publish(_ alarm: Alarm, to hub: DeviceHub) async {
        guard let read = try? AlarmRead(alarm, deviceName: nil),
            let data = try? JSONEncoder.linli.encode(AlarmEvent(event: "alarm", alarm: read))
        else { return }
        hub.announce(ConsoleFrame(community: alarm.communityID, feed: String(decoding: data, as: UTF8.self)))
    }

    static func raise(
        community: UUID, device: UUID, type: String, severity: Severity, rule: UUID?, details: String?, now: Date,
        on db: any Database
    ) async throws -> (Alarm, created: Bool) {
        if let active = try await Alarm.query(on: db).filter(\.$deviceID == device).filter(\.$type == type)
            .filter(\.$active == true).first()
        {
            active.repeats += 1
            active.updatedAt = now
            active.severity = severity
            if let details { active.details = details }
            try await active.save(on: db)
            return (active, false)
        }
        let alarm = Alarm()
        alarm.communityID = community
        alarm.deviceID = device
        alarm.type = type
        alarm.severity = severity
        alarm.status = .activeUnack
        alarm.active = true
        alarm.startedAt = now
        alarm.updatedAt = now
        alarm.repeats = 0
        alarm.details = details
        alarm.ruleID = rule
        try await alarm.create(on: db)
        return (alarm, true)
    }

    /// Clears the active alarm of this device and type, if there is one.
    static func clear(device: UUID, type: String, by: String?, now: Date, on db: any Database) async throws -> Alarm? {
        guard
            let active = try await Alarm.query(on: db).filter(\.$deviceID == device).filter(\.$type == type)
                .filter(\.$active == true).first()
        else { return nil }
        try await clear(active, by: by, now: now, on: db)
        return active
    }

    /// Clears the alarm; false when it already was (a conditional write on its status, so of parallel
    /// clears one is recorded).
    @discardableResult
    static func clear(_ alarm: Alarm, by: String?, now: Date, on db: any Database) async throws -> Bool {
        guard let next = alarm.status.cleared(), let id = alarm.id else { return false }
        let from = alarm.status
        let changed = try await db.conditionalUpdate(Alarm.schema) {
            $0.set("status", to: next.rawValue).set("active", to: false).set("cleared_at", to: now)
                .set("cleared_by", to: by ?? "system").set("updated_at", to: now)
                .where("id", .equal, id).where("status", .equal, from.rawValue)
        }
        guard changed == 1 else { return false }
        alarm.status = next
        alarm.active = false
        alarm.clearedAt = now
        alarm.clearedBy = by ?? "system"
        alarm.updatedAt = now
        return true
    }

    /// Acknowledges the alarm; false when someone already did (a conditional write on its status: of
    /// guards pressing "acknowledge" at once, one is recorded).
    @discardableResult
    static func acknowledge(_ alarm: Alarm, by: String, now: Date, on db: any Database) async throws -> Bool {
        guard let next = alarm.status.acknowledged(), let id = alarm.id else { return false }
        let from = alarm.status
        let changed = try await db.conditionalUpdate(Alarm.schema) {
            $0.set("status", to: next.rawValue).set("acknowledged_at", to: now).set("acknowledged_by", to: by)
                .set("updated_at", to: now).where("id", .equal, id).where("status", .equal, from.rawValue)
        }
        guard changed == 1 else { return false }
        alarm.status = next
        alarm.acknowledgedAt = now
        alarm.acknowledgedBy = by
        alarm.updatedAt = now
        return true
    }
}

/// Number formatting for details and pages.
enum TelemetryDisplay {
    static func number(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(format: "%.2f", value)
    }
}
