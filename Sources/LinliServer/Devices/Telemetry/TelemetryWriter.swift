import Fluent
import Foundation
import LinliCore
import Prometheus
import SQLKit

/// What the hub remembers about a device between requests (from its token).
struct DeviceRef: Sendable, Hashable {
    let id: UUID
    let communityID: UUID
    let type: String
    let facts: DeviceFacts
    let disabled: Bool

    init(_ device: Device) throws {
        id = try device.requireID()
        communityID = device.communityID
        type = device.type
        facts = DeviceFacts(
            id: id, type: device.type, buildingID: device.buildingID, householdID: device.householdID, zone: device.zone
        )
        disabled = device.disabled
    }

    var catalogue: DeviceType { DeviceCatalog.resolve(type) }
}

/// One device's accepted readings from one request.
struct TelemetryBatch: Sendable {
    let device: DeviceRef
    let readings: [Reading]
    let receivedAt: Int64
}

/// Writes telemetry through a `GroupCommit`: requests that arrive while a transaction is being written
/// wait together and go into the next one. A request is answered only after its transaction committed
/// (WAL, synchronous FULL), so every 2xx survives a crash, yet a busy server writes hundreds of
/// readings per transaction instead of one.
final class TelemetryWriter: Sendable {
    private let committer: GroupCommit<TelemetryBatch, Void>

    init(
        db: any Database, metrics: PrometheusCollectorRegistry,
        afterCommit: @escaping @Sendable ([TelemetryBatch]) async throws -> Void
    ) {
        // Transactions written and readings stored (`/metrics`: readings per transaction shows the batching).
        let transactions = metrics.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "linli", metricName: "telemetry_transactions", unitName: "total",
                helpText: "Telemetry transactions committed (group commit: several requests each)"))
        let stored = metrics.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "linli", metricName: "telemetry_readings", unitName: "total",
                helpText: "Readings stored (repeats of the same device, key and time not counted)"))
        committer = GroupCommit { batches in
            let inserted = try await TelemetryStore.insert(batches, on: db)
            transactions.increment()
            stored.increment(by: Int64(inserted))
            try await afterCommit(batches)
            return batches.map { _ in () }
        }
    }

    /// Stores the batch; returns once it is committed.
    func write(_ batch: TelemetryBatch) async throws { try await committer.submit(batch) }
}

/// Telemetry SQL: the group-commit insert, latest values, series queries and retention.
enum TelemetryStore {
    /// Rows per statement, under SQLite's 32,766 bound parameters.
    static let chunk = 4000

    /// Inserts raw readings (a repeat of the same device, key and time is ignored, so a device
    /// retrying a batch does not count twice), then updates latest values, hourly and daily roll-ups
    /// and device status, in one transaction. Returns the number of new readings.
    static func insert(_ batches: [TelemetryBatch], on db: any Database) async throws -> Int {
        try await db.writeTransaction { tx in
            guard let sql = tx as? any SQLDatabase else { return 0 }
            let postgres = sql.dialect.name == "postgresql"
            var fresh: [(UUID, Reading)] = []
            var all: [(UUID, Reading)] = []
            for batch in batches { for reading in batch.readings { all.append((batch.device.id, reading)) } }
            for part in stride(from: 0, to: all.count, by: chunk) {
                let rows = all[part..<min(part + chunk, all.count)]
                var insert = sql.insert(into: "telemetry").columns("device_id", "name", "ts", "kind", "num", "str")
                for (device, reading) in rows {
                    let (kind, num, str) = columns(reading.value)
                    insert = insert.values(
                        SQLBind(device), SQLBind(reading.key), SQLBind(reading.ts), SQLBind(kind), SQLBind(num),
                        SQLBind(str))
                }
                let returned = try await insert.ignoringConflicts(with: ["device_id", "name", "ts"])
                    .returning("device_id", "name", "ts").all()
                var keep = Set<ReadingKey>()
                for row in returned {
                    keep.insert(
                        ReadingKey(
                            device: try row.decode(column: "device_id", as: UUID.self),
                            name: try row.decode(column: "name", as: String.self),
                            ts: try row.decode(column: "ts", as: Int64.self)))
                }
                fresh += rows.filter { keep.contains(ReadingKey(device: $0.0, name: $0.1.key, ts: $0.1.ts)) }
            }
            try await upsertLatest(fresh, sql)
            try await upsertRollups(fresh, sql, postgres: postgres)
            try await upsertStatus(batches, sql)
            return fresh.count
        }
    }

    private struct ReadingKey: Hashable {
        let device: UUID
        let name: String
        let ts: Int64
    }

    static func columns(_ value: ReadingValue) -> (String, Double?, String?) {
        switch value {
        case .number(let number): ("n", number, nil)
        case .bool(let flag): ("b", flag ? 1 : 0, nil)
        case .text(let text): ("s", nil, text)
        case .json(let text): ("j", nil, text)
        }
    }

    static func value(kind: String, num: Double?, str: String?) -> ReadingValue {
        switch kind {
        case "b": .bool((num ?? 0) != 0)
        case "s": .text(str ?? "")
        case "j": .json(str ?? "null")
        default: .number(num ?? 0)
        }
    }

    private static func upsertLatest(_ readings: [(UUID, Reading)], _ sql: any SQLDatabase) async throws {
        var newest: [String: (UUID, Reading)] = [:]
        for (device, reading) in readings {
            let key = device.uuidString + "\u{1}" + reading.key
            if let current = newest[key], current.1.ts >= reading.ts { continue }
            newest[key] = (device, reading)
        }
        let rows = Array(newest.values)
        for part in stride(from: 0, to: rows.count, by: chunk) {
            var insert = sql.insert(into: "telemetry_latest").columns("device_id", "name", "ts", "kind", "num", "str")
            for (device, reading) in rows[part..<min(part + chunk, rows.count)] {
                let (kind, num, str) = columns(reading.value)
                insert = insert.values(
                    SQLBind(device), SQLBind(reading.key), SQLBind(reading.ts), SQLBind(kind), SQLBind(num),
                    SQLBind(str))
            }
            try await insert.onConflict(with: ["device_id", "name"]) { update in
                update.set(excludedValueOf: "ts").set(excludedValueOf: "kind").set(excludedValueOf: "num")
                    .set(excludedValueOf: "str")
                    .where(SQLColumn("ts", table: "telemetry_latest"), .lessThanOrEqual, SQLExcludedColumn("ts"))
            }.run()
        }
    }

    private static func upsertRollups(_ readings: [(UUID, Reading)], _ sql: any SQLDatabase, postgres: Bool)
        async throws
    {
        struct Bucket: Hashable {
            let device: UUID
            let name: String
            let period: String
            let start: Int64
        }
        var buckets: [Bucket: Aggregate] = [:]
        for (device, reading) in readings {
            guard let number = reading.value.numeric else { continue }
            let point = Aggregate(value: number, ts: reading.ts)
            for (period, interval) in [("h", Interval.hour), ("d", Interval.day)] {
                let bucket = Bucket(
                    device: device, name: reading.key, period: period,
                    start: TimeBuckets.start(of: reading.ts, interval))
                if buckets[bucket] == nil { buckets[bucket] = point } else { buckets[bucket]!.add(point) }
            }
        }
        let rows = Array(buckets)
        let least = postgres ? "LEAST" : "MIN"
        let greatest = postgres ? "GREATEST" : "MAX"
        for part in stride(from: 0, to: rows.count, by: chunk / 2) {
            var insert = sql.insert(into: "telemetry_rollups").columns(
                "device_id", "name", "period", "start", "n", "total", "lo", "hi", "last_value", "last_ts")
            for (bucket, aggregate) in rows[part..<min(part + chunk / 2, rows.count)] {
                insert = insert.values(
                    SQLBind(bucket.device), SQLBind(bucket.name), SQLBind(bucket.period), SQLBind(bucket.start),
                    SQLBind(Int64(aggregate.count)), SQLBind(aggregate.sum), SQLBind(aggregate.min),
                    SQLBind(aggregate.max),
                    SQLBind(aggregate.last), SQLBind(aggregate.lastTs))
            }
            try await insert.onConflict(with: ["device_id", "name", "period", "start"]) { update in
                update
                    .set("n", to: SQLRaw("telemetry_rollups.n + excluded.n"))
                    .set("total", to: SQLRaw("telemetry_rollups.total + excluded.total"))
                    .set("lo", to: SQLRaw("\(least)(telemetry_rollups.lo, excluded.lo)"))
                    .set("hi", to: SQLRaw("\(greatest)(telemetry_rollups.hi, excluded.hi)"))
                    .set(
                        "last_value",
                        to: SQLRaw(
                            "CASE WHEN excluded.last_ts >= telemetry_rollups.last_ts THEN excluded.last_value ELSE telemetry_rollups.last_value END"
                        )
                    )
                    .set("last_ts", to: SQLRaw("\(greatest)(telemetry_rollups.last_ts, excluded.last_ts)"))
            }.run()
        }
    }

    private static func upsertStatus(_ batches: [TelemetryBatch], _ sql: any SQLDatabase) async throws {
        var seen: [UUID: (DeviceRef, Int64, Int64)] = [:]
        for batch in batches {
            let previous = seen[batch.device.id]
            seen[batch.device.id] = (batch.device, max(previous?.1 ?? 0, batch.receivedAt), (previous?.2 ?? 0) + 1)
        }
        let rows = Array(seen.values)
        for part in stride(from: 0, to: rows.count, by: chunk) {
            var insert = sql.insert(into: "device_status").columns(
                "device_id", "community_id", "first_seen", "last_seen", "messages")
            for (device, at, count) in rows[part..<min(part + chunk, rows.count)] {
                insert = insert.values(
                    SQLBind(device.id), SQLBind(device.communityID), SQLBind(at), SQLBind(at), SQLBind(count))
            }
            try await insert.onConflict(with: ["device_id"]) { update in
                update.set("last_seen", to: SQLRaw("excluded.last_seen"))
                    .set("messages", to: SQLRaw("device_status.messages + excluded.messages"))
            }.run()
        }
    }

    /// Marks devices as seen without telemetry (attribute posts, polls).
    static func touch(_ device: DeviceRef, at: Int64, on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.insert(into: "device_status").columns(
            "device_id", "community_id", "first_seen", "last_seen", "messages"
        )
        .values(SQLBind(device.id), SQLBind(device.communityID), SQLBind(at), SQLBind(at), SQLBind(Int64(1)))
        .onConflict(with: ["device_id"]) { update in
            update.set("last_seen", to: SQLRaw("excluded.last_seen"))
                .set("messages", to: SQLRaw("device_status.messages + 1"))
        }.run()
    }
}
