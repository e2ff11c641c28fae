import Fluent
import Foundation
import LinliCore
import SQLKit
import Vapor

/// Staff taking a zone over (a run by hand, a hold, a rain delay) and the readings the runtime goes by.
extension Irrigation {
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
        let zoneID = try zone.requireID()
        let runID = UUID()
        let until = now.addingTimeInterval(TimeInterval(minutes * 60) + confirmTimeout)
        // The zone is taken over first, by one conditional write: of parallel requests to water it, one
        // goes on; the others are told it is being watered by hand.
        let claimed = try await app.db.conditionalUpdate(IrrigationZone.schema) {
            $0.set("override_kind", to: "run").set("override_until", to: until).set("override_by", to: person)
                .set("override_run", to: runID).set("updated_at", to: now).where("id", .equal, zoneID)
                .where {
                    $0.where("override_kind", .is, SQLLiteral.null).orWhere("override_kind", .notEqual, "run")
                        .orWhere("override_until", .lessThanOrEqual, now)
                }
        }
        guard claimed == 1 else { throw running }
        zone.overrideKind = "run"
        zone.overrideUntil = until
        zone.overrideBy = person
        zone.overrideRun = runID
        // A program's run going is stopped for it.
        if let active = try await activeRun(zone, on: app.db), [.opening, .running, .soaking].contains(active.status) {
            try await close(active, zone, reason: .manual, now: now, app: app)
        }
        let run = IrrigationRun()
        run.id = runID
        run.communityID = zone.communityID
        run.zoneID = zoneID
        run.key = "manual:\(runID.uuidString)"
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
        try await app.db.writeTransaction { db in
            try await run.create(on: db)
            try await command(zone, "open_valve", minutes: minutes, now: now, app: app, on: db)
        }
        await wake(zone, app: app)
        app.events.publish(EnvironmentChanged(community: zone.communityID))
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
        zone.overrideRun = nil
        zone.updatedAt = now
        try await zone.save(on: app.db)
        app.events.publish(EnvironmentChanged(community: zone.communityID))
    }

    /// A rain delay of `hours` (≤ 24): the program's starts are skipped as for rain, then it ends by itself.
    static func rainDelay(_ zone: IrrigationZone, hours: Double, now: Date, app: Application) async throws {
        var v = Validation()
        if !(hours.isFinite && hours > 0 && hours * 3600 <= longestOverride) { v.fail("hours", "out_of_range") }
        try v.check()
        zone.rainDelayUntil = now.addingTimeInterval(hours * 3600)
        zone.updatedAt = now
        try await zone.save(on: app.db)
        app.events.publish(EnvironmentChanged(community: zone.communityID))
    }

    /// Back to automatic at once.
    static func resume(_ zone: IrrigationZone, now: Date, app: Application) async throws {
        if zone.overrideKind == "run" { try await stop(zone, now: now, app: app) }
        zone.overrideKind = nil
        zone.overrideUntil = nil
        zone.overrideBy = nil
        zone.overrideRun = nil
        zone.rainDelayUntil = nil
        zone.updatedAt = now
        try await zone.save(on: app.db)
        app.events.publish(EnvironmentChanged(community: zone.communityID))
    }

    // MARK: - Readings

    /// The zone's soil: its sensors' latest moisture against its target; stale after twice the
    /// sensor's report interval (half the catalogue's offline time).
    static func soil(_ zone: IrrigationZone, now: Date, app: Application) async throws -> SoilGate.Verdict {
        soil(zone, latest: try await latestSoil(zone.sensorIDs, on: app.db), now: now)
    }

    /// The zone's verdict from its sensors' latest readings (loaded for many zones at once).
    static func soil(_ zone: IrrigationZone, latest: [SoilGate.Reading], now: Date) -> SoilGate.Verdict {
        let interval = (DeviceCatalog.type("soil_sensor")?.offlineAfter ?? 7200) / 2
        let sensors = zone.sensorIDs.map(\.uuidString)
        return SoilGate.verdict(
            sensors: sensors, latest: latest.filter { sensors.contains($0.sensor) }, target: zone.targetMoisture,
            reportInterval: interval, now: now)
    }

    /// The latest `soil_moisture` of these sensors (one query).
    static func latestSoil(_ sensors: [UUID], on db: any Database) async throws -> [SoilGate.Reading] {
        guard !sensors.isEmpty, let sql = db as? any SQLDatabase else { return [] }
        let rows = try await sql.select().columns("device_id", "ts", "num").from("telemetry_latest")
            .where("device_id", .in, sensors).where("name", .equal, "soil_moisture").all()
        return try rows.compactMap { row in
            guard let value = try row.decode(column: "num", as: Double?.self) else { return nil }
            let ts = try row.decode(column: "ts", as: Int64.self)
            return SoilGate.Reading(
                sensor: try row.decode(column: "device_id", as: UUID.self).uuidString, moisture: value,
                at: Date(timeIntervalSince1970: TimeInterval(ts) / 1000))
        }
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
