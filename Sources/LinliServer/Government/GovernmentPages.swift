import Fluent
import Foundation
import LinliCore
import Vapor

/// Government services' pages: the resident's applications (`/applications`: each one's step, what is
/// missing, the next due day in plain words; applying online) and the console's applications tab (the
/// list by decision day, marking those with three working days or fewer and the overdue).
enum GovernmentRoute: PageRoute {
    static let parameterNames: [String: String] = ["applications": "applicationID", "materials": "materialID", "courses": "courseID", "pensioners": "pensionerID"]

    case mine
    case apply
    case materials(UUID)
    case material(UUID, UUID)
    case console(UUID)
    case consoleOne(UUID, UUID)
    case consoleSteps(UUID, UUID)
    case consoleExtension(UUID, UUID)
    case consoleMaterial(UUID, UUID, UUID)
    case courses
    case courseApplication(UUID)
    case consoleCourses(UUID)
    case consoleDraw(UUID, UUID)
    case pensioners(UUID)
    case pensionerAuthentication(UUID, UUID)
    case pensionerImport(UUID)

    var path: String {
        switch self {
        case .mine: "/applications"
        case .apply: "/applications/new"
        case .materials(let a): "/applications/\(a)/materials"
        case .material(let a, let m): "/applications/\(a)/materials/\(m)"
        case .console(let c): "/console/\(c)/applications"
        case .consoleOne(let c, let a): "/console/\(c)/applications/\(a)"
        case .consoleSteps(let c, let a): "/console/\(c)/applications/\(a)/steps"
        case .consoleExtension(let c, let a): "/console/\(c)/applications/\(a)/extension"
        case .consoleMaterial(let c, let a, let m): "/console/\(c)/applications/\(a)/materials/\(m)"
        case .courses: "/courses"
        case .courseApplication(let k): "/courses/\(k)/application"
        case .consoleCourses(let c): "/console/\(c)/courses"
        case .consoleDraw(let c, let k): "/console/\(c)/courses/\(k)/draw"
        case .pensioners(let c): "/console/\(c)/pensioners"
        case .pensionerAuthentication(let c, let p): "/console/\(c)/pensioners/\(p)/authentication"
        case .pensionerImport(let c): "/console/\(c)/pensioners/import"
        }
    }
}

enum GovernmentPages {
    static func register(_ app: Application) {
        let web = app.pages
        app.pageLinks.add("applications", GovernmentRoute.mine)
        app.pageLinks.add("applyOnline", GovernmentRoute.apply)
        app.homeTiles.add("applications", order: 68, GovernmentRoute.mine)
        app.consoleTabs.add("applications", order: 137, shown: { .handleApplications($0) }) { GovernmentRoute.console($0) }
        Web.route(web, .GET, { _, _, _ in GovernmentRoute.mine }, authority: .signedIn, minePage)
        Web.route(web, .POST, { _, _, _ in GovernmentRoute.apply }, authority: .signedIn, postApply)
        Web.route(web, .GET, { c, _, _ in GovernmentRoute.console(c) }, authority: .community { .handleApplications($0) }, consolePage)
        registerDetail(app)
        registerCourses(app)
    }

    struct Card: Encodable {
        let id: String
        let kind: String
        let status: String
        let received: String
        let due: String?
        let recheck: String?
        let missing: [String]
        let reasons: String?
        /// The materials sent: each one's name and where to open it.
        let materials: [ConsolePages.Option]
        /// Where to send a material, while the application is open, and what it may be.
        let uploadAction: String?
        let materialOptions: [ConsolePages.Option]
    }

    struct MinePage: Encodable {
        let cards: [Card]
        let kinds: [ConsolePages.Option]
        let homes: [ConsolePages.Option]
    }

    static func dueText(_ a: ApplicationRead, _ req: Request) -> String? {
        guard a.urgency != nil else { return nil }
        let key = a.workingDaysLeft < 0 ? "gov.page.overdue" : "gov.page.due"
        return req.t(key, ["day": a.decisionDueOn, "n": "\(abs(a.workingDaysLeft))"])
    }

    @Sendable static func minePage(_ req: Request) async throws -> Response {
        let user = try req.user()
        let (homes, me) = try await GovernmentServices.householdAdults(req)
        let rows = try await CivilApplication.query(on: req.db).group(.or) { $0.filter(\.$personID == me).filter(\.$householdID ~~ homes) }
            .sort(\.$createdAt, .descending).limit(50).all()
        var cards: [Card] = []
        var kinds: [String: Applications.Kind] = [:]
        var offered: [Applications.Kind] = []
        for community in Set(rows.map(\.communityID)).union(user.homes.map(\.communityID)) {
            let all = try await ApplicationKinds.all(community, on: req.db)
            for kind in all where kinds[kind.code] == nil { kinds[kind.code] = kind }
            if user.homes.contains(where: { $0.communityID == community }) { offered += all.filter { k in !offered.contains { $0.code == k.code } } }
        }
        for row in rows {
            let a = try await GovernmentServices.read(row, req, steps: true)
            let kind = kinds[a.kind]
            let id = try row.requireID()
            cards.append(
                Card(
                    id: id.uuidString, kind: kind.map { ApplicationKinds.name($0, req) } ?? a.kind, status: req.t("gov.status.\(a.status)"),
                    received: a.receivedOn, due: dueText(a, req), recheck: a.recheckDueOn.map { req.t("gov.page.recheck", ["day": $0]) },
                    missing: a.missing.map { ApplicationKinds.materialName($0, req) }, reasons: a.reasons,
                    materials: (a.materials ?? []).map { .init(value: GovernmentRoute.material(id, $0.id).path, label: ApplicationKinds.materialName($0.material, req)) },
                    uploadAction: row.status.isOpen ? GovernmentRoute.materials(id).path : nil,
                    materialOptions: ((kind?.materials ?? []) + ["other"]).map { .init(value: $0, label: ApplicationKinds.materialName($0, req)) }))
        }
        let response = try await req.render(
            "government/mine", title: req.t("gov.page.title"),
            MinePage(
                cards: cards, kinds: offered.map { .init(value: $0.code, label: ApplicationKinds.name($0, req)) },
                homes: user.homes.map { .init(value: $0.householdID.uuidString, label: "\($0.communityName) \($0.building)\($0.room)") }),
            keep: false)
        response.headers.cacheControl = .init(noStore: true)
        return response
    }

    @Sendable static func postApply(_ req: Request) async throws -> Response {
        struct Form: Content {
            var kind: String
            var householdID: UUID
        }
        let form = try req.content.decode(Form.self)
        let principal = try req.user().principal
        guard let community = principal.households[form.householdID] else { throw LinliError(.notFound) }
        _ = try await CivilApplications.create(
            .init(kind: form.kind, person: principal.personID, household: form.householdID, receivedOn: nil, channel: "online", by: principal.personID),
            community: community, now: req.clock.now(), today: req.today, on: req.db)
        req.flash(req.t("gov.page.applied"))
        return req.redirect(to: GovernmentRoute.mine.path)
    }

    struct Row: Encodable {
        let href: String
        let name: String
        let kind: String
        let status: String
        let received: String
        let due: String
        let left: String
        let urgency: String
        /// The words for a marked row (3 working days or fewer, overdue), never colour alone.
        let mark: String?
    }

    struct ConsolePage: Encodable {
        let header: ConsolePages.Header
        let rows: [Row]
        let publicity: Int
    }

    @Sendable static func consolePage(_ req: Request) async throws -> Response {
        let header = try await ConsolePages.header(req, current: "applications")
        let clock = ApplicationClock(calendar: try await CivilApplications.calendar(header.id, on: req.db))
        let today = CivilApplications.today(req.clock.now())
        let rows = try await CivilApplication.scoped(to: header.id, on: req.db).filter(\.$status ~~ Applications.Status.allCases.filter(\.isOpen))
            .sort(\.$decisionDueOn).limit(500).all()
        let people = try await Person.byID(rows.map(\.personID), on: req.db)
        let kinds = Dictionary(try await ApplicationKinds.all(header.id, on: req.db).map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })
        let lines = try rows.map { row -> Row in
            let a = try ApplicationRead(row, clock: clock, today: today)
            return Row(
                href: GovernmentRoute.consoleOne(header.id, a.id).path,
                name: people[row.personID]?.name ?? "", kind: kinds[a.kind].map { ApplicationKinds.name($0, req) } ?? a.kind, status: req.t("gov.status.\(a.status)"),
                received: a.receivedOn, due: a.decisionDueOn, left: "\(a.workingDaysLeft)", urgency: a.urgency ?? "on_time",
                mark: a.urgency == "on_time" || a.urgency == nil ? nil : req.t("gov.urgency.\(a.urgency ?? "")"))
        }
        let publicity = try await CivilApplication.scoped(to: header.id, on: req.db).filter(\.$status == .publicized).count()
        return try await req.render(
            "government/console", title: req.t("console.tab.applications"), ConsolePage(header: header, rows: lines, publicity: publicity))
    }
}
