import Fluent
import Foundation
import NIOConcurrencyHelpers
import Vapor

/// The device hub: registry, device API, telemetry, commands, rules, alarms, health.
/// The strings of this feature (`DeviceStrings` tables beside it).
enum DeviceStrings: LocalizedStrings {}

enum Devices: Feature {
    static var strings: (any LocalizedStrings.Type)? { DeviceStrings.self }

    static func seedDemo(_ world: DemoWorld, on db: any Database) async throws {
        try await DemoDevices.seed(
            db, community: world.community, buildings: world.buildings, households: world.households, now: world.now)
    }

    static func register(_ app: Application) {
        DeviceFigures.register(app)
        app.notificationTopics.add(.devices)
        let tabs = app.consoleTabs
        tabs.add("devices", order: 50, shown: { .viewDevices($0) }) { DeviceRoute.devices($0) }
        tabs.add("alarms", order: 60, shown: { .viewDevices($0) }) { DeviceRoute.alarms($0) }
        tabs.add("rules", order: 70, shown: { .viewDevices($0) }) { DeviceRoute.rules($0) }
        tabs.add("health", order: 80, shown: { .viewDevices($0) }) { DeviceRoute.deviceHealth($0) }
        app.stampWithClock(Device.self)
        app.migrations.add(CreateDevices())
        app.migrations.add(CreateTelemetry())
        app.migrations.add(AddProvisioningDeviceCap())
        app.migrations.add(AddNotificationPerson())
        DeviceAPI.register(app)
        DeviceHubAPI.register(app, app.api.authenticated)
        // The live console feed of every server gets alarms and gate decisions from all of them; a
        // changed device leaves every server's token cache.
        let hub = app.deviceHub
        app.events.on(ConsoleFrame.self) { hub.events.publish(community: $0.community, $0.feed) }
        app.events.on(DeviceChanged.self) { hub.directory.forget(device: $0.device) }
        // Rules edited on another server are loaded again here (this server's own edit did it already).
        app.events.on(RulesChanged.self, elsewhereOnly: true) { changed in
            Task {
                if changed.reset { await hub.rules.forget(rule: changed.rule) }
                await hub.rules.invalidate()
            }
        }
        app.openAPIComponents.add(DeviceSchemas.all)
        // The hub's sweeps: command expiry and redelivery, offline detection, rule windows, retention.
        app.jobs.every("devices.commands", seconds: 15) { app, job in
            try await CommandQueue.sweep(now: job.now, hub: app.deviceHub, on: app.db)
        }
        app.jobs.every("devices.health", seconds: 15) { app, job in
            try await app.deviceHub.actions.checkHealth(now: job.now, hub: app.deviceHub)
        }
        app.jobs.every("devices.rules", seconds: 15) { app, job in try await app.deviceHub.tickRules(now: job.now) }
        app.jobs.every("devices.retention", seconds: 3600) { app, job in
            try await TelemetryStore.expire(now: job.now, settings: app.deviceHub.settings, on: app.db)
        }
    }
}



extension NotificationTopic {
    static let devices = NotificationTopic("devices")
}

extension Devices {
    static var commands: [(name: String, command: any AnyAsyncCommand)] { [("simulate", SimulateCommand())] }
}

extension Devices {
    static var css: String? { "devices/devices.css" }
}

/// A frame for a community's live console (an alarm raised, acknowledged or cleared; a gate's decision):
/// every server sends it to the consoles following the community.
struct ConsoleFrame: LinliEvent {
    let community: UUID
    let feed: String
}

/// A device's token, state or settings changed: token caches drop it.
struct DeviceChanged: LinliEvent {
    let device: UUID
}

/// A rule was written or deleted (`reset`: its states were dropped): other servers load the rules again.
struct RulesChanged: LinliEvent {
    let rule: UUID
    let reset: Bool
}
