import Fluent
import Foundation
import LinliCore
import Vapor

/// The smart environment's pages: the console's zones and bins (`/console/{c}/environment`), and the
/// cleaner's round on a phone (`/console/{c}/environment/round`). Both work at phone width.
enum EnvironmentRoute: PageRoute {
    /// The name of the id after each collection segment of these pages (`req.id("deviceID")`).
    static let parameterNames: [String: String] = ["bins": "deviceID", "zones": "zoneID"]

    case console(UUID)
    case round(UUID)
    case zone(UUID, UUID)
    case binDone(UUID, UUID)

    var path: String {
        switch self {
        case .console(let c): "/console/\(c)/environment"
        case .round(let c): "/console/\(c)/environment/round"
        case .zone(let c, let z): "/console/\(c)/environment/zones/\(z)"
        case .binDone(let c, let b): "/console/\(c)/environment/bins/\(b)"
        }
    }
}

enum EnvironmentPages {
    struct ZoneCard: Encodable {
        let id: UUID
        let name: String
        let plant: String
        let moisture: String
        let scale: String
        let mode: String
        let automatic: Bool
        let overridden: Bool
        let nextRun: String
        let active: String?
        let water: String
        let chart: String
        let runs: [String]
        let action: String
        let maxRun: Int
    }

    struct BinRow: Encodable {
        let name: String
        let place: String
        let fill: String
        let full: Bool
        let prediction: String
        let lastEmptied: String
        let overflows: Int
        let asked: Bool
        let done: String
    }

    struct Page: Encodable {
        let header: ConsolePages.Header
        let zones: [ZoneCard]
        let bins: [BinRow]
        let figures: [String]
        let canCommand: Bool
        let round: String
        let feed: String
    }

    struct RoundPage: Encodable {
        let header: ConsolePages.Header
        let bins: [BinRow]
    }

    static func register(_ web: any RoutesBuilder) {
        Web.route(web, .GET, { c, _, _ in EnvironmentRoute.console(c) }, authority: .community { .viewDevices($0) }, consolePage)
        Web.route(web, .GET, { c, _, _ in EnvironmentRoute.round(c) }, authority: .community { .handleAlarms($0) }, roundPage)
        Web.route(web, .POST, { c, z, _ in EnvironmentRoute.zone(c, z) }, authority: .community { .sendCommands($0) }, postZone)
        Web.route(web, .POST, { c, b, _ in EnvironmentRoute.binDone(c, b) }, authority: .community { .handleAlarms($0) }, postBinDone)
    }

    static func row(_ community: UUID, _ b: BinRead, _ req: Request) -> BinRow {
        func time(_ d: Date?) -> String { d.map { ConsolePages.time($0, req) } ?? "—" }
        let prediction =
            b.enoughHistory
            ? (b.fullAt.map { req.t("env.fullAt", ["time": time($0)]) } ?? req.t("env.notSoon"))
            : req.t("env.shortHistory", ["n": TelemetryDisplay.number(b.threshold)])
        return BinRow(
            name: b.name, place: b.building ?? b.zone ?? "", fill: b.fill.map { TelemetryDisplay.number(($0 * 10).rounded() / 10) + " %" } ?? "—",
            full: (b.fill ?? 0) >= 90, prediction: prediction, lastEmptied: time(b.lastEmptiedAt), overflows: b.overflows,
            asked: b.taskID != nil, done: EnvironmentRoute.binDone(community, b.deviceID).path)
    }

    static func page(_ header: ConsolePages.Header, _ req: Request) async throws -> Page {
        let id = header.id
        let now = req.clock.now()
        let app = req.application
        let zones = try await IrrigationZone.scoped(to: id, on: req.db).sort(\.$name).all()
        let reads = try await IrrigationAPI.reads(zones, now: now, app: app)
        let since = Calendar.china.date(byAdding: .day, value: -13, to: Calendar.china.startOfDay(for: now)) ?? now
        let runs = try await IrrigationRun.scoped(to: id, on: req.db).filter(\.$plannedAt >= since)
            .sort(\.$plannedAt, .descending).all()
        func time(_ d: Date?) -> String { d.map { ConsolePages.time($0, req) } ?? "—" }
        let cards = reads.map { z -> ZoneCard in
            let mine = runs.filter { $0.zoneID == z.id }
            let mode: String
            if let o = z.override {
                mode = req.t("env.mode.\(o.kind)", ["until": time(o.until)])
            } else {
                mode = req.t("env.mode.automatic")
            }
            let lines = mine.prefix(6).map { r -> String in
                var line = time(r.plannedAt) + " · " + req.t("env.run.\(r.status.rawValue)")
                if let reason = r.skipReason { line += " · " + req.t("env.skip.\(reason.rawValue)") }
                if let reason = r.stopReason { line += " · " + req.t("env.stop.\(reason.rawValue)") }
                if let litres = r.litres { line += " · \(TelemetryDisplay.number(litres)) L" }
                return line
            }
            return ZoneCard(
                id: z.id, name: z.name, plant: z.plant,
                moisture: z.moisture.map { TelemetryDisplay.number($0) + " % / " + TelemetryDisplay.number(z.targetMoisture) + " %" }
                    ?? req.t("env.noSoil"),
                scale: "\(z.scale) %" + (z.scaleMissingData ? " · " + req.t("env.scaleMissing") : ""), mode: mode,
                automatic: z.override == nil, overridden: z.override != nil, nextRun: time(z.nextRun),
                active: z.activeRun.map { req.t("env.run.\($0.status.rawValue)") + " · " + time($0.startedAt ?? $0.plannedAt) },
                water: req.t(
                    "env.water",
                    ["week": TelemetryDisplay.number(z.litresWeek.rounded()), "month": TelemetryDisplay.number(z.litresMonth.rounded())]),
                chart: chart(mine, since: since, title: req.t("env.chart", ["zone": z.name]), req), runs: lines,
                action: EnvironmentRoute.zone(id, z.id).path, maxRun: z.maxRunMinutes)
        }
        let bins = try await BinsAPI.reads(try await BinsAPI.devices(id, on: req.db), now: now, on: req.db)
            .sorted { ($0.fill ?? 0) > ($1.fill ?? 0) }
        let figures = try await BinsAPI.figures(id, weeks: 4, now: now, on: req.db)
        return Page(
            header: header, zones: cards, bins: bins.map { row(id, $0, req) },
            figures: figures.weeks.map {
                req.t(
                    "env.week",
                    ["start": $0.start, "n": "\($0.collections)", "daily": "\($0.dailySchedule)", "saved": "\($0.saved)",
                     "overflows": "\($0.overflows)"])
            },
            canCommand: req.can(.sendCommands(id)), round: EnvironmentRoute.round(id).path, feed: EnvironmentFeed.path(id))
    }

    /// Litres a day over 14 days, as the one bar chart (each day labelled by its date).
    static func chart(_ runs: [IrrigationRun], since: Date, title: String, _ req: Request) -> String {
        var days = [Double?](repeating: 0, count: 14)
        for run in runs {
            let index = Int(run.plannedAt.timeIntervalSince(since) / 86_400)
            if days.indices.contains(index) { days[index] = (days[index] ?? 0) + (run.litres ?? 0) }
        }
        let labels = (0..<14).map { "\(Calendar.china.component(.day, from: since.addingTimeInterval(Double($0) * 86_400)))" }
        return BarChart(title: title, unit: "L", labels: labels, values: days, fontSize: req.chartFontSize).svg()
    }
}
