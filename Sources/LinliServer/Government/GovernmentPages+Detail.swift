import Fluent
import Foundation
import LinliCore
import Vapor

/// One application on the console (its clock, steps, materials with their read log, the next step's form
/// and the extension), and the materials on the resident's page (sending one, opening one).
extension GovernmentPages {
    static func registerDetail(_ app: Application) {
        let web = app.pages
        let handle = Authority.community(object: "applicationID") { .handleApplications($0) }
        Web.route(web, .GET, { c, a, _ in GovernmentRoute.consoleOne(c, a) }, authority: handle, consoleOnePage)
        Web.route(web, .POST, { c, a, _ in GovernmentRoute.consoleSteps(c, a) }, authority: handle, postConsoleStep)
        Web.route(web, .POST, { c, a, _ in GovernmentRoute.consoleExtension(c, a) }, authority: handle, postConsoleExtension)
        Web.route(web, .GET, { c, a, m in GovernmentRoute.consoleMaterial(c, a, m) }, authority: handle, consoleMaterial)
        Web.route(web, .POST, { a, _, _ in GovernmentRoute.materials(a) }, authority: .object("applicationID"), maxBody: "6mb", postMaterial)
        Web.route(web, .GET, { a, m, _ in GovernmentRoute.material(a, m) }, authority: .object("applicationID"), myMaterial)
    }

    struct Check: Encodable {
        let value: String
        let label: String
        let checked: Bool
    }

    struct DetailPage: Encodable {
        let header: ConsolePages.Header
        let name: String
        let kind: String
        let status: String
        let received: String
        let due: String?
        let recheck: String?
        let extended: Bool
        let missing: [String]
        let steps: [ConsolePages.Option]
        let history: [ConsolePages.Option]
        let materials: [ConsolePages.Option]
        let reads: [ConsolePages.Option]
        let materialChecks: [Check]
        let staff: [Check]
        let stepAction: String
        let extensionAction: String
        let back: String
    }

    @Sendable static func consoleOnePage(_ req: Request) async throws -> Response {
        let header = try await ConsolePages.header(req, current: "applications")
        let row = try await GovernmentServices.pathApplication(req)
        let id = try row.requireID()
        let a = try await GovernmentServices.read(row, req, steps: true)
        let kind = try await ApplicationKinds.kind(row.kind, community: row.communityID, on: req.db)
        let today = CivilApplications.today(req.clock.now())
        let ended = row.publicityEnd.flatMap(CivilDate.init).map { $0 < today } ?? false
        let allowed = kind.map { k in
            Applications.Step.allCases.filter {
                if case .success = Applications.next(row.status, $0, kind: k, publicityEnded: ended, refusalNotified: row.notifiedOn != nil) { return true }
                return false
            }
        } ?? []
        let people = try await Person.byID([row.personID], on: req.db)
        let staffIDs = try await StaffAssignment.query(on: req.db).filter(\.$communityID == header.id).all(\.$personID)
        let staff = try await Person.byID(staffIDs, on: req.db)
        let names = Dictionary(try await ApplicationKinds.all(header.id, on: req.db).map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })
        let reads = try await Materials.reads(id, on: req.db)
        let page = DetailPage(
            header: header, name: people[row.personID]?.name ?? "", kind: names[row.kind].map { ApplicationKinds.name($0, req) } ?? row.kind,
            status: req.t("gov.status.\(a.status)"), received: a.receivedOn, due: dueText(a, req),
            recheck: a.recheckDueOn.map { req.t("gov.page.recheck", ["day": $0]) }, extended: a.extended,
            missing: a.missing.map { ApplicationKinds.materialName($0, req) },
            steps: allowed.map { .init(value: $0.rawValue, label: req.t("gov.step.\($0.rawValue)")) },
            history: (a.steps ?? []).map {
                let note = $0.step == "material" ? ApplicationKinds.materialName($0.note, req) : $0.note
                return .init(value: Calendar.chinaMinute($0.at), label: req.t("gov.step.\($0.step)") + (note.isEmpty ? "" : " · " + note))
            },
            materials: (a.materials ?? []).map {
                .init(value: GovernmentRoute.consoleMaterial(header.id, id, $0.id).path, label: ApplicationKinds.materialName($0.material, req))
            },
            reads: reads.map { .init(value: Calendar.chinaMinute($0.at), label: $0.readerName) },
            materialChecks: (kind?.materials ?? []).map { .init(value: $0, label: ApplicationKinds.materialName($0, req), checked: a.missing.contains($0)) },
            staff: staffIDs.compactMap { p in staff[p].map { Check(value: p.uuidString, label: $0.name, checked: false) } },
            stepAction: GovernmentRoute.consoleSteps(header.id, id).path, extensionAction: GovernmentRoute.consoleExtension(header.id, id).path,
            back: GovernmentRoute.console(header.id).path)
        let response = try await req.render("government/application", title: page.kind + " · " + page.name, page)
        response.headers.cacheControl = .init(noStore: true)
        return response
    }

    @Sendable static func postConsoleStep(_ req: Request) async throws -> Response {
        struct Form: Content {
            var step: String
            var note: String?
            var missing: [String]?
            var visitors: [UUID]?
            var reasons: String?
            var amountYuan: String?
            var familySize: String?
            var recheckMonths: String?
        }
        let row = try await GovernmentServices.pathApplication(req)
        let form = try req.content.decode(Form.self)
        guard let step = Applications.Step(rawValue: form.step) else { throw LinliError.invalid("step", "invalid_value") }
        var amount: Int?
        if let text = form.amountYuan?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            guard let fen = MoneyText.fen(text) else { throw LinliError.invalid("amountFen", "invalid_value") }
            amount = Int(fen)
        }
        func number(_ text: String?, _ field: String) throws -> Int? {
            guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            guard let n = Int(text) else { throw LinliError.invalid(field, "invalid_value") }
            return n
        }
        let input = StepInput(
            step: step, note: form.note, missing: form.missing, visitors: form.visitors, reasons: form.reasons?.nilIfEmpty, amountFen: amount,
            familySize: try number(form.familySize, "familySize"), recheckMonths: try number(form.recheckMonths, "recheckMonths"))
        try await CivilApplications.take(
            row, input, by: try req.user().principal.personID, now: req.clock.now(), board: req.application.noticePosting, on: req.db)
        req.application.events.publish(NotificationsChanged(community: row.communityID))
        req.application.noticePosting.changed(row.communityID)
        req.flash(req.t("console.saved"))
        return req.redirect(to: GovernmentRoute.consoleOne(row.communityID, try row.requireID()).path)
    }

    @Sendable static func postConsoleExtension(_ req: Request) async throws -> Response {
        struct Form: Content { var reason: String }
        let row = try await GovernmentServices.pathApplication(req)
        try await CivilApplications.extend(row, reason: try req.content.decode(Form.self).reason, by: try req.user().principal.personID, now: req.clock.now(), on: req.db)
        req.flash(req.t("console.saved"))
        return req.redirect(to: GovernmentRoute.consoleOne(row.communityID, try row.requireID()).path)
    }

    @Sendable static func consoleMaterial(_ req: Request) async throws -> Response {
        try await Materials.open(
            try await GovernmentServices.pathApplication(req), material: try req.id("materialID"), reader: try req.user().principal.personID,
            now: req.clock.now(), on: req.db)
    }

    @Sendable static func myMaterial(_ req: Request) async throws -> Response {
        try await Materials.open(
            try await GovernmentServices.myApplication(req), material: try req.id("materialID"), reader: try req.user().principal.personID,
            now: req.clock.now(), on: req.db)
    }

    @Sendable static func postMaterial(_ req: Request) async throws -> Response {
        struct Form: Content {
            var material: String?
            var file: File?
        }
        let row = try await GovernmentServices.myApplication(req)
        let form = try req.content.decode(Form.self)
        guard let file = form.file, file.data.readableBytes > 0 else { throw LinliError.invalid("material", "missing_value") }
        // The browser names the type by the file's extension; a name without one is read by its first bytes.
        let bytes = Data(buffer: file.data)
        let type = file.contentType.map(\.essence) ?? FileSignature.type(of: bytes) ?? ""
        _ = try await Materials.add(
            row, material: form.material, type: type, bytes: bytes,
            by: try req.user().principal.personID, now: req.clock.now(), on: req.db)
        req.flash(req.t("gov.page.uploaded"))
        return req.redirect(to: GovernmentRoute.mine.path)
    }
}
