import Fluent
import Foundation
import LinliCore
import Vapor

/// Irrigation's API: zones and their programs (operators), runs by hand and holds (operators, property
/// staff), the runs' record (all staff).
enum IrrigationAPI {
    static let z = RegistryAPI.c + "/irrigation/zones"

    /// Creates or changes a zone: its valve and sensors must be this community's devices of their type.
    static func save(_ zone: IrrigationZone?, _ input: ZoneInput, community: UUID, on req: Request) async throws
        -> IrrigationZone
    {
        var v = Validation()
        let now = req.clock.now()
        let row = zone ?? IrrigationZone()
        let name = (input.name ?? zone?.name ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if name.isEmpty || name.count > 60 { v.fail("name", name.isEmpty ? "required" : "too_long") }
        let valveID = input.valveID ?? zone?.valveID
        if let valveID {
            let valve = try await Device.query(on: req.db).filter(\.$id == valveID).filter(\.$communityID == community)
                .first()
            if valve?.type != "irrigation_valve" { v.fail("valveID", "not_a_valve") }
        } else {
            v.fail("valveID", "required")
        }
        let sensors = input.sensorIDs ?? zone?.sensorIDs ?? []
        if sensors.count > 20 { v.fail("sensorIDs", "too_many") }
        if !sensors.isEmpty {
            let found = try await Device.query(on: req.db).filter(\.$id ~~ sensors).filter(\.$communityID == community)
                .filter(\.$type == "soil_sensor").count()
            if found != Set(sensors).count { v.fail("sensorIDs", "not_a_soil_sensor") }
        }
        let plant = input.plant ?? zone?.plant ?? "lawn"
        if plant.count > 40 { v.fail("plant", "too_long") }
        let target = input.targetMoisture ?? zone?.targetMoisture ?? 35
        if !(target.isFinite && (1...100).contains(target)) { v.fail("targetMoisture", "out_of_range") }
        let maxRun = input.maxRunMinutes ?? zone?.maxRunMinutes ?? 60
        if !(1...240).contains(maxRun) { v.fail("maxRunMinutes", "out_of_range") }
        let flow = input.litresPerMinute ?? zone?.litresPerMinute ?? 18
        if !(flow.isFinite && flow > 0 && flow <= 1000) { v.fail("litresPerMinute", "out_of_range") }
        let rain = input.rainSkipMm ?? zone?.rainSkipMm ?? 5
        if !(rain.isFinite && rain > 0 && rain <= 500) { v.fail("rainSkipMm", "out_of_range") }
        var programs = zone?.programs ?? []
        if let given = input.programs {
            if given.count > IrrigationZone.maxPrograms { v.fail("programs", "too_many") }
            programs = given.prefix(IrrigationZone.maxPrograms).enumerated().compactMap { index, program in
                Self.program(program, maxRunMinutes: maxRun, field: "programs.\(index)", &v)
            }
        } else {
            for program in programs {
                do throws(IrrigationProgram.Problem) {
                    try program.check(maxRunMinutes: maxRun)
                } catch { v.fail("maxRunMinutes", error.reason) }
            }
        }
        try v.check()
        if let valveID, let other = try await IrrigationZone.query(on: req.db).filter(\.$valveID == valveID).first(),
            other.id != row.id
        {
            throw LinliError.invalid("valveID", "in_use")
        }
        if try await IrrigationZone.scoped(to: community, on: req.db).filter(\.$name == name).first().map({ $0.id != row.id })
            ?? false
        {
            throw LinliError.invalid("name", "taken")
        }
        row.communityID = community
        row.name = name
        row.valveID = valveID!
        row.sensorIDs = sensors
        row.plant = plant
        row.targetMoisture = target
        row.maxRunMinutes = maxRun
        row.litresPerMinute = flow
        row.rainSkipMm = rain
        row.programs = programs
        if zone == nil { row.createdAt = now }
        row.updatedAt = now
        let saved = row
        try await req.db.writeTransaction { db in
            try await saved.save(on: db)
            try await Audit.record(
                zone == nil ? .create : .update, "irrigation_zone", id: saved.id, community: community,
                after: saved.name, by: req, on: db)
        }
        req.application.events.publish(EnvironmentChanged(community: community))
        return row
    }

    /// The zones as staff see them: moisture, scale, next run, the run going, this week's and month's water.
    static func reads(_ zones: [IrrigationZone], now: Date, app: Application) async throws -> [ZoneRead] {
        guard let community = zones.first?.communityID else { return [] }
        let weather = try await Irrigation.weather(community, now: now, on: app.db)
        let scale = WateringScale.scale(weather)
        let calendar = Calendar.china
        let week = calendar.dateInterval(of: .weekOfYear, for: now)?.start ?? now
        let month = calendar.dateInterval(of: .month, for: now)?.start ?? now
        let runs = try await IrrigationRun.query(on: app.db).filter(\.$zoneID ~~ zones.compactMap(\.id))
            .filter(\.$plannedAt >= min(week, month)).all()
        // One query each for every zone's soil and active run.
        let latest = try await Irrigation.latestSoil(zones.flatMap(\.sensorIDs), on: app.db)
        let actives = try await IrrigationRun.query(on: app.db).filter(\.$zoneID ~~ zones.compactMap(\.id))
            .filter(\.$status ~~ RunStatus.active).sort(\.$plannedAt, .descending).all()
        var out: [ZoneRead] = []
        for zone in zones {
            let id = try zone.requireID()
            let soil = Irrigation.soil(zone, latest: latest, now: now)
            let mine = runs.filter { $0.zoneID == id }
            let active = actives.first { $0.zoneID == id }
            var override: ZoneRead.Override?
            if let kind = zone.override(at: now), let until = zone.overrideUntil {
                override = .init(kind: kind, until: until)
            } else if let until = zone.rainDelayUntil, until > now {
                override = .init(kind: "rain_delay", until: until)
            }
            out.append(
                ZoneRead(
                    id: id, name: zone.name, valveID: zone.valveID, sensorIDs: zone.sensorIDs, plant: zone.plant,
                    targetMoisture: zone.targetMoisture, maxRunMinutes: zone.maxRunMinutes,
                    litresPerMinute: zone.litresPerMinute, rainSkipMm: zone.rainSkipMm,
                    programs: zone.programs.map(input), mode: override == nil ? "automatic" : "override",
                    override: override, moisture: soil.moisture.map { ($0 * 10).rounded() / 10 },
                    staleSensors: soil.stale.compactMap(UUID.init(uuidString:)), scale: scale.scale,
                    scaleMissingData: scale.missingData, nextRun: nextRun(zone, after: now),
                    activeRun: try active.map(RunRead.init),
                    litresWeek: mine.filter { $0.plannedAt >= week }.compactMap(\.litres).reduce(0, +),
                    litresMonth: mine.filter { $0.plannedAt >= month }.compactMap(\.litres).reduce(0, +)))
        }
        return out
    }

    /// The programs' next start after `now` (within two weeks), nil without a program.
    static func nextRun(_ zone: IrrigationZone, after now: Date) -> Date? {
        let calendar = Calendar.china
        var day = calendar.startOfDay(for: now)
        for _ in 0..<15 {
            let noon = day.addingTimeInterval(12 * 3600)
            let starts = zone.programs.filter { $0.runs(on: noon, calendar: calendar) }.flatMap { program in
                program.starts.compactMap { start -> Date? in
                    var one = program
                    one.starts = [start]
                    return one.cycles(scale: 100, maxRunMinutes: zone.maxRunMinutes).first
                        .map { day.addingTimeInterval(TimeInterval($0.start)) }
                }
            }
            if let next = starts.filter({ $0 > now }).min() { return next }
            guard let following = calendar.date(byAdding: .day, value: 1, to: day) else { break }
            day = following
        }
        return nil
    }

    static func register(_ app: Application, _ api: any RoutesBuilder) {
        let zoneID: [String: JSONValue] = [:]
        api.register(
            .init(
                method: .POST, path: z, operationID: "createIrrigationZone",
                summary: "A zone: its valve, soil sensors, plant, target moisture, safety maximum and program",
                tag: "environment", authority: .community { .manageDevices($0) }, body: EnvironmentSchemas.zoneInput, status: .created,
                response: Schema.ref("IrrigationZone")), in: app, createIrrigationZone)
        api.register(
            .init(
                method: .GET, path: z, operationID: "listIrrigationZones",
                summary: "The zones: moisture, watering scale, next run, the run going, water this week and month",
                tag: "environment", authority: .community { .viewDevices($0) }, response: Schema.page(of: "IrrigationZone"), query: Endpoint.listQuery(.zones)),
            in: app, listIrrigationZones)
        api.register(
            .init(
                method: .GET, path: z + "/{zoneID}", operationID: "getIrrigationZone", summary: "One zone",
                tag: "environment", authority: .community { .viewDevices($0) }, response: Schema.ref("IrrigationZone"), pathSchemas: zoneID), in: app, getIrrigationZone)
        api.register(
            .init(
                method: .PATCH, path: z + "/{zoneID}", operationID: "updateIrrigationZone",
                summary: "Change a zone or its program (absent fields stay)", tag: "environment", authority: .community { .manageDevices($0) },
                body: EnvironmentSchemas.zoneInput, response: Schema.ref("IrrigationZone"), pathSchemas: zoneID), in: app, updateIrrigationZone)
        api.register(
            .init(
                method: .GET, path: z + "/{zoneID}/runs", operationID: "listIrrigationRuns",
                summary: "A zone's runs: planned, skipped (why), started, stopped (why), litres", tag: "environment", authority: .community { .viewDevices($0) },
                response: Schema.page(of: "IrrigationRun"), query: Endpoint.listQuery(.irrigationRuns),
                pathSchemas: zoneID), in: app, listIrrigationRuns)
        for (action, summary) in [
            ("run", "Water now for {minutes} (at most the zone's safety maximum); the zone returns to automatic when it ends"),
            ("stop", "Stop the run going (the zone stays automatic)"),
            ("hold", "Hold the zone off (kind hold) or delay for rain (kind rain) for {hours} ≤ 24; it returns to automatic by itself"),
            ("resume", "Back to automatic now"),
        ] {
            api.register(
                .init(
                    method: .POST, path: z + "/{zoneID}/" + action, operationID: action + "IrrigationZone",
                    summary: summary, tag: "environment", authority: .community { .sendCommands($0) },
                    body: action == "run" ? EnvironmentSchemas.runInput : action == "hold" ? EnvironmentSchemas.holdInput : nil,
                    response: Schema.ref("IrrigationZone"), pathSchemas: zoneID), in: app, overrideZone)
        }
    }

    /// The zone's override named by the route's last segment (`…/{zoneID}/run`).
    @Sendable static func overrideZone(_ req: Request) async throws -> ZoneRead {
        let action = req.url.path.split(separator: "/").last.map(String.init) ?? ""
        let id = try req.scope.communityID()
        let zone = try await IrrigationZone.find(try req.id("zoneID"), in: id, on: req.db)
        try await override(zone, action, req)
        let fresh = try await IrrigationZone.find(try zone.requireID(), in: id, on: req.db)
        return try await reads([fresh], now: req.clock.now(), app: req.application)[0]
    }

    /// The console's and phone's overrides, one way for both.
    static func override(_ zone: IrrigationZone, _ action: String, _ req: Request) async throws {
        switch action {
        case "run": try await override(zone, .run(minutes: try req.decode(RunNowInput.self).minutes), req)
        case "hold":
            let input = try req.decode(HoldInput.self)
            try await override(zone, .hold(hours: input.hours, rain: try holdKind(input.kind)), req)
        case "stop": try await override(zone, .stop, req)
        default: try await override(zone, .resume, req)
        }
    }

    /// `hold` (staff off, the default) or `rain` (a rain delay).
    static func holdKind(_ kind: String?) throws -> Bool {
        switch kind ?? "hold" {
        case "hold": false
        case "rain": true
        default: throw LinliError.invalid("kind", "invalid_value")
        }
    }

    /// What staff do to a zone from the API or the console's forms.
    enum Override {
        case run(minutes: Int)
        case hold(hours: Double, rain: Bool)
        case stop
        case resume

        var name: String {
            switch self {
            case .run: "run"
            case .hold(_, let rain): rain ? "rain" : "hold"
            case .stop: "stop"
            case .resume: "resume"
            }
        }
    }

    /// The one way an override is made, and audited.
    static func override(_ zone: IrrigationZone, _ action: Override, _ req: Request) async throws {
        let now = req.clock.now()
        let person = try req.user().principal.personID
        let app = req.application
        switch action {
        case .run(let minutes): _ = try await Irrigation.runNow(zone, minutes: minutes, by: person, now: now, app: app)
        case .hold(let hours, false): try await Irrigation.hold(zone, hours: hours, by: person, now: now, app: app)
        case .hold(let hours, true): try await Irrigation.rainDelay(zone, hours: hours, now: now, app: app)
        case .stop: try await Irrigation.stop(zone, now: now, app: app)
        case .resume: try await Irrigation.resume(zone, now: now, app: app)
        }
        try await Audit.record(
            .update, "irrigation_zone", id: zone.id, community: zone.communityID, after: "\(zone.name) · \(action.name)",
            by: req, on: req.db)
    }
}
