import Fluent
import Foundation
import LinliCore
import SQLKit
import Vapor

/// The irrigation runtime. Everything it knows is in the database — zones, runs with their phase and
/// version, the valves' latest readings — so the job that drives it (`irrigation.tick`, every 15 s)
/// picks up after a restart where the last server left off: a valve open past its time is closed at
/// the first tick, never left open past its safety maximum.
///
/// A run goes `opening` (open command queued) → `running` (the valve reported `valve_open: true`) →
/// `soaking` between cycles → … → `closing` (close queued) → `done` (the valve reported closed). A valve
/// that does not confirm within `confirmTimeout` raises `valve_no_response`; a valve that reports open
/// with no run is closed and raises `valve_open_unplanned`.
enum Irrigation {
    static let tickJob = "irrigation.tick"
    /// How long a valve has to confirm a command (by its `valve_open` reading).
    static let confirmTimeout: TimeInterval = 180
    /// A program start missed by longer than this (the server was down) is not watered late.
    static let startGrace: TimeInterval = 1800
    /// The longest a hold or rain delay may last: the zone then returns to automatic by itself.
    static let longestOverride: TimeInterval = 24 * 3600

    // MARK: - The job

    static func tick(now: Date, app: Application) async throws {
        let zones = try await IrrigationZone.query(on: app.db).all()
        for zone in zones {
            do { try await advance(zone, now: now, app: app) } catch {
                app.logger.warning("irrigation zone \(zone.name): \(error)")
            }
        }
    }

    /// One zone's step: an override that ended is lifted, the active run moves on, a program start that
    /// came is decided.
    static func advance(_ zone: IrrigationZone, now: Date, app: Application) async throws {
        if let until = zone.overrideUntil, until <= now, zone.overrideKind != nil {
            zone.overrideKind = nil
            zone.overrideUntil = nil
            zone.overrideBy = nil
            zone.overrideRun = nil
            zone.updatedAt = now
            try await zone.save(on: app.db)
        }
        if let until = zone.rainDelayUntil, until <= now {
            zone.rainDelayUntil = nil
            try await zone.save(on: app.db)
        }
        if let run = try await activeRun(zone, on: app.db) {
            try await step(run, zone, now: now, app: app)
        }
        try await startPrograms(zone, now: now, app: app)
    }

    static func activeRun(_ zone: IrrigationZone, on db: any Database) async throws -> IrrigationRun? {
        try await IrrigationRun.query(on: db).filter(\.$zoneID == zone.requireID())
            .filter(\.$status ~~ RunStatus.active).sort(\.$plannedAt, .descending).first()
    }

    /// Moves an active run on by the clock: a stretch that is over closes, a soak that is over opens the
    /// next cycle, a command the valve did not confirm raises its alarm.
    static func step(_ run: IrrigationRun, _ zone: IrrigationZone, now: Date, app: Application) async throws {
        let since = now.timeIntervalSince(run.phaseAt)
        switch run.status {
        case .opening:
            guard since >= confirmTimeout else { return }
            try await alarm(zone, "valve_no_response", .major, detail: "open", now: now, app: app)
            try await close(run, zone, reason: .noConfirm, now: now, app: app)
        case .running:
            let cycle = run.cycles[safe: run.cycleIndex] ?? [0, 0]
            // A run by hand is staff's say: only a program's run stops at the soil's target.
            let wet = run.kind == "program" ? try await soil(zone, now: now, app: app).wetEnough : false
            guard
                let reason = IrrigationRules.stop(
                    openFor: Int(since), planned: cycle[1], maxRunSeconds: zone.maxRunMinutes * 60,
                    soilWetEnough: wet)
            else { return }
            let next = run.cycles[safe: run.cycleIndex + 1]
            if reason == .timeUp, let next {
                // Soak: the valve closes and opens again at the next cycle's time.
                let changed = try await change(run, zone, app: app) { run, db in
                    run.openSeconds += Int(since)
                    run.status = .soaking
                    run.phaseAt = now
                    run.cycleIndex += 1
                    try await command(zone, "close_valve", now: now, app: app, on: db)
                }
                if changed, next[0] <= Int(now.timeIntervalSince(run.plannedAt)) { try await step(run, zone, now: now, app: app) }
            } else {
                try await close(run, zone, reason: reason, now: now, app: app)
            }
        case .soaking:
            let cycle = run.cycles[safe: run.cycleIndex] ?? [0, 0]
            guard now >= run.plannedAt.addingTimeInterval(TimeInterval(cycle[0])) else { return }
            // The soil got there during the soak: the run ends (its water so far counted), no more cycles.
            if run.kind == "program", try await soil(zone, now: now, app: app).wetEnough {
                try await close(run, zone, reason: .target, now: now, app: app)
                return
            }
            _ = try await change(run, zone, app: app) { run, db in
                run.status = .opening
                run.phaseAt = now
                try await command(zone, "open_valve", minutes: cycle[1] / 60 + 1, now: now, app: app, on: db)
            }
        case .closing:
            guard since >= confirmTimeout else { return }
            // The valve said nothing: the run is over all the same; the alarm asks someone to look.
            try await alarm(zone, "valve_no_response", .major, detail: "close", now: now, app: app)
            _ = try await change(run, zone, app: app) { run, _ in
                run.status = .done
                run.phaseAt = now
            }
        case .skipped, .done: return
        }
    }

    /// Ends a run: its valve is told to close, the open time and litres are counted, a run by hand's
    /// override is lifted.
    static func close(_ run: IrrigationRun, _ zone: IrrigationZone, reason: IrrigationStop, now: Date, app: Application)
        async throws
    {
        let wasOpen = run.status == .running
        let open = wasOpen ? Int(now.timeIntervalSince(run.phaseAt)) : 0
        let flow = try await meanFlow(zone.valveID, from: run.startedAt ?? run.phaseAt, to: now, on: app.db)
        let moisture = try await soil(zone, now: now, app: app).moisture
        _ = try await change(run, zone, app: app) { run, db in
            run.openSeconds += open
            run.litres = IrrigationRules.litres(
                openSeconds: run.openSeconds, meanFlow: flow, estimate: zone.litresPerMinute)
            run.stopReason = run.stopReason ?? reason
            run.stoppedAt = run.stoppedAt ?? now
            run.moisture = moisture ?? run.moisture
            if run.status == .soaking {
                run.status = .done
                run.closedAt = run.closedAt ?? now
            } else {
                run.status = .closing
                try await command(zone, "close_valve", now: now, app: app, on: db)
            }
            run.phaseAt = now
            if run.kind == "manual", let id = run.id {
                // Its own override ends with it (not one a newer run by hand took since).
                try await IrrigationZone.query(on: db).filter(\.$id == zone.requireID())
                    .filter(\.$overrideRun == id).set(\.$overrideKind, to: nil).set(\.$overrideUntil, to: nil)
                    .set(\.$overrideRun, to: nil).set(\.$updatedAt, to: now).update()
            }
        }
    }

    /// A change of a run with the commands it sends, in one transaction, if nobody changed it since it was
    /// read (its version): of a tick and a reading that both move a run, one does.
    @discardableResult
    static func change(
        _ run: IrrigationRun, _ zone: IrrigationZone, app: Application,
        _ body: @escaping @Sendable (IrrigationRun, any Database) async throws -> Void
    ) async throws -> Bool {
        let id = try run.requireID()
        let version = run.version
        let changed = try await app.db.writeTransaction { db -> IrrigationRun? in
            let claimed = try await db.conditionalUpdate(IrrigationRun.schema) {
                $0.set("version", to: version + 1).where("id", .equal, id).where("version", .equal, version)
            }
            guard claimed == 1, let row = try await IrrigationRun.find(id, on: db) else { return nil }
            try await body(row, db)
            row.version = version + 1
            row.updatedAt = app.clock.now()
            try await row.save(on: db)
            return row
        }
        guard let fresh = changed else { return false }
        run.status = fresh.status
        run.phaseAt = fresh.phaseAt
        run.cycleIndex = fresh.cycleIndex
        run.openSeconds = fresh.openSeconds
        run.version = fresh.version
        await wake(zone, app: app)
        app.events.publish(EnvironmentChanged(community: run.communityID))
        return true
    }

    /// Queues a valve command inside the caller's transaction; the poll is woken when it committed.
    static func command(
        _ zone: IrrigationZone, _ method: String, minutes: Int? = nil, now: Date, app: Application, on db: any Database
    ) async throws {
        guard let valve = try await Device.find(zone.valveID, on: db) else { return }
        let params: JSON = minutes.map { .object(["minutes": .number(Double($0))]) } ?? .object([:])
        _ = try await CommandQueue.enqueue(
            device: valve, method: method, params: params, twoWay: false, expiresIn: confirmTimeout, maxRetries: 2,
            replyTimeout: 60, by: nil, rule: nil, now: now, hub: app.deviceHub, on: db, announce: false)
    }

    /// Wakes the valve's poll once the transaction that queued its command has committed.
    static func wake(_ zone: IrrigationZone, app: Application) async {
        await app.deviceHub.signals.post(zone.valveID, .commands)
    }

}


extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}

/// Feeds the irrigation runtime with the valves' and soil sensors' readings before the device's 200.
struct IrrigationObserver: TelemetryObserver {
    let app: Application

    func observe(_ batches: [TelemetryBatch], now: Date) async throws {
        for batch in batches {
            switch batch.device.type {
            case "irrigation_valve":
                guard let reading = batch.readings.filter({ $0.key == "valve_open" }).max(by: { $0.ts < $1.ts }),
                    case .bool(let open) = reading.value
                else { continue }
                try await Irrigation.valveReported(batch.device.id, open: open, now: now, app: app)
            case "soil_sensor":
                guard batch.readings.contains(where: { $0.key == "soil_moisture" }) else { continue }
                try await Irrigation.soilReported(batch.device.id, now: now, app: app)
            default: continue
            }
        }
    }
}
