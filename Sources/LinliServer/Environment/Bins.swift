import Fluent
import Foundation
import LinliCore
import SQLKit
import Vapor

/// Bins emptied before they overflow. Each `bin_level` device gets a `WasteBin` row on its first
/// reading. A reading that drops by 20 points or more is an emptying: it closes the open task and is
/// the bin's `dateLastEmptying`. At 100 % with no task (or held at 100 % past the response time) an
/// overflow is counted; a temperature at or above the fire threshold is a critical alarm at once. The
/// forecast job (every 10 min) asks for a collection early enough to be done in working hours before the
/// bin reaches 90 % (`BinForecast`), from the hourly roll-ups of its fill.
enum Bins {
    static let forecastJob = "bins.forecast"
    static let taskTitle = "task.emptyBin"
    /// How long staff have to answer a task before a bin held at 100 % counts as an overflow all the same.
    static let responseTime: TimeInterval = 2 * 3600
    /// Working time a collection needs, for the forecast's ask-by.
    static let lead: TimeInterval = 3600
    /// A sensor's drop this soon after the last emptying is the same collection.
    static let sameCollection: TimeInterval = 2 * 3600

    /// The bin of a device as stored, or its defaults (not stored: a read makes no row).
    static func stored(_ device: Device, now: Date, on db: any Database) async throws -> WasteBin {
        let id = try device.requireID()
        return try await WasteBin.query(on: db).filter(\.$deviceID == id).first()
            ?? WasteBin(community: device.communityID, device: id, now: now)
    }

    /// The bin of a device, stored with the defaults on first use (its first reading, a change of settings).
    static func bin(for device: Device, now: Date, on db: any Database) async throws -> WasteBin {
        let row = try await stored(device, now: now, on: db)
        guard row.id == nil, let sql = db as? any SQLDatabase else { return row }
        // Two readings at once both find none: the unique device id keeps one.
        try await sql.insert(into: WasteBin.schema)
            .columns(
                "id", "community_id", "device_id", "capacity_litres", "work_start", "work_end", "threshold",
                "fire_celsius", "overflowing", "overflows", "enough_history", "updated_at"
            )
            .values(
                SQLBind(UUID()), SQLBind(row.communityID), SQLBind(row.deviceID), SQLBind(row.capacityLitres),
                SQLBind(row.workStart), SQLBind(row.workEnd), SQLBind(row.threshold), SQLBind(row.fireCelsius),
                SQLBind(row.overflowing), SQLBind(row.overflows), SQLBind(row.enoughHistory), SQLBind(now)
            ).ignoringConflicts(with: "device_id").run()
        return try await WasteBin.query(on: db).filter(\.$deviceID == row.deviceID).first() ?? row
    }

    /// A bin's readings, in the order they came.
    static func reported(_ device: DeviceRef, fill: Double?, temperature: Double?, now: Date, app: Application)
        async throws
    {
        guard let row = try await Device.find(device.id, on: app.db) else { return }
        let bin = try await bin(for: row, now: now, on: app.db)
        if let temperature, temperature >= bin.fireCelsius {
            let (alarm, created) = try await Alarms.raise(
                community: bin.communityID, device: device.id, type: "bin_fire", severity: .critical, rule: nil,
                details: "\(row.name) · \(TelemetryDisplay.number(temperature)) °C", now: now, on: app.db)
            if created { await Alarms.publish(alarm, to: app.deviceHub) }
        }
        guard let fill else { return }
        let previous = bin.lastFill
        bin.lastFill = fill
        bin.lastFillAt = now
        bin.updatedAt = now
        var events: [String] = []
        if let previous, previous - fill >= BinForecast.emptyingDrop {
            let closed = try await closeTask(bin, by: "sensor", now: now, app: app)
            // Emptied with no task asked (or long after the last): a collection all the same.
            if !closed && now.timeIntervalSince(bin.lastEmptiedAt ?? .distantPast) > sameCollection {
                events.append("emptied")
            }
            bin.lastEmptiedAt = now
            bin.fullSince = nil
            bin.overflowing = false
        }
        if fill >= 100 {
            bin.fullSince = bin.fullSince ?? now
            if !bin.overflowing, bin.taskID == nil {
                bin.overflowing = true
                bin.overflows += 1
                events.append("overflow")
            }
        } else {
            bin.fullSince = nil
            bin.overflowing = false
        }
        let saved = bin
        let kinds = events
        try await app.db.writeTransaction { db in
            try await saved.save(on: db)
            for kind in kinds { try await event(saved, kind, now: now, on: db) }
        }
        // Past the fixed threshold (or full) with no task: asked at once when due — with enough history
        // the forecast decides (it asked earlier, in working hours), else the threshold.
        if bin.taskID == nil, fill >= min(bin.threshold, BinForecast.full) {
            let forecast = try await forecast(of: bin, now: now, on: app.db)
            if BinForecast.due(
                forecast, fill: fill, now: now, hours: bin.hours, lead: lead, threshold: bin.threshold, calendar: .china)
            {
                try await ask(bin, now: now, app: app)
            }
        }
        // Pages hear of what changes them (an emptying, an overflow), not of every reading.
        if !kinds.isEmpty { app.events.publish(EnvironmentChanged(community: bin.communityID)) }
    }

    static func event(_ bin: WasteBin, _ kind: String, now: Date, on db: any Database) async throws {
        try await BinEvent(bin, kind, at: now).create(on: db)
    }

    /// Creates the bin's collection task unless it has one: a conditional write on `task_id`, so a
    /// reading and the forecast job never make two.
    static func ask(_ bin: WasteBin, now: Date, app: Application) async throws {
        guard bin.taskID == nil, let binID = bin.id else { return }
        let task = UUID()
        let made = try await app.db.writeTransaction { db in
            let changed = try await db.conditionalUpdate(WasteBin.schema) {
                $0.set("task_id", to: task).where("id", .equal, binID).where("task_id", .is, SQLLiteral.null)
            }
            guard changed == 1 else { return false }
            try await StaffTasks.open(
                taskTitle, .init(device: bin.deviceID), community: bin.communityID, id: task, now: now, on: db)
            return true
        }
        if made {
            bin.taskID = task
            app.events.publish(EnvironmentChanged(community: bin.communityID))
        }
    }

    /// Closes the bin's open task (the sensor saw it emptied, or the cleaner tapped done): one
    /// conditional write on the task's status; the collection is recorded with it.
    @discardableResult
    static func closeTask(_ bin: WasteBin, by: String, now: Date, app: Application) async throws -> Bool {
        guard let task = bin.taskID, let binID = bin.id else { return false }
        let closed = try await app.db.writeTransaction { db in
            let closed = try await StaffTasks.close(task, by: by, now: now, on: db)
            _ = try await db.conditionalUpdate(WasteBin.schema) {
                $0.set("task_id", to: SQLLiteral.null).set("last_emptied_at", to: now)
                    .where("id", .equal, binID).where("task_id", .equal, task)
            }
            guard closed else { return false }
            try await event(bin, "emptied", now: now, on: db)
            return true
        }
        bin.taskID = nil
        if closed {
            bin.lastEmptiedAt = now
            app.events.publish(EnvironmentChanged(community: bin.communityID))
        }
        return closed
    }

    /// The cleaner's tap: the bin's task is done (404 when the bin has none open — nothing to do).
    static func done(_ bin: WasteBin, by person: String, now: Date, app: Application) async throws -> Bool {
        if let task = bin.taskID, try await StaffTasks.status(task, on: app.db) == .done {
            // Finished from the task list: the bin lets go of it.
            bin.taskID = nil
            try await bin.save(on: app.db)
            return false
        }
        return try await closeTask(bin, by: person, now: now, app: app)
    }

    // MARK: - Forecast

    /// A bin's fill history: the hourly means of 28 days, and its latest reading.
    static func history(_ device: UUID, now: Date, on db: any Database) async throws -> [BinForecast.Reading] {
        let to = Int64(now.timeIntervalSince1970 * 1000)
        let points = try await TelemetryStore.series(
            device: device, key: "fill_level", from: to - 28 * 86_400_000, to: to + 1, interval: .hour, function: .avg,
            limit: 28 * 24 + 1, on: db)
        var readings = points.compactMap { p in
            p.value.number.map { BinForecast.Reading(at: Date(timeIntervalSince1970: TimeInterval(p.ts + 1_800_000) / 1000), fill: $0) }
        }
        .filter { $0.at <= now }
        if let latest = try await TelemetryStore.latest(device, on: db).first(where: { $0.key == "fill_level" }),
            let fill = latest.value.number
        {
            readings.append(BinForecast.Reading(at: Date(timeIntervalSince1970: TimeInterval(latest.ts) / 1000), fill: fill))
        }
        return readings
    }

    /// The bin's forecast from its history, kept on its row for the pages.
    static func forecast(of bin: WasteBin, now: Date, on db: any Database) async throws -> BinForecast.Forecast {
        let forecast = BinForecast.forecast(
            try await history(bin.deviceID, now: now, on: db), now: now, hours: bin.hours, lead: lead, calendar: .china)
        if let id = bin.id {
            try await WasteBin.query(on: db).filter(\.$id == id).set(\.$fullAt, to: forecast.fullAt)
                .set(\.$askBy, to: forecast.askBy).set(\.$enoughHistory, to: forecast.enoughHistory)
                .set(\.$forecastAt, to: now).update()
        }
        bin.fullAt = forecast.fullAt
        bin.askBy = forecast.askBy
        bin.enoughHistory = forecast.enoughHistory
        bin.forecastAt = now
        return forecast
    }

    /// The job: forecasts every bin, asks for the collections that are due, counts bins held at 100 % past
    /// the response time.
    static func forecast(now: Date, app: Application) async throws {
        for bin in try await WasteBin.query(on: app.db).all() {
            guard bin.lastFill != nil else { continue }
            let forecast = try await forecast(of: bin, now: now, on: app.db)
            if bin.taskID == nil, let fill = bin.lastFill {
                if BinForecast.due(
                    forecast, fill: fill, now: now, hours: bin.hours, lead: lead, threshold: bin.threshold,
                    calendar: .china)
                {
                    try await ask(bin, now: now, app: app)
                }
            }
            if let since = bin.fullSince, !bin.overflowing, now.timeIntervalSince(since) >= responseTime {
                bin.overflowing = true
                bin.overflows += 1
                let saved = bin
                try await app.db.writeTransaction { db in
                    try await saved.save(on: db)
                    try await event(saved, "overflow", now: now, on: db)
                }
            }
        }
    }
}

/// Feeds `Bins` with the bins' readings before the device's 200.
struct BinObserver: TelemetryObserver {
    let app: Application

    func observe(_ batches: [TelemetryBatch], now: Date) async throws {
        for batch in batches where batch.device.type == "bin_level" {
            func latest(_ key: String) -> Double? {
                guard let reading = batch.readings.filter({ $0.key == key }).max(by: { $0.ts < $1.ts }),
                    case .number(let value) = reading.value
                else { return nil }
                return value
            }
            let fill = latest("fill_level")
            let temperature = latest("temperature")
            guard fill != nil || temperature != nil else { continue }
            try await Bins.reported(batch.device, fill: fill, temperature: temperature, now: now, app: app)
        }
    }
}
