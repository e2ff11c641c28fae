import Fluent
import Foundation
import LinliCore
import Vapor

extension CarePages {
    @Sendable static func myCarePage(_ req: Request) async throws -> Response {
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

    @Sendable static func postCheckIn(_ req: Request) async throws -> Response {
        struct Form: Content { var personID: UUID? }
        let form = try req.content.decode(Form.self)
        let me = try req.user().principal.personID
        let person = form.personID ?? me
        guard try await CareAPI.mayAnswer(for: person, req) else { throw LinliError(.notFound) }
        _ = try await CareWatchService.checkIn(person: person, by: me, now: req.clock.now(), app: req.application)
        req.flash(req.t("care.thanks"))
        return req.redirect(to: CareRoute.myCare.path)
    }

    @Sendable static func workerPage(_ req: Request) async throws -> Response {
        let header = try await ConsolePages.header(req, current: "care")
        let id = header.id
        try req.authorize(.keepCareWatch(id))
        return try await req.render("care/worker", title: req.t("console.tab.care"), try await workerPage(header, req))
    }

    @Sendable static func postWatch(_ req: Request) async throws -> Response {
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

    @Sendable static func postVisit(_ req: Request) async throws -> Response {
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
