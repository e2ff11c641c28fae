import Fluent
import Foundation
import LinliCore
import Vapor

/// The care watch's pages: the resident's 我很好 (`/care`) and the community worker's console page.
enum CareRoute: PageRoute {
    /// The name of the id after each collection segment of these pages (`req.id("checkID")`).
    static let parameterNames: [String: String] = ["checks": "checkID"]

    case myCare
    case checkIn
    case worker(UUID)
    case watch(UUID)
    case visit(UUID, UUID)

    var path: String {
        switch self {
        case .myCare: "/care"
        case .checkIn: "/care/check-in"
        case .worker(let c): "/console/\(c)/care"
        case .watch(let c): "/console/\(c)/care/watch"
        case .visit(let c, let check): "/console/\(c)/care/checks/\(check)/visit"
        }
    }
}

enum CarePages {
    struct Answer: Encodable {
        let personID: UUID
        let name: String
        let me: Bool
        let lastCheckIn: String
        let open: Bool
    }

    struct MyPage: Encodable {
        let answers: [Answer]
    }

    struct WatchRow: Encodable {
        let name: String
        let home: String
        let rule: String
        let lastSign: String
        let lastCheckIn: String
        let status: String
        let alert: Bool
    }

    struct CheckRow: Encodable {
        let name: String
        let home: String
        let reason: String
        let step: String
        let times: String
        let contacts: String
        let visit: String?
    }

    struct WorkerPage: Encodable {
        let header: ConsolePages.Header
        let watches: [WatchRow]
        let open: [CheckRow]
        let done: [CheckRow]
        let figures: [String]
        let residents: [ConsolePages.Option]
        let outcomes: [ConsolePages.Option]
        let watchAction: String
    }

    static func register(_ web: any RoutesBuilder) {
        Web.route(web, .GET, { _, _, _ in CareRoute.myCare }, authority: .signedIn, myCarePage)
        Web.route(web, .POST, { _, _, _ in CareRoute.checkIn }, authority: .signedIn, postCheckIn)
        Web.route(web, .GET, { c, _, _ in CareRoute.worker(c) }, authority: .community { .keepCareWatch($0) }, workerPage)
        Web.route(web, .POST, { c, _, _ in CareRoute.watch(c) }, authority: .community { .keepCareWatch($0) }, postWatch)
        Web.route(web, .POST, { c, check, _ in CareRoute.visit(c, check) }, authority: .community { .keepCareWatch($0) }, postVisit)
    }

    static func workerPage(_ header: ConsolePages.Header, _ req: Request) async throws -> WorkerPage {
        let id = header.id
        let watches = try await CareAPI.reads(
            try await CareWatch.scoped(to: id, on: req.db).filter(\.$active == true).sort(\.$watchedSince).all(),
            on: req.db)
        let openRows = try await CareCheck.scoped(to: id, on: req.db).filter(\.$step ~~ [.reminder, .family, .worker])
            .sort(\.$openedAt).all()
        let monthStart = Calendar.china.dateInterval(of: .month, for: req.clock.now())?.start ?? .distantPast
        let month = try await CareCheck.scoped(to: id, on: req.db).filter(\.$openedAt >= monthStart).all()
        let doneRows = month.filter { !$0.isOpen }.sorted { ($0.closedAt ?? .distantPast) > ($1.closedAt ?? .distantPast) }
        func time(_ date: Date?) -> String { date.map { ConsolePages.time($0, req) } ?? req.t("care.never") }
        func rows(_ checks: [CareCheck]) async throws -> [CheckRow] {
            try await CareAPI.checkReads(checks, on: req.db).map { c in
                var times = [req.t("care.opened") + " " + time(c.openedAt)]
                if let at = c.familyAt { times.append(req.t("care.step.family") + " " + time(at)) }
                if let at = c.workerAt { times.append(req.t("care.step.worker") + " " + time(at)) }
                if let at = c.closedAt {
                    times.append(
                        req.t("care.step.\(c.step.rawValue)") + " " + time(at)
                            + (c.outcome.map { " · " + req.t("care.outcome.\($0)") } ?? "") + (c.note.map { " · " + $0 } ?? ""))
                }
                return CheckRow(
                    name: c.name, home: c.home, reason: req.t("care.reason.\(c.reason.rawValue)"),
                    step: req.t("care.step.\(c.step.rawValue)"), times: times.joined(separator: " · "),
                    contacts: c.emergencyContacts.map { "\($0.name) \($0.phone)" }.joined(separator: " · "),
                    visit: c.closedAt == nil ? CareRoute.visit(id, c.id).path : nil)
            }
        }
        let falseAlerts = month.filter { $0.outcome == VisitOutcome.fine.rawValue }
        var figures = [
            req.t("care.figures.alerts", ["n": "\(month.count)"]),
            req.t("care.figures.false", ["n": "\(falseAlerts.count)"]),
        ]
        for reason in WelfareWatch.Reason.allCases {
            let n = falseAlerts.filter { $0.reason == reason }.count
            if n > 0 { figures.append(req.t("care.figures.cause", ["reason": req.t("care.reason.\(reason.rawValue)"), "n": "\(n)"])) }
        }
        figures.append(req.t("care.figures.held", ["n": "\(watches.filter { $0.suppressed != nil }.count)"]))
        let elderly = try await Membership.scoped(to: id, on: req.db).filter(\.$movedOut == nil).all(\.$personID)
        let people = try await Person.query(on: req.db).filter(\.$id ~~ Array(Set(elderly))).filter(\.$isElderly == true)
            .sort(\.$name).all()
        return WorkerPage(
            header: header,
            watches: watches.map { w in
                WatchRow(
                    name: w.name, home: w.home,
                    rule: req.t("care.rule", ["n": "\(w.windowMinutes)"])
                        + (w.checkInBy.map { " · " + req.t("care.checkInBy", ["time": $0]) } ?? "")
                        + (w.quietHours.map { " · " + req.t("care.quiet", ["hours": $0]) } ?? ""),
                    lastSign: time(w.lastSignOfLife) + (w.lastSignKind.map { " · " + req.t("device.type.\($0)") } ?? ""),
                    lastCheckIn: time(w.lastCheckIn),
                    status: w.openCheck.map { req.t("care.step.\($0.step.rawValue)") }
                        ?? w.suppressed.map { req.t("care.held.\($0)") } ?? req.t("care.fine"),
                    alert: w.openCheck != nil)
            }, open: try await rows(openRows), done: try await rows(Array(doneRows.prefix(20))), figures: figures,
            residents: people.compactMap { p in p.id.map { .init(value: $0.uuidString, label: p.name) } },
            outcomes: VisitOutcome.allCases.map { .init(value: $0.rawValue, label: req.t("care.outcome.\($0.rawValue)")) },
            watchAction: CareRoute.watch(id).path)
    }
}
