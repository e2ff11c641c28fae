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
        Web.route(web, .GET, { _, _, _ in CareRoute.myCare }) { req -> Response in
            let user = try req.user()
            let me = user.principal.personID
            let housemates = try await Membership.query(on: req.db)
                .filter(\.$householdID ~~ Array(user.principal.households.keys)).filter(\.$movedOut == nil).all(\.$personID)
            let watches = try await CareWatch.query(on: req.db).filter(\.$active == true)
                .filter(\.$personID ~~ Array(Set(housemates + [me]))).all()
            let people = try await Person.byID(watches.map(\.personID), on: req.db)
            let open = Set(
                try await CareCheck.query(on: req.db).filter(\.$personID ~~ watches.map(\.personID))
                    .filter(\.$step ~~ [.reminder, .family, .worker]).all(\.$personID))
            var seen: Set<UUID> = []
            let answers = watches.filter { seen.insert($0.personID).inserted }.map { w in
                Answer(
                    personID: w.personID, name: people[w.personID]?.name ?? "", me: w.personID == me,
                    lastCheckIn: w.lastCheckInAt.map { ConsolePages.time($0, req) } ?? req.t("care.never"),
                    open: open.contains(w.personID))
            }.sorted { $0.me && !$1.me }
            return try await req.render("care/me", title: req.t("care.title"), MyPage(answers: answers))
        }
        Web.route(web, .POST, { _, _, _ in CareRoute.checkIn }) { req -> Response in
            struct Form: Content { var personID: UUID? }
            let form = try req.content.decode(Form.self)
            let me = try req.user().principal.personID
            let person = form.personID ?? me
            guard try await CareAPI.mayAnswer(for: person, req) else { throw LinliError(.notFound) }
            _ = try await CareWatchService.checkIn(person: person, by: me, now: req.clock.now(), app: req.application)
            req.flash(req.t("care.thanks"))
            return req.redirect(to: CareRoute.myCare.path)
        }
        Web.route(web, .GET, { c, _, _ in CareRoute.worker(c) }) { req -> Response in
            let header = try await ConsolePages.header(req, current: "care")
            let id = header.id
            try req.authorize(.keepCareWatch(id))
            return try await req.render("care/worker", title: req.t("console.tab.care"), try await workerPage(header, req))
        }
        Web.route(web, .POST, { c, _, _ in CareRoute.watch(c) }) { req -> Response in
            struct Form: Content {
                var personID: UUID
                var windowMinutes: Int?
                var checkInBy: String?
                var quietHours: String?
                var consentBy: String?
                var consent: String?
            }
            let id = try req.id("communityID")
            try req.authorize(.keepCareWatch(id))
            let form = try req.content.decode(Form.self)
            _ = try await CareAPI.setWatch(
                id, form.personID,
                CareWatchInput(
                    windowMinutes: form.windowMinutes, checkInBy: form.checkInBy, quietHours: form.quietHours,
                    consent: form.consent != nil, consentBy: form.consentBy), on: req)
            req.flash(req.t("console.saved"))
            return req.redirect(to: CareRoute.worker(id).path)
        }
        Web.route(web, .POST, { c, check, _ in CareRoute.visit(c, check) }) { req -> Response in
            struct Form: Content {
                var outcome: String?
                var note: String?
            }
            let id = try req.id("communityID")
            try req.authorize(.keepCareWatch(id))
            let check = try await CareCheck.find(try req.id("checkID"), in: id, on: req.db)
            let form = try req.content.decode(Form.self)
            try await CareWatchService.visit(
                check, outcome: form.outcome, note: form.note, by: try req.user().principal.personID,
                app: req.application)
            req.flash(req.t("care.visitRecorded"))
            return req.redirect(to: CareRoute.worker(id).path)
        }
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
