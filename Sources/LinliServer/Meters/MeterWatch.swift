import Fluent
import Foundation
import LinliCore
import SQLKit
import Vapor

/// Watches the water meters every hour with the rules of `LinliCore` (`LeakRules` over the last 48 hours,
/// `UsageAnomaly` of the last hours against the home's own hour-of-week pattern of four weeks): a home's
/// meter tells the household, a community meter (the pump room, a garden's) asks the property staff for
/// a check — each kind once a China day per meter (a row unique per meter, kind and day, written in the
/// transaction of its notification or task).
enum MeterWatch {
    static let job = "meters.watch"
    static let taskTitle = "task.checkLeak"

    final class Finding: Model, @unchecked Sendable {
        static let schema = "meter_findings"

        @ID(key: .id) var id: UUID?
        @Field(key: "device_id") var deviceID: UUID
        @Field(key: "kind") var kind: String
        @Field(key: "day") var day: String
        @Field(key: "found_at") var foundAt: Date

        init() {}
    }

    struct Migration: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema(Finding.schema).id()
                .field("device_id", .uuid, .required, .references(Device.schema, .id, onDelete: .cascade))
                .field("kind", .string, .required).field("day", .string, .required).field("found_at", .datetime, .required)
                .unique(on: "device_id", "kind", "day").create()
        }

        func revert(on database: any Database) async throws { try await database.schema(Finding.schema).delete() }
    }

    /// Looks at the water meters that reported in the last two hours (a meter that did not cannot show
    /// anything new: a leak rule needs flow it reported, an anomaly use above the floor); answers how
    /// many findings were told now. The four weeks of a home's history are read only when its last
    /// hours were above the anomaly's floor, which no usual hour can be over otherwise.
    @discardableResult
    static func run(now: Date, app: Application) async throws -> Int {
        let nowMs = Int64(now.timeIntervalSince1970 * 1000)
        let hour: Int64 = 3_600_000
        let end = TimeBuckets.start(of: nowMs, .hour)
        let floor = 0.02
        var told = 0
        for meter in try await reporting(since: end - 2 * hour, on: app.db) {
            let recentSeries = try await Usage.series(of: [meter], .water, from: end - 48 * hour, on: app.db)
            let last48 = Usage.buckets(recentSeries, from: end - 48 * hour, to: end, .hour, maxGap: 3 * hour)
            var kinds = LeakRules.evaluate(last48).map(\.kind.rawValue)
            let recent = Usage.buckets(recentSeries, from: end - 3 * hour, to: end, .hour, maxGap: 3 * hour)
            if meter.householdID != nil, recent.contains(where: { $0.complete && ($0.usage ?? 0) > floor }) {
                let series = try await Usage.series(of: [meter], .water, from: end - 28 * 24 * hour, on: app.db)
                let history = Usage.buckets(series, from: end - 28 * 24 * hour, to: end - 3 * hour, .hour, maxGap: 3 * hour)
                // A floor of 20 L an hour: a quiet home's kettle is not news.
                if !UsageAnomaly.evaluate(history: history, recent: recent, floor: floor).isEmpty { kinds.append("anomaly") }
            }
            for kind in kinds where try await tell(meter, kind, now: now, app: app) { told += 1 }
        }
        return told
    }

    /// The enabled water meters whose latest reading is from `since` on (`telemetry_latest`, by its key).
    static func reporting(since: Int64, on db: any Database) async throws -> [Device] {
        guard let sql = db as? any SQLDatabase else { return [] }
        let ids = try await sql.select().column("device_id").from("telemetry_latest")
            .where("name", .equal, Usage.Kind.water.key).where("ts", .greaterThanOrEqual, since).all()
            .map { try $0.decode(column: "device_id", as: UUID.self) }
        guard !ids.isEmpty else { return [] }
        var meters: [Device] = []
        for chunk in stride(from: 0, to: ids.count, by: 500).map({ Array(ids[$0..<min($0 + 500, ids.count)]) }) {
            meters += try await Device.query(on: db).filter(\.$id ~~ chunk)
                .filter(\.$type == Usage.Kind.water.deviceType).filter(\.$disabled == false).all()
        }
        return meters
    }

    /// Once a day per meter and kind: the household's notification, or the staff's check task (unless
    /// one is still open for the meter).
    static func tell(_ meter: Device, _ kind: String, now: Date, app: Application) async throws -> Bool {
        guard let id = meter.id else { return false }
        let day = Calendar.chinaDate(now)
        let done = try await app.db.writeTransaction { tx -> Bool in
            guard let sql = tx as? any SQLDatabase else { return false }
            let inserted = try await sql.insert(into: Finding.schema).columns("id", "device_id", "kind", "day", "found_at")
                .values(SQLBind(UUID()), SQLBind(id), SQLBind(kind), SQLBind(day), SQLBind(now))
                .ignoringConflicts(with: ["device_id", "kind", "day"]).returning("id").all()
            guard !inserted.isEmpty else { return false }
            if let household = meter.householdID {
                try await Notifier.send(
                    kind == "anomaly" ? "usage.note.anomaly" : "usage.leak.\(kind)", .usage, to: .household(household),
                    community: meter.communityID, device: id, now: now, on: tx)
            } else {
                _ = try await StaffTasks.openOnce(taskTitle, device: id, community: meter.communityID, now: now, on: tx)
            }
            return true
        }
        if done { app.events.publish(NotificationsChanged(community: meter.communityID)) }
        return done
    }
}
