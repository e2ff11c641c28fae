import Fluent
import Foundation
import LinliCore
import Vapor

/// A week's digest of a community, made once (the week's Monday is unique per community).
final class AnalyticsDigest: Model, @unchecked Sendable {
    static let schema = "analytics_digests"

    @ID(key: .id) var id: UUID?
    @Field(key: "community_id") var communityID: UUID
    /// The Monday of the week it covers, `YYYY-MM-DD`.
    @Field(key: "week") var week: String
    /// The summary of the week and of the week before, as JSON (every group; the page shows each reader
    /// the groups of their role).
    @Field(key: "figures") var figures: String
    @Field(key: "previous") var previous: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

struct CreateAnalyticsDigests: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(AnalyticsDigest.schema).id()
            .field("community_id", .uuid, .required).field("week", .string, .required).field("figures", .string, .required)
            .field("previous", .string, .required).field("created_at", .datetime, .required).unique(on: "community_id", "week").create()
    }

    func revert(on database: any Database) async throws { try await database.schema(AnalyticsDigest.schema).delete() }
}

/// The weekly digest: on Mondays from 06:00 China time, each community's last week against the week
/// before, for its operators and community workers (a notification and `/console/<c>/analytics/digest`),
/// with the five things to act on — overdue work, offline and unused devices, arrears, questions waiting
/// for a worker, elderly homes not seen.
enum Digest {
    static let job = "analytics.digest"
    static let topic = NotificationTopic("analytics")

    /// Last week (Monday to Sunday), from Monday 06:00 China time on; before that on a Monday, nil. Any
    /// later day of the week gives the same week, so a server down on Monday morning catches up.
    static func lastWeek(_ now: Date) -> AnalyticsPeriod? {
        guard let today = CivilDate(Calendar.chinaDate(now)) else { return nil }
        let number = AnalyticsPeriod.dayNumber(today)
        let weekday = (number + 3) % 7  // 0 Monday (1970-01-01 was a Thursday)
        if weekday == 0, Calendar.china.component(.hour, from: now) < 6 { return nil }
        let monday = number - weekday - 7
        return try? AnalyticsPeriod(from: AnalyticsPeriod.day(monday), to: AnalyticsPeriod.day(monday + 6))
    }

    static func run(now: Date, app: Application) async throws {
        guard let week = lastWeek(now) else { return }
        for community in try await Community.query(on: app.db).all() {
            guard let id = community.id,
                try await AnalyticsDigest.query(on: app.db).filter(\.$communityID == id).filter(\.$week == week.from.description).count() == 0
            else { continue }
            let figures = try await all(id, week, now: now, app: app)
            let before = try await all(id, week.previous, now: now, app: app)
            let row = AnalyticsDigest()
            row.communityID = id
            row.week = week.from.description
            row.figures = String(decoding: try JSONEncoder().encode(figures), as: UTF8.self)
            row.previous = String(decoding: try JSONEncoder().encode(before), as: UTF8.self)
            row.createdAt = now
            do {
                try await app.db.writeTransaction { tx in
                    try await row.create(on: tx)
                    for role in [StaffRole.operator_, .communityWorker] {
                        try await Notifier.send("analytics.digest.note", topic, to: .role(role), community: id, now: now, on: tx)
                    }
                }
            } catch let error as any DatabaseError where error.isConstraintFailure {
                continue  // another instance made it
            }
            app.events.publish(NotificationsChanged(community: id))
        }
    }

    /// Every group, as an operator sees it (the page shows each reader the groups of their role).
    static func all(_ community: UUID, _ period: AnalyticsPeriod, now: Date, app: Application) async throws -> JSONValue {
        try await Analytics.figures(community, period, now: now, app: app, on: app.db) { _ in true }
    }
}
