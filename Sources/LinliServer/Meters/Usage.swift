import Fluent
import Foundation
import LinliCore
import SQLKit
import Vapor

struct UsageFigure: Content, Equatable {
    /// nil: missing (the meter said nothing we can read), never a made-up 0.
    let usage: Double?
    /// False when an edge of the period could not be read: `usage` is only what the readings inside show.
    let complete: Bool

    /// `usage` is always there, `null` when missing, as the document says.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(usage, forKey: .usage)
        try container.encode(complete, forKey: .complete)
    }
}

struct UsagePoint: Content, Equatable {
    let start: Date
    let usage: Double?

    /// `usage` is always there, `null` when missing, as the document says.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(start, forKey: .start)
        try container.encode(usage, forKey: .usage)
    }
}

struct UsageRead: Content, Equatable {
    let kind: String
    /// m³ or kWh.
    let unit: String
    let meters: Int
    let thisMonth: UsageFigure
    let lastMonth: UsageFigure
    let sameMonthLastYear: UsageFigure
    /// This month's days so far.
    let days: [UsagePoint]
    /// The last 24 hours, hour by hour.
    let hours: [UsagePoint]
    /// Against similar households of the building (median and rank only); nil with too few of them.
    let comparison: UsageComparison.Result?
    /// Leak rules met in the last 48 hours (water only).
    let leaks: [String]
    /// This month so far is well above the household's own last month (per day so far).
    let aboveUsual: Bool
}

/// A household's water or electricity use, read from its meters' hourly and daily roll-ups through
/// `LinliCore.MeterUsage` (rollover, replacement and gaps handled there).
enum Usage {
    enum Kind: String, CaseIterable {
        case water, electricity

        var deviceType: String { self == .water ? "water_meter" : "electricity_meter" }
        var key: String { self == .water ? "water_total" : "energy_total" }
        var unit: String { self == .water ? "m³" : "kWh" }
        var settings: MeterUsage.Settings { self == .water ? .water : .electricity }
    }

    /// The readings of the household's meters of `kind`, one series per meter: daily edges for the long
    /// past (hourly roll-ups are kept for weeks only), hourly for the rest.
    static func series(
        of household: UUID, _ kind: Kind, from: Int64, hourlyIn spans: [Range<Int64>]? = nil, on db: any Database
    ) async throws
        -> [MeterUsage.Series]
    {
        let meters = try await Device.query(on: db).filter(\.$householdID == household)
            .filter(\.$type == kind.deviceType).all()
        return try await series(of: meters, kind, from: from, hourlyIn: spans, on: db)
    }

    /// The readings of these meters, one series each (in the meters' order): every hourly roll-up's
    /// last reading since `from`, or — with `hourlyIn` — the daily ones since `from` and the hourly ones
    /// only within those spans (the edges a read needs exactly, and the recent hours), which keeps a read
    /// of half a year to a few hundred rows a meter. One query for all the meters (a building's, to
    /// compare its homes), whatever their number.
    static func series(
        of meters: [Device], _ kind: Kind, from: Int64, hourlyIn spans: [Range<Int64>]? = nil, on db: any Database
    ) async throws -> [MeterUsage.Series] {
        let ids = meters.compactMap(\.id)
        guard !ids.isEmpty, let sql = db as? any SQLDatabase else { return [] }
        let swaps = try await Replacements.of(ids, on: db)
        var readings: [UUID: [MeterUsage.Reading]] = [:]
        var seen: [UUID: Set<Int64>] = [:]
        for chunk in stride(from: 0, to: ids.count, by: 500).map({ Array(ids[$0..<min($0 + 500, ids.count)]) }) {
            var query = sql.select().columns("device_id", "last_value", "last_ts").from("telemetry_rollups")
                .where("device_id", .in, chunk).where("name", .equal, kind.key)
                .where("start", .greaterThanOrEqual, from - 86_400_000)
            if let spans {
                query = query.where { any in
                    any.where("period", .equal, "d")
                    for span in spans {
                        any.orWhere { both in
                            both.where("period", .equal, "h").where("start", .greaterThanOrEqual, span.lowerBound)
                                .where("start", .lessThan, span.upperBound)
                        }
                    }
                    return any
                }
            }
            for row in try await query.all() {
                let id = try row.decode(column: "device_id", as: UUID.self)
                let ts = try row.decode(column: "last_ts", as: Int64.self)
                // A day's last reading is its last hour's too.
                guard seen[id, default: []].insert(ts).inserted else { continue }
                readings[id, default: []].append(.init(ts: ts, total: try row.decode(column: "last_value", as: Double.self)))
            }
        }
        return ids.map { id in
            MeterUsage.series(
                readings[id] ?? [], replacements: swaps[id] ?? [], settings: kind.settings)
        }
    }

    /// Sums the meters' buckets; a bucket missing on any meter is missing.
    static func buckets(_ all: [MeterUsage.Series], from: Int64, to: Int64, _ interval: Interval, maxGap: Int64)
        -> [MeterUsage.Bucket]
    {
        let each = all.map { MeterUsage.buckets($0, from: from, to: to, interval, maxGap: maxGap) }
        guard let first = each.first else { return [] }
        return first.indices.map { i in
            let parts = each.map { $0[i] }
            let usage: Double? =
                parts.contains { $0.usage == nil } ? nil : MeterUsage.rounded(parts.compactMap(\.usage).reduce(0, +))
            return MeterUsage.Bucket(start: first[i].start, usage: usage, complete: parts.allSatisfy(\.complete))
        }
    }

    static func read(_ household: Household, _ kind: Kind, now: Date, on db: any Database) async throws -> UsageRead {
        let id = try household.requireID()
        let nowMs = Int64(now.timeIntervalSince1970 * 1000)
        let monthStart = TimeBuckets.start(of: nowMs, .month)
        let lastMonthStart = TimeBuckets.start(of: monthStart - 1, .month)
        let (year, monthNumber) = TimeBuckets.yearMonth(nowMs)
        let yearAgo = TimeBuckets.start(
            of: Int64(CivilDays.days(year: year - 1, month: monthNumber, day: 1)) * 86_400_000 - TimeBuckets.offset, .month)
        // Hourly readings where a figure needs them exactly: each month's edges, and this month and the
        // last 48 hours (days, hours, leaks); the days between are daily readings.
        let hour: Int64 = 3_600_000
        let recent = min(monthStart, nowMs - 50 * hour) - 2 * hour
        let yearAgoEnd = TimeBuckets.next(after: yearAgo, .month)
        let spans = [recent..<(nowMs + hour)] + [lastMonthStart, yearAgo, yearAgoEnd].map { ($0 - 2 * hour)..<($0 + 2 * hour) }
        let all = try await series(of: id, kind, from: yearAgo, hourlyIn: spans, on: db)
        let daily: Int64 = 26 * 3_600_000
        func month(_ start: Int64) -> UsageFigure {
            let bucket = buckets(all, from: start, to: start + 1, .month, maxGap: daily).first
            return UsageFigure(usage: bucket?.usage, complete: bucket?.complete ?? false)
        }
        // This month so far: from the total at its first moment to each meter's latest reading.
        var soFar: Double? = all.isEmpty ? nil : 0
        for meter in all {
            // Only when the month's first moment and the latest reading are in one unbroken run.
            guard let run = meter.runs.last, let first = run.first, let latest = run.last, first.ts <= monthStart,
                let start = MeterUsage.total(at: monthStart, in: meter, maxGap: daily)
            else {
                soFar = nil
                break
            }
            soFar = soFar.map { $0 + latest.total - start }
        }
        let days = buckets(all, from: monthStart, to: nowMs, .day, maxGap: daily)
        let hours = buckets(all, from: nowMs - 24 * 3_600_000, to: nowMs, .hour, maxGap: 3 * 3_600_000)
        let leaks =
            kind == .water
            ? LeakRules.evaluate(buckets(all, from: nowMs - 48 * 3_600_000, to: nowMs, .hour, maxGap: 3 * 3_600_000))
                .map(\.kind.rawValue) : []
        let this = soFar.map { UsageFigure(usage: MeterUsage.rounded($0), complete: true) } ?? month(monthStart)
        let last = month(lastMonthStart)
        // Per day so far against last month's per day: half again as much is "well above usual".
        let daysSoFar = Double(nowMs - monthStart) / 86_400_000
        let lastDays = Double(monthStart - lastMonthStart) / 86_400_000
        var above = false
        if let used = this.usage, let before = last.usage, before > 0, daysSoFar >= 3 {
            above = used / daysSoFar > 1.5 * before / lastDays
        }
        return UsageRead(
            kind: kind.rawValue, unit: kind.unit, meters: all.count, thisMonth: this, lastMonth: last,
            sameMonthLastYear: month(yearAgo),
            days: days.map { UsagePoint(start: date($0.start), usage: $0.usage) },
            hours: hours.map { UsagePoint(start: date($0.start), usage: $0.usage) },
            comparison: try await compare(household, kind, from: monthStart, to: nowMs, on: db),
            leaks: leaks, aboveUsual: above)
    }

    /// This period's usage of the household against the building's similar households (same size band,
    /// area within ±25 %): the median and the household's rank, never another household's figure.
    static func compare(_ household: Household, _ kind: Kind, from: Int64, to: Int64, on db: any Database) async throws
        -> UsageComparison.Result?
    {
        let id = try household.requireID()
        let neighbours = try await Household.query(on: db).filter(\.$buildingID == household.buildingID).all()
        let people = try await Membership.query(on: db).filter(\.$householdID ~~ neighbours.compactMap(\.id))
            .filter(\.$movedOut == nil).all()
        // The meters of the whole building at once; only homes with one are compared.
        let meters = Dictionary(
            grouping: try await Device.query(on: db).filter(\.$householdID ~~ neighbours.compactMap(\.id))
                .filter(\.$type == kind.deviceType).all(), by: { $0.householdID ?? UUID() })
        // Only this month's total: hourly at its first moment and in the last hours, daily between; the
        // building's meters in one read.
        let compared = neighbours.filter { home in
            home.id.map { meters[$0] != nil && people.contains { $0.householdID == home.id } } ?? false
        }
        let ordered = compared.flatMap { meters[$0.id ?? UUID()] ?? [] }
        let all = try await series(
            of: ordered, kind, from: from,
            hourlyIn: [(from - 7_200_000)..<(from + 7_200_000), (to - 10_800_000)..<(to + 3_600_000)], on: db)
        let byMeter = Dictionary(zip(ordered.compactMap(\.id), all), uniquingKeysWith: { a, _ in a })
        var peers: [UsageComparison.Peer] = []
        for home in compared {
            guard let homeID = home.id, let mine = meters[homeID] else { continue }
            let size = people.filter { $0.householdID == homeID }.count
            let series = mine.compactMap { $0.id.flatMap { byMeter[$0] } }
            guard let usage = buckets(series, from: from, to: to, .month, maxGap: 26 * 3_600_000).first?.usage else { continue }
            peers.append(.init(id: homeID.uuidString, usage: usage, area: home.areaM2, people: size))
        }
        guard let me = peers.first(where: { $0.id == id.uuidString }) else { return nil }
        return UsageComparison.compare(me, among: peers)
    }

    static func date(_ ms: Int64) -> Date { Date(timeIntervalSince1970: Double(ms) / 1000) }
}
