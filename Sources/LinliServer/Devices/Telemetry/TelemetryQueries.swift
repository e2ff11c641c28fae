import Fluent
import Foundation
import LinliCore
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// One point of a series: a raw reading or an aggregate of a bucket.
struct SeriesPoint: Content, Equatable {
    let ts: Int64
    let value: JSON
    /// Readings in the bucket (aggregated series only).
    let count: Int?
}

/// A key's latest value.
struct LatestValue: Content, Equatable {
    let key: String
    let ts: Int64
    let value: JSON
}

extension TelemetryStore {
    /// Latest value of every key of a device, by key.
    static func latest(_ device: UUID, on db: any Database) async throws -> [LatestValue] {
        guard let sql = db as? any SQLDatabase else { return [] }
        let rows = try await sql.select().columns("name", "ts", "kind", "num", "str").from("telemetry_latest")
            .where("device_id", .equal, device).orderBy("name").all()
        return try rows.map { row in
            LatestValue(
                key: try row.decode(column: "name", as: String.self), ts: try row.decode(column: "ts", as: Int64.self),
                value: value(
                    kind: try row.decode(column: "kind", as: String.self),
                    num: try row.decode(column: "num", as: Double?.self),
                    str: try row.decode(column: "str", as: String?.self)
                ).json)
        }
    }

    /// When each device last reported `key`.
    static func latestTimes(_ devices: [UUID], key: String, on db: any Database) async throws -> [UUID: Int64] {
        guard !devices.isEmpty, let sql = db as? any SQLDatabase else { return [:] }
        let rows = try await sql.select().columns("device_id", "ts").from("telemetry_latest")
            .where("device_id", .in, devices).where("name", .equal, key).all()
        var result: [UUID: Int64] = [:]
        for row in rows {
            result[try row.decode(column: "device_id", as: UUID.self)] = try row.decode(column: "ts", as: Int64.self)
        }
        return result
    }

    /// Longest range for per-minute aggregation, which reads raw readings.
    static let maxMinuteRange: Int64 = 31 * 86_400_000

    /// A key's series between `from` (inclusive) and `to` (exclusive), raw or aggregated.
    static func series(
        device: UUID, key: String, from: Int64, to: Int64, interval: Interval, function: AggregateFunction, limit: Int,
        on db: any Database
    ) async throws -> [SeriesPoint] {
        guard let sql = db as? any SQLDatabase else { return [] }
        switch interval {
        case .none:
            let rows = try await sql.select().columns("ts", "kind", "num", "str").from("telemetry")
                .where("device_id", .equal, device).where("name", .equal, key)
                .where("ts", .greaterThanOrEqual, from).where("ts", .lessThan, to)
                .orderBy("ts", .descending).limit(limit).all()
            return try rows.map { row in
                SeriesPoint(
                    ts: try row.decode(column: "ts", as: Int64.self),
                    value: value(
                        kind: try row.decode(column: "kind", as: String.self),
                        num: try row.decode(column: "num", as: Double?.self),
                        str: try row.decode(column: "str", as: String?.self)
                    ).json, count: nil)
            }
        case .minute:
            let rows = try await sql.select().columns("ts", "num").from("telemetry")
                .where("device_id", .equal, device).where("name", .equal, key)
                .where("ts", .greaterThanOrEqual, from).where("ts", .lessThan, to)
                .where("num", .isNot, SQLLiteral.null).all()
            let points = try rows.map {
                (ts: try $0.decode(column: "ts", as: Int64.self), value: try $0.decode(column: "num", as: Double.self))
            }
            return TimeBuckets.group(points, .minute).suffix(limit).map(point(function))
        case .hour, .day, .month:
            let period = interval == .hour ? "h" : "d"
            let rows = try await sql.select().columns("start", "n", "total", "lo", "hi", "last_value", "last_ts")
                .from("telemetry_rollups").where("device_id", .equal, device).where("name", .equal, key)
                .where("period", .equal, period).where(
                    "start", .greaterThanOrEqual, TimeBuckets.start(of: from, interval)
                )
                .where("start", .lessThan, to).orderBy("start").all()
            let aggregates = try rows.map { row in
                (
                    start: try row.decode(column: "start", as: Int64.self),
                    aggregate: Aggregate(
                        count: Int(try row.decode(column: "n", as: Int64.self)),
                        sum: try row.decode(column: "total", as: Double.self),
                        min: try row.decode(column: "lo", as: Double.self),
                        max: try row.decode(column: "hi", as: Double.self),
                        last: try row.decode(column: "last_value", as: Double.self),
                        lastTs: try row.decode(column: "last_ts", as: Int64.self))
                )
            }
            return TimeBuckets.merge(aggregates, interval).suffix(limit).map(point(function))
        }
    }

    private static func point(_ function: AggregateFunction) -> ((start: Int64, aggregate: Aggregate)) -> SeriesPoint {
        { bucket in
            let value = bucket.aggregate.value(function)
            return SeriesPoint(
                ts: bucket.start, value: value.isFinite ? .number(value) : .null, count: bucket.aggregate.count)
        }
    }

    private static let lastExpiry = NIOLockedValueBox<Date?>(nil)

    /// Deletes raw readings and hourly roll-ups past their retention, at most once an hour.
    static func expire(now: Date, settings: DeviceHub.Settings, on db: any Database) async throws {
        let due = lastExpiry.withLockedValue { last -> Bool in
            if let last, now.timeIntervalSince(last) < 3600, now >= last { return false }
            last = now
            return true
        }
        guard due, let sql = db as? any SQLDatabase else { return }
        let nowMs = Int64(now.timeIntervalSince1970 * 1000)
        try await sql.delete(from: "telemetry")
            .where("ts", .lessThan, nowMs - Int64(settings.rawRetentionDays) * 86_400_000).run()
        try await sql.delete(from: "telemetry_rollups").where("period", .equal, "h")
            .where("start", .lessThan, nowMs - Int64(settings.hourlyRetentionDays) * 86_400_000).run()
    }

    /// Removes everything stored about a device (it is being deleted).
    static func forget(_ device: UUID, on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        for table in ["telemetry", "telemetry_latest", "telemetry_rollups", "device_status"] {
            try await sql.delete(from: table).where("device_id", .equal, device).run()
        }
    }
}

/// Last-seen times and health figures.
enum DeviceHealth {
    struct Seen: Sendable {
        let device: DeviceRef
        let lastSeen: Int64
    }

    /// Every device that has been heard from, with when.
    static func lastSeen(community: UUID? = nil, on db: any Database) async throws -> [Seen] {
        guard let sql = db as? any SQLDatabase else { return [] }
        var query = sql.select().columns("device_id", "last_seen").from("device_status")
        if let community { query = query.where("community_id", .equal, community) }
        let rows = try await query.all()
        var times: [UUID: Int64] = [:]
        for row in rows {
            times[try row.decode(column: "device_id", as: UUID.self)] = try row.decode(
                column: "last_seen", as: Int64.self)
        }
        let devices = try await Device.byID(Array(times.keys), on: db)
        return try devices.values.map { Seen(device: try DeviceRef($0), lastSeen: times[$0.id!] ?? 0) }
    }

    /// Status of the devices of a community (all, or `only` these): last seen (absent: never), first seen, messages.
    static func status(community: UUID, only devices: [UUID]? = nil, on db: any Database) async throws -> [UUID: (
        first: Int64, last: Int64, messages: Int64
    )] {
        guard let sql = db as? any SQLDatabase else { return [:] }
        var query = sql.select().columns("device_id", "first_seen", "last_seen", "messages").from("device_status")
            .where("community_id", .equal, community)
        if let devices {
            guard !devices.isEmpty else { return [:] }
            query = query.where("device_id", .in, devices)
        }
        let rows = try await query.all()
        var result: [UUID: (Int64, Int64, Int64)] = [:]
        for row in rows {
            result[try row.decode(column: "device_id", as: UUID.self)] = (
                try row.decode(column: "first_seen", as: Int64.self),
                try row.decode(column: "last_seen", as: Int64.self),
                try row.decode(column: "messages", as: Int64.self)
            )
        }
        return result
    }

    /// Latest battery and signal of a community's devices.
    static func batteryAndSignal(_ devices: [UUID], on db: any Database) async throws -> [UUID: (
        battery: Double?, rssi: Double?
    )] {
        guard !devices.isEmpty, let sql = db as? any SQLDatabase else { return [:] }
        var result: [UUID: (Double?, Double?)] = [:]
        for part in stride(from: 0, to: devices.count, by: 500) {
            let rows = try await sql.select().columns("device_id", "name", "num").from("telemetry_latest")
                .where("device_id", .in, Array(devices[part..<min(part + 500, devices.count)]))
                .where("name", .in, ["battery", "rssi"]).all()
            for row in rows {
                let id = try row.decode(column: "device_id", as: UUID.self)
                let value = try row.decode(column: "num", as: Double?.self)
                var entry = result[id] ?? (nil, nil)
                if try row.decode(column: "name", as: String.self) == "battery" {
                    entry.0 = value
                } else {
                    entry.1 = value
                }
                result[id] = entry
            }
        }
        return result
    }
}
