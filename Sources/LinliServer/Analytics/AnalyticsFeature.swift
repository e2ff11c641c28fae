import Fluent
import Foundation
import LinliCore
import Vapor

/// Operations analytics: whether the community's systems are used and its work is done. Each feature
/// adds its daily counts and its group of figures (``OperationsFigures``); this feature keeps the
/// roll-ups (``Rollups``) and answers a period's summary, as JSON or as `figure,value` CSV rows.
enum Analytics: Feature {
    static var strings: (any LocalizedStrings.Type)? { AnalyticsStrings.self }
    static var css: String? { "analytics/analytics.css" }
    static var commands: [(name: String, command: any AnyAsyncCommand)] { [("analytics-bench", AnalyticsBenchCommand())] }

    static func register(_ app: Application) {
        AnalyticsPages.register(app)
        app.migrations.add(CreateAnalytics())
        app.migrations.add(CreateAnalyticsDigests())
        app.migrations.add(CreateAnalyticsProgress())
        app.notificationTopics.add(Digest.topic)
        app.jobs.every(Digest.job, seconds: 600) { app, job in try await Digest.run(now: job.now, app: app) }
        app.jobs.every(Rollups.job, seconds: 600) { app, job in try await Rollups.run(now: job.now, app: app, budget: .seconds(5)) }
        app.operationsFigures.add("engagement", order: 40, audience: { .viewAnalytics($0) }, compute: Engagement.figures)
        app.api.authenticated.register(
            .init(
                method: .GET, path: RegistryAPI.c + "/analytics/summary", operationID: "getAnalyticsSummary",
                summary: "The community's operations figures for a period (`from`, `to`: China dates, at most 3 years; default the last 30 days): each group the caller's role may see (fees for operators and property staff; applications and care for operators and community workers; the rest for all three); `format=csv` gives the same figures as `figure,value` rows named by their dotted path",
                tag: "analytics", authority: .community { .viewAnalytics($0) },
                response: Schema.object([("from", Schema.string()), ("to", Schema.string())], required: ["from", "to"]),
                responseContentType: "application/json, text/csv",
                query: [
                    .init(name: "from", schema: Schema.string(max: 10)), .init(name: "to", schema: Schema.string(max: 10)),
                    .init(name: "format", schema: Schema.enumeration(["json", "csv"])),
                ]), in: app, summary)
    }

    /// The period of the query; a 422 naming the field when it is not a date, ends before it starts or
    /// is longer than three years.
    static func period(_ req: Request) throws -> AnalyticsPeriod {
        guard let today = CivilDate(req.today) else { throw LinliError(.internalError) }
        do {
            return try AnalyticsPeriod.parse(from: req.query[String.self, at: "from"], to: req.query[String.self, at: "to"], today: today)
        } catch .invalidDate(let field) {
            throw LinliError.invalid(field, "invalid_date")
        } catch .reversed {
            throw LinliError.invalid("to", "period_reversed")
        } catch .tooLong {
            throw LinliError.invalid("to", "period_too_long")
        }
    }

    /// The summary: the period, then each group the caller may see.
    static func figures(_ community: UUID, _ period: AnalyticsPeriod, _ req: Request) async throws -> JSONValue {
        try await figures(community, period, now: req.clock.now(), app: req.application, on: req.db) { req.can($0.audience(community)) }
    }

    /// The period, then each group `shown` lets through, computed from the roll-ups.
    static func figures(
        _ community: UUID, _ period: AnalyticsPeriod, now: Date, app: Application, on db: any Database,
        shown: (FigureGroup) -> Bool
    ) async throws -> JSONValue {
        let context = FigureContext(
            community: community, period: period, now: now, db: db, sums: try await Rollups.sums(community, period, on: db),
            active: try await Rollups.active(community, period, on: db), usedTypes: app.operationsFigures.usedTypes)
        var pairs: [(String, JSONValue)] = [("from", .string(period.from.description)), ("to", .string(period.to.description))]
        for group in app.operationsFigures.allGroups where shown(group) {
            pairs.append((group.name, try await group.compute(context)))
        }
        return .object(pairs)
    }

    /// The figures as `figure,value` rows, a download.
    static func csv(_ value: JSONValue, _ period: AnalyticsPeriod) -> Response {
        let rows = value.flattened().map { CSVTable.line([$0, $1]) }
        let response = Response(status: .ok, body: .init(string: (["figure,value"] + rows).joined(separator: "\r\n") + "\r\n"))
        response.headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"analytics-\(period.from)-\(period.to).csv\"")
        return response
    }

    @Sendable static func summary(_ req: Request) async throws -> Response {
        let community = try req.scope.communityID()
        let format = req.query[String.self, at: "format"] ?? "json"
        guard ["json", "csv"].contains(format) else { throw LinliError.invalid("format", "invalid_value") }
        let period = try period(req)
        let value = try await figures(community, period, req)
        if format == "csv" { return csv(value, period) }
        let response = Response(status: .ok, body: .init(data: try JSONEncoder().encode(value)))
        response.headers.contentType = .json
        return response
    }
}
