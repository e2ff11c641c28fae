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
                let changed = try await change(run, app: app) { run, db in
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
            if try await soil(zone, now: now, app: app).wetEnough {
                _ = try await change(run, app: app) { run, _ in
                    run.status = .done
                    run.stopReason = .target
                    run.stoppedAt = now
                    run.closedAt = run.closedAt ?? now
                    run.phaseAt = now
                }
                return
            }
            _ = try await change(run, app: app) { run, db in
                run.status = .opening
                run.phaseAt = now
                try await command(zone, "open_valve", minutes: cycle[1] / 60 + 1, now: now, app: app, on: db)
            }
        case .closing:
            guard since >= confirmTimeout else { return }
            // The valve said nothing: the run is over all the same; the alarm asks someone to look.
            try await alarm(zone, "valve_no_response", .major, detail: "close", now: now, app: app)
            _ = try await change(run, app: app) { run, _ in
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
        _ = try await change(run, app: app) { run, db in
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
            if run.kind == "manual", zone.overrideKind == "run" {
                try await IrrigationZone.query(on: db).filter(\.$id == zone.requireID())
                    .filter(\.$overrideKind == "run").set(\.$overrideKind, to: nil).set(\.$overrideUntil, to: nil)
                    .set(\.$updatedAt, to: now).update()
            }
        }
    }

    /// A change of a run with the commands it sends, in one transaction, if nobody changed it since it was
    /// read (its version): of a tick and a reading that both move a run, one does.
    @discardableResult
    static func change(
        _ run: IrrigationRun, app: Application,
        _ body: @escaping @Sendable (IrrigationRun, any Database) async throws -> Void
    ) async throws -> Bool {
        let id = try run.requireID()
        let version = run.version
        let changed = try await app.db.writeTransaction { db in
            let claimed = try await db.conditionalUpdate(IrrigationRun.schema) {
                $0.set("version", to: version + 1).where("id", .equal, id).where("version", .equal, version)
            }
            guard claimed == 1, let row = try await IrrigationRun.find(id, on: db) else { return false }
            try await body(row, db)
            row.version = version + 1
            row.updatedAt = app.clock.now()
            try await row.save(on: db)
            return true
        }
        if changed, let valve = try await IrrigationZone.find(run.zoneID, on: app.db)?.valveID {
            await app.deviceHub.signals.post(valve, .commands)
        }
        if changed, let fresh = try await IrrigationRun.find(id, on: app.db) {
            run.status = fresh.status
            run.phaseAt = fresh.phaseAt
            run.cycleIndex = fresh.cycleIndex
            run.openSeconds = fresh.openSeconds
            run.version = fresh.version
        }
        if changed { app.events.publish(.environmentChanged(community: run.communityID)) }
        return changed
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

    // MARK: - Programs

    /// Decides each program start that has come (within `startGrace`) and has no run yet: skipped with
    /// its reason, or a run whose first cycle opens the valve now.
    static func startPrograms(_ zone: IrrigationZone, now: Date, app: Application) async throws {
        guard let program = zone.program, program.runs(on: now, calendar: .china) else { return }
        let day = Calendar.china.startOfDay(for: now)
        let dayText = Calendar.chinaDate(now)
        let zoneID = try zone.requireID()
        for start in program.starts.sorted() {
            var one = program
            one.starts = [start]
            // Where the first cycle falls (the quiet hours may move it).
            guard let first = one.cycles(scale: 100, maxRunMinutes: zone.maxRunMinutes).first else { continue }
            let at = day.addingTimeInterval(TimeInterval(first.start))
            guard at <= now, now.timeIntervalSince(at) < startGrace else { continue }
            let key = "\(zoneID):\(dayText):\(start)"
            guard try await IrrigationRun.query(on: app.db).filter(\.$key == key).first() == nil else { continue }
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
                app.events.publish(.environmentChanged(community: zone.communityID))
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
            try await change(run, app: app) { run, _ in
                run.status = .running
                run.phaseAt = now
                run.startedAt = run.startedAt ?? now
            }
            _ = try await Alarms.clear(device: valve, type: "valve_no_response", by: nil, now: now, on: app.db)
        case (.closing?, false):
            guard let run else { return }
            try await change(run, app: app) { run, _ in
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
            try await app.db.writeTransaction { db in
                try await command(zone, "close_valve", now: now, app: app, on: db)
            }
            await wake(zone, app: app)
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

    // MARK: - By hand

    /// Waters the zone now for `minutes` (≤ its safety maximum); the zone is under the run's override
    /// until it ends. A run already going is stopped first.
    static func runNow(_ zone: IrrigationZone, minutes: Int, by person: UUID, now: Date, app: Application) async throws
        -> IrrigationRun
    {
        var v = Validation()
        if minutes <= 0 { v.fail("minutes", "out_of_range") }
        if minutes > zone.maxRunMinutes { v.fail("minutes", "over_max_run") }
        try v.check()
        let running = LinliError(.conflict, issues: [FieldIssue(field: "zoneID", reason: "running_by_hand")])
        if zone.override(at: now) == "run" { throw running }
        if let active = try await activeRun(zone, on: app.db), [.opening, .running, .soaking].contains(active.status) {
            try await close(active, zone, reason: .manual, now: now, app: app)
        }
        let run = IrrigationRun()
        run.communityID = zone.communityID
        run.zoneID = try zone.requireID()
        run.key = "manual:\(UUID().uuidString)"
        run.kind = "manual"
        run.plannedAt = now
        run.cycles = [[0, minutes * 60]]
        run.cycleIndex = 0
        run.status = .opening
        run.phaseAt = now
        run.openSeconds = 0
        run.by = person
        run.moisture = try await soil(zone, now: now, app: app).moisture
        run.version = 0
        run.updatedAt = now
        let until = now.addingTimeInterval(TimeInterval(minutes * 60) + confirmTimeout)
        let zoneID = try zone.requireID()
        // The zone is taken over by one conditional write: of parallel requests to water it, one does.
        let claimed = try await app.db.writeTransaction { db in
            let claimed = try await db.conditionalUpdate(IrrigationZone.schema) {
                $0.set("override_kind", to: "run").set("override_until", to: until).set("override_by", to: person)
                    .set("updated_at", to: now).where("id", .equal, zoneID)
                    .where {
                        $0.where("override_kind", .is, SQLLiteral.null).orWhere("override_kind", .notEqual, "run")
                            .orWhere("override_until", .lessThanOrEqual, now)
                    }
            }
            guard claimed == 1 else { return false }
            try await run.create(on: db)
            try await command(zone, "open_valve", minutes: minutes, now: now, app: app, on: db)
            return true
        }
        guard claimed else { throw running }
        zone.overrideKind = "run"
        zone.overrideUntil = until
        zone.overrideBy = person
        await wake(zone, app: app)
        app.events.publish(.environmentChanged(community: zone.communityID))
        return run
    }

    /// Stops whatever runs in the zone; the zone stays automatic (a run by hand's override ends with it).
    static func stop(_ zone: IrrigationZone, now: Date, app: Application) async throws {
        guard let active = try await activeRun(zone, on: app.db), active.status != .closing else { return }
        try await close(active, zone, reason: .manual, now: now, app: app)
    }

    /// Holds the zone off for `hours` (≤ 24): its program's starts are skipped, a run going is stopped; it
    /// returns to automatic by itself.
    static func hold(_ zone: IrrigationZone, hours: Double, by person: UUID, now: Date, app: Application) async throws {
        var v = Validation()
        if !(hours.isFinite && hours > 0 && hours * 3600 <= longestOverride) { v.fail("hours", "out_of_range") }
        try v.check()
        try await stop(zone, now: now, app: app)
        zone.overrideKind = "off"
        zone.overrideUntil = now.addingTimeInterval(hours * 3600)
        zone.overrideBy = person
        zone.updatedAt = now
        try await zone.save(on: app.db)
        app.events.publish(.environmentChanged(community: zone.communityID))
    }

    /// A rain delay of `hours` (≤ 24): the program's starts are skipped as for rain, then it ends by itself.
    static func rainDelay(_ zone: IrrigationZone, hours: Double, now: Date, app: Application) async throws {
        var v = Validation()
        if !(hours.isFinite && hours > 0 && hours * 3600 <= longestOverride) { v.fail("hours", "out_of_range") }
        try v.check()
        zone.rainDelayUntil = now.addingTimeInterval(hours * 3600)
        zone.updatedAt = now
        try await zone.save(on: app.db)
        app.events.publish(.environmentChanged(community: zone.communityID))
    }

    /// Back to automatic at once.
    static func resume(_ zone: IrrigationZone, now: Date, app: Application) async throws {
        if zone.overrideKind == "run" { try await stop(zone, now: now, app: app) }
        zone.overrideKind = nil
        zone.overrideUntil = nil
        zone.overrideBy = nil
        zone.rainDelayUntil = nil
        zone.updatedAt = now
        try await zone.save(on: app.db)
        app.events.publish(.environmentChanged(community: zone.communityID))
    }

    // MARK: - Readings

    /// The zone's soil: its sensors' latest moisture against its target; stale after twice the
    /// sensor's report interval (half the catalogue's offline time).
    static func soil(_ zone: IrrigationZone, now: Date, app: Application) async throws -> SoilGate.Verdict {
        let sensors = zone.sensorIDs
        var latest: [SoilGate.Reading] = []
        if !sensors.isEmpty, let sql = app.db as? any SQLDatabase {
            let rows = try await sql.select().columns("device_id", "ts", "num").from("telemetry_latest")
                .where("device_id", .in, sensors).where("name", .equal, "soil_moisture").all()
            for row in rows {
                guard let value = try row.decode(column: "num", as: Double?.self) else { continue }
                let ts = try row.decode(column: "ts", as: Int64.self)
                latest.append(
                    SoilGate.Reading(
                        sensor: try row.decode(column: "device_id", as: UUID.self).uuidString, moisture: value,
                        at: Date(timeIntervalSince1970: TimeInterval(ts) / 1000)))
            }
        }
        let interval = (DeviceCatalog.type("soil_sensor")?.offlineAfter ?? 7200) / 2
        return SoilGate.verdict(
            sensors: sensors.map(\.uuidString), latest: latest, target: zone.targetMoisture, reportInterval: interval,
            now: now)
    }

    /// The community station's last 24 h: hourly means of temperature and humidity, rain summed.
    static func weather(_ community: UUID, now: Date, on db: any Database) async throws -> WateringScale.Weather {
        guard
            let station = try await Device.query(on: db).filter(\.$communityID == community)
                .filter(\.$type == "weather_station").filter(\.$disabled == false).sort(\.$name).first(),
            let id = station.id
        else { return WateringScale.Weather(temperatureC: nil, humidityPct: nil, rainMm: nil) }
        let to = Int64(now.timeIntervalSince1970 * 1000)
        let from = to - 86_400_000
        func values(_ key: String, _ function: AggregateFunction) async throws -> [Double] {
            try await TelemetryStore.series(
                device: id, key: key, from: from, to: to + 1, interval: .hour, function: function, limit: 48, on: db
            ).compactMap(\.value.number)
        }
        return IrrigationRules.weather(
            temperatures: try await values("temperature", .avg), humidities: try await values("humidity", .avg),
            rains: try await values("rain", .sum))
    }

    static func online(_ device: UUID, now: Date, on db: any Database) async throws -> Bool {
        guard let row = try await Device.find(device, on: db), !row.disabled else { return false }
        let seen = try await DeviceHealth.status(community: row.communityID, only: [device], on: db)[device]
        return DeviceCatalog.isOnline(type: row.type, lastSeen: seen?.last, now: Int64(now.timeIntervalSince1970 * 1000))
    }

    /// The valve's mean reported flow (L/min) while open, nil when it reported none.
    static func meanFlow(_ valve: UUID, from: Date, to: Date, on db: any Database) async throws -> Double? {
        guard let sql = db as? any SQLDatabase else { return nil }
        let row = try await sql.select().column(SQLFunction("AVG", args: SQLIdentifier("num")), as: "mean")
            .from("telemetry").where("device_id", .equal, valve).where("name", .equal, "flow")
            .where("ts", .greaterThanOrEqual, Int64(from.timeIntervalSince1970 * 1000))
            .where("ts", .lessThanOrEqual, Int64(to.timeIntervalSince1970 * 1000)).where("num", .greaterThan, 0)
            .first()
        return try row?.decode(column: "mean", as: Double?.self)
    }

    static func alarm(
        _ zone: IrrigationZone, _ type: String, _ severity: Severity, detail: String?, now: Date, app: Application
    ) async throws {
        let (alarm, created) = try await Alarms.raise(
            community: zone.communityID, device: zone.valveID, type: type, severity: severity, rule: nil,
            details: [zone.name, detail].compactMap { $0 }.joined(separator: " · "), now: now, on: app.db)
        if created { await Alarms.publish(alarm, to: app.deviceHub) }
    }

    /// Sensors that went silent: the run went by the weather alone, and each sensor gets an alert.
    static func staleSensors(_ zone: IrrigationZone, _ sensors: [String], now: Date, app: Application) async throws {
        for sensor in sensors.compactMap(UUID.init(uuidString:)) {
            let (alarm, created) = try await Alarms.raise(
                community: zone.communityID, device: sensor, type: "soil_stale", severity: .warning, rule: nil,
                details: zone.name, now: now, on: app.db)
            if created { await Alarms.publish(alarm, to: app.deviceHub) }
        }
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
