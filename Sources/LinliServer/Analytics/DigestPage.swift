import Fluent
import Foundation
import LinliCore
import Vapor

/// `/console/<community>/analytics/digest`: the latest weekly digest — last week against the week
/// before (the groups of the reader's role) and the five things to act on, each with where to act.
enum DigestPage {
    struct Action: Encodable {
        let label: String
        let count: String
        let href: String?
    }

    struct Page: Encodable {
        let header: ConsolePages.Header
        let week: String?
        let sections: [AnalyticsPages.Section]
        let actions: [Action]
    }

    static func value(_ json: JSONValue, _ group: String, _ key: String) -> Double? { AnalyticsPages.number(json[group]?[key]) }

    @Sendable static func page(_ req: Request) async throws -> Response {
        let header = try await ConsolePages.header(req, current: "analytics")
        let community = header.id
        guard let digest = try await AnalyticsDigest.query(on: req.db).filter(\.$communityID == community).sort(\.$week, .descending).first(),
            let figures = try? JSONDecoder().decode(DecodedJSON.self, from: Data(digest.figures.utf8)).value,
            let before = try? JSONDecoder().decode(DecodedJSON.self, from: Data(digest.previous.utf8)).value
        else {
            return try await req.render("analytics/digest", title: req.t("analytics.digest.title"), Page(header: header, week: nil, sections: [], actions: []))
        }
        var sections: [AnalyticsPages.Section] = []
        for group in req.application.operationsFigures.allGroups where req.can(group.audience(community)) {
            guard let current = figures[group.name] else { continue }
            let rows = AnalyticsPages.rows(group.name, current, before[group.name], req)
            sections.append(.init(id: group.name, title: req.t("analytics.group.\(group.name)"), figures: rows, charts: []))
        }
        func tab(_ name: String) -> String? {
            req.application.consoleTabs.all.first { $0.name == name && req.can($0.shown(community)) }?.route(community).path
        }
        func count(_ number: Double?) -> String { number.map { BarChart.format($0) } ?? "—" }
        let unused: Int = { if case .array(let rows)? = figures["devices"]?["unused"] { return rows.count } else { return 0 } }()
        var actions = [
            Action(label: req.t("analytics.act.overdue"), count: count(value(figures, "workOrders", "overdueOpen")), href: nil),
            Action(
                label: req.t("analytics.act.devices"),
                count: count((value(figures, "devices", "offline") ?? 0) + Double(unused)), href: AnalyticsRoute.console(community).path + "#group-devices"),
        ]
        if req.can(.viewMoneyFigures(community)), case .object(let ages)? = figures["fees"]?["arrearsByAge"] {
            let owed = ages.compactMap { AnalyticsPages.number($0.1) }.reduce(0, +)
            actions.append(Action(label: req.t("analytics.act.arrears"), count: MoneyText.yuan(Int64(owed)), href: tab("billing")))
        }
        actions.append(Action(label: req.t("analytics.act.questions"), count: count(value(figures, "questions", "unansweredNow")), href: tab("questions")))
        let unseen = (value(figures, "engagement", "elderlyHouseholds") ?? 0) - (value(figures, "engagement", "elderlyActive") ?? 0)
        actions.append(Action(label: req.t("analytics.act.elderly"), count: count(max(0, unseen)), href: tab("care")))
        return try await req.render(
            "analytics/digest", title: req.t("analytics.digest.title"),
            Page(header: header, week: req.t("analytics.digest.week", ["from": digest.week, "to": figuresTo(figures)]), sections: sections, actions: actions))
    }

    static func figuresTo(_ json: JSONValue) -> String {
        if case .string(let to)? = json["to"] { return to }
        return ""
    }
}

/// JSON read back into a ``JSONValue`` (object keys in no particular order: read them by name).
struct DecodedJSON: Decodable {
    let value: JSONValue

    init(from decoder: any Decoder) throws { value = try Self.read(decoder) }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    private static func read(_ decoder: any Decoder) throws -> JSONValue {
        if let object = try? decoder.container(keyedBy: Key.self) {
            return .object(try object.allKeys.map { ($0.stringValue, try object.decode(DecodedJSON.self, forKey: $0).value) })
        }
        if var array = try? decoder.unkeyedContainer() {
            var values: [JSONValue] = []
            while !array.isAtEnd { values.append(try array.decode(DecodedJSON.self).value) }
            return .array(values)
        }
        let single = try decoder.singleValueContainer()
        if single.decodeNil() { return .null }
        if let int = try? single.decode(Int.self) { return .int(int) }
        if let double = try? single.decode(Double.self) { return .double(double) }
        if let bool = try? single.decode(Bool.self) { return .bool(bool) }
        return .string(try single.decode(String.self))
    }
}
