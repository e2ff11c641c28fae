import Fluent
import Foundation
import LinliCore
import SQLKit
import Vapor

/// `linli analytics-bench [--communities 100] [--homes 200] [--days 365]`: on PostgreSQL only, fills the
/// database with synthetic communities (“基准社区001”…) and a year of their activity — homes with two
/// people each, gates with a passage per home a day, three requests a day with their steps, a month's
/// bills per home with payments for most, an alarm a day — then times the daily roll-ups (the analytics
/// job's work for a day of data, and the backfill of a community's year) and prints a bearer token of an
/// operator of every bench community, for `scripts/analytics_bench.py` to time the summary over HTTP. A
/// second run reuses what the first made.
struct AnalyticsBenchCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "communities", help: "Communities (100)") var communities: Int?
        @Option(name: "homes", help: "Homes per community (200)") var homes: Int?
        @Option(name: "days", help: "Days of activity up to today (365)") var days: Int?
    }

    var help: String { "Seeds synthetic communities with a year of activity on PostgreSQL and times the analytics roll-ups." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        guard let sql = app.db as? any SQLDatabase, sql.dialect.name == "postgresql" else {
            context.console.error("analytics-bench needs PostgreSQL (DATABASE_URL)")
            throw LinliError(.badRequest)
        }
        let count = max(1, min(signature.communities ?? 100, 999))
        let homes = max(10, min(signature.homes ?? 200, 2000))
        let days = max(7, min(signature.days ?? 365, 730))
        let now = Date()
        guard let today = CivilDate(Calendar.chinaDate(now)) else { return }
        let first = AnalyticsPeriod.day(AnalyticsPeriod.dayNumber(today) - days + 1)
        let start = Calendar.chinaStart(of: first)

        var clock = ContinuousClock.now
        var made = 0
        for n in 1...count {
            let name = String(format: "基准社区%03d", n)
            if try await Community.query(on: app.db).filter(\.$name == name).first() != nil { continue }
            try await AnalyticsBenchSeed.community(n, name: name, homes: homes, days: days, start: start, on: app.db)
            made += 1
        }
        let communities = try await Community.query(on: app.db).filter(\.$name =~ "基准社区").all().compactMap(\.id)
        context.console.print("seeded \(made) new communities (\(communities.count) in all, \(homes) homes, \(days) days) in \(seconds(since: clock)) s")

        // The job's regular work: the last `window` days of every community, as every ten minutes.
        clock = ContinuousClock.now
        for community in communities {
            for back in 0..<Rollups.window {
                try await Rollups.roll(community, day: AnalyticsPeriod.day(AnalyticsPeriod.dayNumber(today) - back), app: app)
            }
        }
        let regular = seconds(since: clock)
        let perDay = regular / Double(Rollups.window)
        context.console.print(
            "roll-up of the last \(Rollups.window) days of \(communities.count) communities: \(fmt(regular)) s — \(fmt(perDay)) s per day of data, \(fmt(perDay / Double(communities.count) * 1000)) ms per community-day")

        // The backfill: every earlier day of every community not filled before (what a first run does).
        let filledBefore = Set(try await AnalyticsFill.query(on: app.db).all().map(\.communityID))
        clock = ContinuousClock.now
        var rolled = 0
        for community in communities where !filledBefore.contains(community) {
            for back in Rollups.window..<days {
                try await Rollups.roll(community, day: AnalyticsPeriod.day(AnalyticsPeriod.dayNumber(today) - back), app: app)
                rolled += 1
            }
        }
        let backfill = seconds(since: clock)
        if rolled > 0 {
            context.console.print("backfill of \(rolled) community-days: \(fmt(backfill)) s — \(fmt(backfill / Double(rolled) * 1000)) ms per community-day")
        }
        // Where a community-day's time goes: each source over the same 20 days of one community.
        if let sample = communities.first {
            var spent: [(String, Double)] = []
            let sampleDays = (1...20).map { AnalyticsPeriod.day(AnalyticsPeriod.dayNumber(today) - $0) }
            for counter in app.operationsFigures.allCounters {
                let began = ContinuousClock.now
                for day in sampleDays { _ = try await counter.count(sample, day, app.db) }
                spent.append(("count " + counter.name, seconds(since: began) / 20 * 1000))
            }
            for activity in app.operationsFigures.allActivities {
                let began = ContinuousClock.now
                for day in sampleDays { _ = try await activity.households(sample, day, app.db) }
                spent.append(("activity " + activity.name, seconds(since: began) / 20 * 1000))
            }
            let parts = spent.sorted { $0.1 > $1.1 }.map { "\($0.0) \(String(format: "%.1f", $0.1))" }
            context.console.print("ms per community-day by source: " + parts.joined(separator: ", "))
        }
        // Where the summary of all the days spends its time: the roll-up sums, then each group (in process, no HTTP).
        if let sample = communities.first {
            let year = try AnalyticsPeriod(from: first, to: today)
            var began = ContinuousClock.now
            let figures = FigureContext(
                community: sample, period: year, now: now, db: app.db, sums: try await Rollups.sums(sample, year, on: app.db),
                active: try await Rollups.active(sample, year, on: app.db), usedTypes: app.operationsFigures.usedTypes)
            var parts = ["sums and active \(fmt(seconds(since: began) * 1000))"]
            for group in app.operationsFigures.allGroups {
                began = ContinuousClock.now
                _ = try await group.compute(figures)
                parts.append("\(group.name) \(fmt(seconds(since: began) * 1000))")
            }
            context.console.print("ms of the summary of all \(days) days by part: " + parts.joined(separator: ", "))
        }
        // Filled: a server started on this database does not count the year again.
        for community in communities where !filledBefore.contains(community) {
            let fill = AnalyticsFill()
            fill.communityID = community
            fill.filledAt = now
            try await fill.create(on: app.db)
        }
        let rows = try await AnalyticsDay.query(on: app.db).count()
        context.console.print("analytics_days rows: \(rows)")
        context.console.print("token: \(try await AnalyticsBenchSeed.operatorToken(communities, now: now, on: app.db))")
    }

    func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    func fmt(_ value: Double) -> String { String(format: "%.3f", value) }
}
