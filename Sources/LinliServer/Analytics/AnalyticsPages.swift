import Fluent
import Foundation
import LinliCore
import Vapor

/// The strings of this feature (`AnalyticsStrings` tables beside it).
enum AnalyticsStrings: LocalizedStrings {}

enum AnalyticsRoute: PageRoute {
    case console(UUID)
    /// The same figures as CSV, for the page's download link (the page's session, not a token).
    case csv(UUID)
    /// The latest weekly digest.
    case digest(UUID)
    /// The communities the person may see, side by side.
    case compare

    var path: String {
        switch self {
        case .console(let c): "/console/\(c)/analytics"
        case .csv(let c): "/console/\(c)/analytics/csv"
        case .digest(let c): "/console/\(c)/analytics/digest"
        case .compare: "/console/analytics"
        }
    }
}

/// `/console/<community>/analytics`: the summary's figures for a period against the period before, with
/// charts (the one ``BarChart``, each with its table) and the CSV of the same figures.
enum AnalyticsPages {
    struct Figure: Encodable {
        let label: String
        let value: String
        let previous: String
        /// `up`, `down` or `same`, and said in words.
        let trend: String
        let trendText: String
    }

    struct Chart: Encodable {
        let svg: String
        let rows: [ConsolePages.Option]
    }

    struct Section: Encodable {
        let id: String
        let title: String
        let figures: [Figure]
        let charts: [Chart]
    }

    struct Page: Encodable {
        let header: ConsolePages.Header
        let from: String
        let to: String
        let previous: String
        let csv: String
        let digest: String
        /// The side-by-side page, for a person who may see more than one community.
        let compare: String?
        let sections: [Section]
        let unused: [ConsolePages.Option]
    }

    static func register(_ app: Application) {
        app.consoleTabs.add("analytics", order: 15, shown: { .viewAnalytics($0) }) { AnalyticsRoute.console($0) }
        Web.route(app.pages, .GET, { c, _, _ in AnalyticsRoute.console(c) }, authority: .community { .viewAnalytics($0) }, page)
        Web.route(app.pages, .GET, { c, _, _ in AnalyticsRoute.csv(c) }, authority: .community { .viewAnalytics($0) }) { req in
            let period = try Analytics.period(req)
            return Analytics.csv(try await Analytics.figures(try req.scope.communityID(), period, req), period)
        }
        Web.route(app.pages, .GET, { c, _, _ in AnalyticsRoute.digest(c) }, authority: .community { .viewAnalytics($0) }, DigestPage.page)
        SideBySide.register(app)
    }

    /// What each group shows first: its key figures, how each is written.
    static let headline: [String: [(String, String)]] = [
        "fees": [("collectionRate", "%"), ("householdRate", "%"), ("clearanceRate", "%"), ("billedFen", "¥"), ("collectedFen", "¥")],
        "workOrders": [("filed", ""), ("done", ""), ("onTimeRate", "%"), ("respondedOnTimeRate", "%"), ("overdueOpen", "now"), ("ratingMean", "")],
        "devices": [("total", ""), ("online", ""), ("offline", ""), ("idle", "")],
        "engagement": [("households", ""), ("activeHouseholds", ""), ("activeRate", "%"), ("elderlyHouseholds", ""), ("elderlyActiveRate", "%")],
        "questions": [("asked", ""), ("confidentRate", "%"), ("unansweredNow", "now")],
        "bookings": [("made", ""), ("cancelled", "")],
        "alarms": [("raised", ""), ("falseAlarms", ""), ("falseRate", "%"), ("meanAckSeconds", "")],
        "events": [("held", ""), ("signups", ""), ("attended", ""), ("attendanceRate", "%"), ("noShows", "")],
        "applications": [("received", ""), ("decided", ""), ("meanDaysToDecision", ""), ("decidedOnTimeRate", "%"), ("overdueNow", "now")],
        "care": [("watched", "now"), ("checks", ""), ("workerVisits", ""), ("meanMinutesToClose", ""), ("openNow", "now")],
        "energy": [
            ("waterM3.median", ""), ("waterM3.topDecileFrom", ""), ("electricityKWh.median", ""), ("electricityKWh.topDecileFrom", ""),
            ("leaksFound", ""), ("unusualUse", ""),
        ],
        "environment": [("irrigationLitres", ""), ("irrigationSavedLitres", ""), ("binOverflows", ""), ("binCollections", "")],
    ]

    /// The value at a dotted path (`waterM3.median`).
    static func at(_ value: JSONValue?, _ path: String) -> JSONValue? {
        path.split(separator: ".").reduce(value) { $0?[String($1)] }
    }

    /// A group's headline figures now and in the period before (a figure of now, such as overdue now,
    /// has no earlier value), with the trend in words.
    static func rows(_ group: String, _ current: JSONValue, _ before: JSONValue?, _ req: Request) -> [Figure] {
        (headline[group] ?? []).map { key, kind -> Figure in
            let value = number(at(current, key))
            let previous = kind == "now" ? nil : number(at(before, key))
            let trend = value.flatMap { v in previous.map { p in v > p ? "up" : v < p ? "down" : "same" } } ?? "none"
            return Figure(
                label: req.t("analytics.\(group).\(key)"), value: text(value, kind), previous: text(previous, kind), trend: trend,
                trendText: trend == "none" ? "" : req.t("analytics.trend.\(trend)"))
        }
    }

    static func number(_ value: JSONValue?) -> Double? {
        switch value {
        case .int(let n): Double(n)
        case .double(let d): d
        default: nil
        }
    }

    static func text(_ value: Double?, _ kind: String) -> String {
        guard let value else { return "—" }
        switch kind {
        case "%": return BarChart.format((value * 1000).rounded() / 10) + "%"
        case "¥": return MoneyText.yuan(Int64(value))
        default: return BarChart.format((value * 100).rounded() / 100)
        }
    }

    @Sendable static func page(_ req: Request) async throws -> Response {
        let header = try await ConsolePages.header(req, current: "analytics")
        let community = header.id
        let period = try Analytics.period(req)
        let now = try await Analytics.figures(community, period, req)
        let before = try await Analytics.figures(community, period.previous, req)
        let size = req.chartFontSize
        var sections: [Section] = []
        for group in req.application.operationsFigures.allGroups {
            guard let current = now[group.name] else { continue }
            let figures = rows(group.name, current, before[group.name], req)
            sections.append(Section(id: group.name, title: req.t("analytics.group.\(group.name)"), figures: figures, charts: charts(group.name, current, size, req)))
        }
        var unused: [ConsolePages.Option] = []
        if case .array(let rows)? = now["devices"]?["unused"] {
            for row in rows {
                if case .string(let name)? = row["name"], case .string(let type)? = row["type"] {
                    unused.append(.init(value: name, label: req.t("device.type.\(type)")))
                }
            }
        }
        let query = "from=\(period.from)&to=\(period.to)"
        return try await req.render(
            "analytics/analytics", title: req.t("console.tab.analytics"),
            Page(
                header: header, from: period.from.description, to: period.to.description,
                previous: req.t("analytics.previous", ["from": period.previous.from.description, "to": period.previous.to.description]),
                csv: AnalyticsRoute.csv(community).path + "?" + query, digest: AnalyticsRoute.digest(community).path,
                compare: try SideBySide.allowed(req).count > 1 ? AnalyticsRoute.compare.path + "?" + query : nil,
                sections: sections, unused: unused))
    }

    /// The charts of a group: a series from the summary, its labels, unit and title.
    static func charts(_ group: String, _ figures: JSONValue, _ size: Double, _ req: Request) -> [Chart] {
        func chart(_ title: String, _ unit: String, _ pairs: [(String, Double?)]) -> Chart {
            Chart(
                svg: BarChart(title: title, unit: unit, labels: pairs.map(\.0), values: pairs.map(\.1), fontSize: size).svg(),
                rows: pairs.map { .init(value: $0.0, label: $0.1.map { BarChart.format($0) } ?? "—") })
        }
        func series(_ key: String) -> [Double?] {
            if case .array(let values)? = figures[key] { return values.map(number) }
            return []
        }
        func named(_ key: String, _ label: (String) -> String) -> [(String, Double?)] {
            if case .object(let pairs)? = figures[key] { return pairs.map { (label($0.0), number($0.1)) } }
            return []
        }
        let unit = req.t("analytics.unit.count")
        switch group {
        case "workOrders":
            let weekdays = (0..<7).map { req.t("analytics.weekday.\($0)") }
            return [
                chart(req.t("analytics.chart.byHour"), unit, series("byHour").enumerated().map { ("\($0.offset)", $0.element) }),
                chart(req.t("analytics.chart.byWeekday"), unit, Array(zip(weekdays, series("byWeekday")))),
            ]
        case "bookings":
            return [
                chart(req.t("analytics.chart.byService"), unit, named("byService") { $0 }),
                chart(req.t("analytics.chart.bySlotHour"), unit, series("bySlotHour").enumerated().map { ("\($0.offset)", $0.element) }),
            ]
        case "alarms":
            return [chart(req.t("analytics.chart.alarms"), unit, named("byKind") { req.t("security.kind.\($0)") })]
        case "applications":
            return [chart(req.t("analytics.chart.applications"), unit, named("byKind") { req.t("gov.kind.\($0)") })]
        case "care":
            return [chart(req.t("analytics.chart.careOutcome"), unit, named("byOutcome") { req.t("care.outcome.\($0)") })]
        case "engagement":
            return [chart(req.t("analytics.chart.byChannel"), req.t("analytics.unit.homes"), named("byChannel") { req.t("analytics.channel.\($0)") })]
        case "fees":
            guard case .object(let ages)? = figures["arrearsByAge"] else { return [] }
            return [chart(req.t("analytics.chart.arrears"), req.t("analytics.unit.yuan"), ages.map { (req.t("analytics.age.\($0.0)"), number($0.1).map { $0 / 100 }) })]
        default:
            return []
        }
    }
}
