import Fluent
import Foundation
import LinliCore
import SQLKit
import Vapor

/// One roll-up value: a feature's count (`work.filed`) of one China day in one community.
final class AnalyticsDay: Model, @unchecked Sendable {
    static let schema = "analytics_days"

    @ID(key: .id) var id: UUID?
    @Field(key: "community_id") var communityID: UUID
    /// `YYYY-MM-DD`, China time.
    @Field(key: "day") var day: String
    @Field(key: "key") var key: String
    @Field(key: "value") var value: Double

    init() {}
}

/// How far back a community's days were rolled up (the first run fills a year).
final class AnalyticsFill: Model, @unchecked Sendable {
    static let schema = "analytics_fills"

    @ID(key: .id) var id: UUID?
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "filled_at") var filledAt: Date

    init() {}
}

struct CreateAnalytics: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(AnalyticsDay.schema).id()
            .field("community_id", .uuid, .required).field("day", .string, .required).field("key", .string, .required)
            .field("value", .double, .required).unique(on: "community_id", "day", "key").create()
        try await database.schema(AnalyticsFill.schema).id()
            .field("community_id", .uuid, .required).field("filled_at", .datetime, .required).unique(on: "community_id").create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(AnalyticsFill.schema).delete()
        try await database.schema(AnalyticsDay.schema).delete()
    }
}

/// The daily roll-ups: every ten minutes each community's last `window` days are counted again by every
/// feature's ``DailyCounter`` and replaced, day by day, each day in one transaction — so a late event
/// (an order completed yesterday, a payment recorded late) corrects its day within a week. A community
/// seen for the first time has its last `backfill` days counted once.
enum Rollups {
    static let job = "analytics.rollup"
    static let window = 8
    static let backfill = 366

    static func run(now: Date, app: Application) async throws {
        guard let today = CivilDate(Calendar.chinaDate(now)) else { return }
        let filled = Set(try await AnalyticsFill.query(on: app.db).all().map(\.communityID))
        for community in try await Community.query(on: app.db).all() {
            guard let id = community.id else { continue }
            let days = filled.contains(id) ? window : backfill
            for back in 0..<days {
                try await roll(id, day: AnalyticsPeriod.day(AnalyticsPeriod.dayNumber(today) - back), app: app)
            }
            if !filled.contains(id) {
                let row = AnalyticsFill()
                row.communityID = id
                row.filledAt = now
                try? await row.create(on: app.db)
            }
        }
    }

    /// Counts one day again and replaces its rows.
    static func roll(_ community: UUID, day: CivilDate, app: Application) async throws {
        var values: [String: Double] = [:]
        for counter in app.operationsFigures.allCounters {
            values.merge(try await counter.count(community, day, app.db)) { first, _ in first }
        }
        let text = day.description
        let counted = values
        try await app.db.writeTransaction { tx in
            try await AnalyticsDay.query(on: tx).filter(\.$communityID == community).filter(\.$day == text).delete()
            let rows = counted.filter { $0.value != 0 }.sorted { $0.key < $1.key }.map { key, value -> AnalyticsDay in
                let row = AnalyticsDay()
                row.communityID = community
                row.day = text
                row.key = key
                row.value = value
                return row
            }
            if !rows.isEmpty { try await rows.create(on: tx) }
        }
    }

    /// Each key's sum over the period's days.
    static func sums(_ community: UUID, _ period: AnalyticsPeriod, on db: any Database) async throws -> [String: Double] {
        guard let sql = db as? any SQLDatabase else { return [:] }
        let rows = try await sql.select().column("key").column(SQLFunction("SUM", args: SQLIdentifier("value")), as: "total")
            .from(AnalyticsDay.schema).where("community_id", .equal, community)
            .where("day", .greaterThanOrEqual, period.from.description).where("day", .lessThanOrEqual, period.to.description)
            .groupBy("key").all()
        var out: [String: Double] = [:]
        for row in rows { out[try row.decode(column: "key", as: String.self)] = try row.decode(column: "total", as: Double.self) }
        return out
    }
}
