import Fluent
import Foundation
import LinliCore
import Vapor

/// Several communities side by side, for a person with roles in more than one: the same period's
/// summary of each community where they may see the figures (each with the groups of their role there),
/// as JSON (`GET /api/v1/me/analytics`) and as one table per group on `/console/analytics`.
enum SideBySide {
    /// At most this many communities are compared at once (each is a summary of its own).
    static let most = 12

    struct Column: Encodable {
        let name: String
        let href: String
    }

    struct Row: Encodable {
        let label: String
        let values: [String]
    }

    struct Group: Encodable {
        let id: String
        let title: String
        let rows: [Row]
    }

    struct Page: Encodable {
        let from: String
        let to: String
        let columns: [Column]
        let groups: [Group]
        let more: String?
    }

    static func register(_ app: Application) {
        Web.route(app.pages, .GET, { _, _, _ in AnalyticsRoute.compare }, authority: .signedIn, page)
        app.api.authenticated.register(
            .init(
                method: .GET, path: "/api/v1/me/analytics", operationID: "getMyAnalytics",
                summary: "The communities where the caller may see operations figures, side by side: each one's summary for the period (`from`, `to` as for a community's summary; `communities`: ids, comma-separated, at most \(most); default the first \(most) by name)",
                tag: "analytics", authority: .signedIn,
                response: Schema.object(
                    [("from", Schema.string()), ("to", Schema.string()), ("communities", Schema.array(Schema.object([("id", Schema.string()), ("name", Schema.string())], required: ["id", "name"])))],
                    required: ["from", "to", "communities"]),
                query: [
                    .init(name: "from", schema: Schema.string(max: 10)), .init(name: "to", schema: Schema.string(max: 10)),
                    .init(name: "communities", schema: Schema.string(max: 500)),
                ]), in: app, api)
    }

    /// The communities compared: those asked for (each must be one the caller may see: else 404, as for
    /// any community outside their authority), or the first ones by name; and how many more there are.
    /// The communities where the caller may see the figures.
    static func allowed(_ req: Request) throws -> [UUID] {
        try req.user().principal.staffRoles.keys.filter { req.can(.viewAnalytics($0)) }
    }

    static func communities(_ req: Request) async throws -> (shown: [Community], more: Int) {
        let allowed = try allowed(req)
        guard !allowed.isEmpty else { return ([], 0) }
        let all = try await Community.query(on: req.db).filter(\.$id ~~ Array(allowed)).sort(\.$name).all()
        guard let asked = req.query[String.self, at: "communities"], !asked.isEmpty else {
            return (Array(all.prefix(most)), max(0, all.count - most))
        }
        let ids = asked.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard ids.count <= most else { throw LinliError.invalid("communities", "out_of_range") }
        let byID = Dictionary(all.compactMap { c in c.id.map { ($0.uuidString.lowercased(), c) } }) { first, _ in first }
        var shown: [Community] = []
        for id in ids {
            guard let community = byID[id.lowercased()] else { throw LinliError(.notFound) }
            if !shown.contains(where: { $0.id == community.id }) { shown.append(community) }
        }
        return (shown, 0)
    }

    static func summaries(_ req: Request) async throws -> (AnalyticsPeriod, [(Community, JSONValue)], Int) {
        let period = try Analytics.period(req)
        let (shown, more) = try await communities(req)
        var out: [(Community, JSONValue)] = []
        for community in shown {
            guard let id = community.id else { continue }
            out.append((community, try await Analytics.figures(id, period, req)))
        }
        return (period, out, more)
    }

    @Sendable static func api(_ req: Request) async throws -> Response {
        let (period, summaries, _) = try await summaries(req)
        let value = JSONValue.object([
            ("from", .string(period.from.description)), ("to", .string(period.to.description)),
            ("communities", .array(summaries.map { community, figures in
                var pairs: [(String, JSONValue)] = [("id", .string(community.id?.uuidString ?? "")), ("name", .string(community.name))]
                if case .object(let groups) = figures { pairs += groups.filter { $0.0 != "from" && $0.0 != "to" } }
                return .object(pairs)
            })),
        ])
        let response = Response(status: .ok, body: .init(data: try JSONEncoder().encode(value)))
        response.headers.contentType = .json
        return response
    }

    @Sendable static func page(_ req: Request) async throws -> Response {
        try req.authorize(.openConsole)
        let (period, summaries, more) = try await summaries(req)
        let query = "from=\(period.from)&to=\(period.to)"
        var groups: [Group] = []
        for group in req.application.operationsFigures.allGroups {
            let present = summaries.map { $0.1[group.name] }
            guard present.contains(where: { $0 != nil }) else { continue }
            let rows = (AnalyticsPages.headline[group.name] ?? []).map { key, kind in
                Row(
                    label: req.t("analytics.\(group.name).\(key)"),
                    values: present.map { AnalyticsPages.text(AnalyticsPages.number(AnalyticsPages.at($0, key)), kind) })
            }
            groups.append(Group(id: group.name, title: req.t("analytics.group.\(group.name)"), rows: rows))
        }
        return try await req.render(
            "analytics/compare", title: req.t("analytics.compare.title"),
            Page(
                from: period.from.description, to: period.to.description,
                columns: summaries.map { community, _ in
                    Column(name: community.name, href: AnalyticsRoute.console(community.id ?? UUID()).path + "?" + query)
                },
                groups: groups, more: more > 0 ? req.t("analytics.compare.more", ["n": String(more)]) : nil))
    }
}
