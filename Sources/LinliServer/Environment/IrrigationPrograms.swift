import Fluent
import Foundation
import LinliCore
import SQLKit
import Vapor

/// The irrigation runtime's program starts, and what the valves and soil sensors report.
extension Irrigation {
    // MARK: - Programs

    /// Decides each program start that has come (within `startGrace`) and has no run yet: skipped with
    /// its reason, or a run whose first cycle opens the valve now.
    static func startPrograms(_ zone: IrrigationZone, now: Date, app: Application) async throws {
        let day = Calendar.china.startOfDay(for: now)
        let dayText = Calendar.chinaDate(now)
        let zoneID = try zone.requireID()
        let due = zone.programs.enumerated().filter { $0.element.runs(on: now, calendar: .china) }
            .flatMap { index, program in program.starts.sorted().map { (index, program, $0) } }
        for (index, program, start) in due {
            var one = program
            one.starts = [start]
            // Where the first cycle falls (the quiet hours may move it).
            guard let first = one.cycles(scale: 100, maxRunMinutes: zone.maxRunMinutes).first else { continue }
            let at = day.addingTimeInterval(TimeInterval(first.start))
            guard at <= now, now.timeIntervalSince(at) < startGrace else { continue }
            let key = "\(zoneID):\(dayText):\(index):\(start)"
            guard try await IrrigationRun.query(on: app.db).filter(\.$key == key).first() == nil else { continue }
            // A start that comes while another program's run (or the previous start's) still waters waits
            // for it, within the grace: one valve, one run at a time.
            if let going = try await activeRun(zone, on: app.db), going.kind == "program" { return }
            let weather = try await weather(zone.communityID, now: now, on: app.db)
            let scale = WateringScale.scale(weather)
            let soil = try await soil(zone, now: now, app: app)
            let active = try await activeRun(zone, on: app.db)
            let valveOnline = try await online(zone.valveID, now: now, on: app.db)
            let override = zone.override(at: now)
            let reason = IrrigationRules.skip(
                .init(
                    heldOff: override == "off", manualRunning: override == "run" || active?.kind == "manual",
                    valveOnline: valveOnline, rainDelayed: (zone.rainDelayUntil ?? .distantPast) > now,
                    rainMm24h: weather.rainMm, rainThresholdMm: zone.rainSkipMm, soil: soil, scale: scale.scale))
            // The day's water so far counts against the valve's daily maximum.
            let used = try await IrrigationRun.query(on: app.db).filter(\.$zoneID == zoneID)
                .filter(\.$kind == "program").filter(\.$key =~ "\(zoneID):\(dayText):").all()
                .map(\.plannedSeconds).reduce(0, +)
            let cycles = one.cycles(scale: scale.scale, maxRunMinutes: max(0, zone.maxRunMinutes - used / 60))
            let run = IrrigationRun()
            run.communityID = zone.communityID
            run.zoneID = zoneID
            run.key = key
            run.kind = "program"
            run.plannedAt = at
            run.scale = scale.scale
            run.cycles = cycles.map { [$0.start - first.start, $0.seconds] }
            run.cycleIndex = 0
            run.phaseAt = now
            run.openSeconds = 0
            run.moisture = soil.moisture
            run.version = 0
            run.updatedAt = now
            if let reason = reason ?? (cycles.isEmpty ? .scaleZero : nil) {
                run.status = .skipped
                run.skipReason = reason
            } else {
                run.status = .opening
            }
            let opening = run.status == .opening
            let firstMinutes = (cycles.first?.seconds ?? 0) / 60 + 1
            let created = try await app.db.writeTransaction { db in
                guard let sql = db as? any SQLDatabase else { return false }
                // The key is unique: of two servers deciding the same start, one row is made.
                let taken = try await sql.select().column("id").from(IrrigationRun.schema).where("key", .equal, key)
                    .first()
                guard taken == nil else { return false }
                try await run.create(on: db)
                if opening {
                    try await command(zone, "open_valve", minutes: firstMinutes, now: now, app: app, on: db)
                }
                return true
            }
            if created {
                await wake(zone, app: app)
                app.events.publish(EnvironmentChanged(community: zone.communityID))
            }
            if !soil.stale.isEmpty {
                try await staleSensors(zone, soil.stale, now: now, app: app)
            }
        }
    }

    // MARK: - What the devices say

    /// A valve's `valve_open` reading: confirms the phase its run waits for, or — open with no run — is
    /// closed and alarmed.
    static func valveReported(_ valve: UUID, open: Bool, now: Date, app: Application) async throws {
        guard let zone = try await IrrigationZone.query(on: app.db).filter(\.$valveID == valve).first() else { return }
        let run = try await activeRun(zone, on: app.db)
        switch (run?.status, open) {
        case (.opening?, true):
            guard let run else { return }
            try await change(run, zone, app: app) { run, _ in
                run.status = .running
                run.phaseAt = now
                run.startedAt = run.startedAt ?? now
            }
            _ = try await Alarms.clear(device: valve, type: "valve_no_response", by: nil, now: now, on: app.db)
        case (.closing?, false):
            guard let run else { return }
            try await change(run, zone, app: app) { run, _ in
                run.status = .done
                run.closedAt = now
                run.phaseAt = now
            }
            _ = try await Alarms.clear(device: valve, type: "valve_no_response", by: nil, now: now, on: app.db)
        case (.running?, _), (.opening?, false): return
        case (.closing?, true), (.soaking?, true):
            // Still closing: only once the valve had its time to close is it open against orders.
            guard let run, now.timeIntervalSince(run.phaseAt) >= confirmTimeout else { return }
            fallthrough
        case (nil, true), (.skipped?, true), (.done?, true):
            // One close on its way at a time: a valve reporting open every minute is not sent a pile of them.
            let pending = try await DeviceCommand.query(on: app.db).filter(\.$deviceID == valve)
                .filter(\.$method == "close_valve").filter(\.$status ~~ [CommandStatus.queued, .sent, .delivered])
                .filter(\.$expiresAt > now)
                .count()
            if pending == 0 {
                try await app.db.writeTransaction { db in
                    try await command(zone, "close_valve", now: now, app: app, on: db)
                }
                await wake(zone, app: app)
            }
            try await alarm(zone, "valve_open_unplanned", .major, detail: nil, now: now, app: app)
        default: return
        }
    }

    /// A soil reading: a program's run whose zone got to its target stops now (a run by hand goes on).
    static func soilReported(_ sensor: UUID, now: Date, app: Application) async throws {
        let zones = try await IrrigationZone.query(on: app.db).filter(\.$sensorIDsText ~~ sensor.uuidString).all()
        for zone in zones {
            _ = try await Alarms.clear(device: sensor, type: "soil_stale", by: nil, now: now, on: app.db)
            guard let run = try await activeRun(zone, on: app.db), run.status == .running, run.kind == "program"
            else { continue }
            if try await soil(zone, now: now, app: app).wetEnough {
                try await close(run, zone, reason: .target, now: now, app: app)
            }
        }
    }

}
