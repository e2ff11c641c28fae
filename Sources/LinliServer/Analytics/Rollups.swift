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

/// A household active on a day through a channel (distinct: one row per day, household, channel).
final class AnalyticsActive: Model, @unchecked Sendable {
    static let schema = "analytics_active"

    @ID(key: .id) var id: UUID?
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "day") var day: String
    @Field(key: "household_id") var householdID: UUID
    @Field(key: "channel") var channel: String

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

/// How far a community's roll-ups have come: when its days before today were last counted again, and the
/// earliest day its backfill has counted.
final class AnalyticsProgress: Model, @unchecked Sendable {
    static let schema = "analytics_progress"

    @ID(key: .id) var id: UUID?
    @Field(key: "community_id") var communityID: UUID
    @OptionalField(key: "window_at") var windowAt: Date?
    @OptionalField(key: "back_to") var backTo: String?

    init() {}
}

struct CreateAnalyticsProgress: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(AnalyticsProgress.schema).id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("window_at", .datetime).field("back_to", .string).unique(on: "community_id").create()
    }

    func revert(on database: any Database) async throws { try await database.schema(AnalyticsProgress.schema).delete() }
}

struct CreateAnalytics: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(AnalyticsDay.schema).id()
            .field("community_id", .uuid, .required).field("day", .string, .required).field("key", .string, .required)
            .field("value", .double, .required).unique(on: "community_id", "day", "key").create()
        try await database.schema(AnalyticsActive.schema).id()
            .field("community_id", .uuid, .required).field("day", .string, .required).field("household_id", .uuid, .required)
            .field("channel", .string, .required).unique(on: "community_id", "day", "household_id", "channel").create()
        try await database.schema(AnalyticsFill.schema).id()
            .field("community_id", .uuid, .required).field("filled_at", .datetime, .required).unique(on: "community_id").create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(AnalyticsFill.schema).delete()
        try await database.schema(AnalyticsActive.schema).delete()
        try await database.schema(AnalyticsDay.schema).delete()
    }
}

/// The daily roll-ups: every ten minutes each community's today is counted again by every feature's
/// ``DailyCounter`` and replaced, each day in one transaction; the seven days before it again every hour, so a
/// late event (an order completed yesterday, a payment recorded late) corrects its day within a week; and a
/// community seen for the first time has its year counted backwards from the most recent days. The job
/// keeps to a time budget beyond today (the jobs of an instance run one at a time: a year of a hundred
/// communities is filled over many runs, not in one that holds up the rest); without one, everything due is
/// done at once (tests, the benchmark).
enum Rollups {
    static let job = "analytics.rollup"
    static let window = 8
    static let backfill = 366
    /// How often the days before today are counted again.
    static let windowEvery: TimeInterval = 3600

    static func run(now: Date, app: Application, budget: Duration? = nil) async throws {
        guard let today = CivilDate(Calendar.chinaDate(now)) else { return }
        let communities = try await Community.query(on: app.db).sort(\.$createdAt).all().compactMap(\.id)
        let filled = Set(try await AnalyticsFill.query(on: app.db).all().map(\.communityID))
        var progress = Dictionary(try await AnalyticsProgress.query(on: app.db).all().map { ($0.communityID, $0) }) { first, _ in first }
        func back(_ days: Int) -> CivilDate { AnalyticsPeriod.day(AnalyticsPeriod.dayNumber(today) - days) }
        func record(_ community: UUID) -> AnalyticsProgress {
            if let row = progress[community] { return row }
            let row = AnalyticsProgress()
            row.communityID = community
            progress[community] = row
            return row
        }
        for community in communities { try await roll(community, day: today, app: app) }
        // The budget is for what comes after today: however many communities there are, their past is
        // corrected and filled in, a budget's worth a run.
        let started = ContinuousClock.now
        func inBudget() -> Bool { budget.map { ContinuousClock.now - started < $0 } ?? true }
        for community in communities {
            let row = record(community)
            if budget != nil, let at = row.windowAt, now.timeIntervalSince(at) < windowEvery, now >= at { continue }
            guard inBudget() else { return }
            for days in 1..<window { try await roll(community, day: back(days), app: app) }
            row.windowAt = now
            try await row.save(on: app.db)
        }
        for community in communities where !filled.contains(community) {
            let row = record(community)
            var next = row.backTo.flatMap(CivilDate.init).map { AnalyticsPeriod.dayNumber(today) - AnalyticsPeriod.dayNumber($0) + 1 } ?? window
            while next < backfill, inBudget() {
                try await roll(community, day: back(next), app: app)
                row.backTo = back(next).description
                next += 1
            }
            try await row.save(on: app.db)
            guard next >= backfill else { return }
            let fill = AnalyticsFill()
            fill.communityID = community
            fill.filledAt = now
            try? await fill.create(on: app.db)
        }
    }

    /// Counts one day again and replaces its rows.
    static func roll(_ community: UUID, day: CivilDate, app: Application) async throws {
        var values: [String: Double] = [:]
        for counter in app.operationsFigures.allCounters {
            values.merge(try await counter.count(community, day, app.db)) { first, _ in first }
        }
        var active: Set<String> = []
        for activity in app.operationsFigures.allActivities {
            for (household, channel) in try await activity.households(community, day, app.db) { active.insert("\(household) \(channel)") }
        }
        let text = day.description
        let counted = values
        let seen = active
        try await app.db.writeTransaction { tx in
            try await AnalyticsDay.query(on: tx).filter(\.$communityID == community).filter(\.$day == text).delete()
            try await AnalyticsActive.query(on: tx).filter(\.$communityID == community).filter(\.$day == text).delete()
            let activeRows = seen.sorted().compactMap { pair -> AnalyticsActive? in
                let parts = pair.split(separator: " ")
                guard parts.count == 2, let household = UUID(uuidString: String(parts[0])) else { return nil }
                let row = AnalyticsActive()
                row.communityID = community
                row.day = text
                row.householdID = household
                row.channel = String(parts[1])
                return row
            }
            if !activeRows.isEmpty { try await activeRows.create(on: tx) }
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

    /// The households active in the period, by channel (distinct).
    static func active(_ community: UUID, _ period: AnalyticsPeriod, on db: any Database) async throws -> [String: Set<UUID>] {
        let rows = try await AnalyticsActive.query(on: db).filter(\.$communityID == community)
            .filter(\.$day >= period.from.description).filter(\.$day <= period.to.description).all()
        return Dictionary(grouping: rows, by: \.channel).mapValues { Set($0.map(\.householdID)) }
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
