import Fluent
import Foundation
import NIOConcurrencyHelpers
import Vapor

/// The device hub: registry, device API, telemetry, commands, rules, alarms, health.
enum Devices {
    static func register(_ app: Application) {
        app.migrations.add(CreateDevices())
        app.migrations.add(CreateTelemetry())
        app.migrations.add(AddProvisioningDeviceCap())
        DeviceAPI.register(app)
        DeviceHubAPI.register(app, app.api.authenticated)
        Notifications.register(app, app.api.authenticated)
        app.lifecycle.use(DeviceSweeper())
    }
}

/// Runs the hub's sweeps in the background while the server runs (not in tests, which call `tick()`).
struct DeviceSweeper: LifecycleHandler {
    private static let task = NIOLockedValueBox<Task<Void, Never>?>(nil)

    func didBootAsync(_ app: Application) async throws {
        let interval = app.deviceHub.settings.sweepInterval
        guard interval > 0 else { return }
        let hub = app.deviceHub
        let logger = app.logger
        Self.task.withLockedValue {
            $0 = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(nanoseconds: UInt64(interval * 1_000_000_000))
                    if Task.isCancelled { return }
                    do { try await hub.tick() } catch { logger.report(error: error) }
                    do {
                        try await WorkOrderService.sweep(now: app.clock.now(), on: app.db)
                    } catch { logger.report(error: error) }
                    do { try await Credentials.purge(now: app.clock.now(), on: app.db) } catch {
                        logger.report(error: error)
                    }
                    // Money whose provider answer was lost (a crash, a timeout) is settled with the same key.
                    do {
                        _ = try await MoneyMovements.reconcile(provider: app.payments, now: app.clock.now(), on: app.db)
                    } catch { logger.report(error: error) }
                }
            }
        }
    }

    func shutdownAsync(_ app: Application) async {
        let task = Self.task.withLockedValue { $0 }
        task?.cancel()
        await task?.value
    }
}
