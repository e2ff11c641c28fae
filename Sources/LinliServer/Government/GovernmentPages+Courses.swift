import Fluent
import Foundation
import LinliCore
import Vapor

/// The senior university on pages — the resident's courses (applying in the window, the published seed
/// hash, once drawn the seed and their place) — and the console's courses tab (adding one, drawing a
/// closed one) and pensioners tab (due this month, overdue, bedridden; each with the community's signs
/// of life; recording an authentication, asking a home visit).
extension GovernmentPages {
    static func registerCourses(_ app: Application) {
        let web = app.pages
        app.pageLinks.add("courses", GovernmentRoute.courses)
        app.homeTiles.add("courses", order: 69, GovernmentRoute.courses)
        app.consoleTabs.add("pensioners", order: 138, shown: { .handleApplications($0) }) { GovernmentRoute.pensioners($0) }
        app.consoleTabs.add("courses", order: 139, shown: { .handleApplications($0) }) { GovernmentRoute.consoleCourses($0) }
        let handle = Authority.community { .handleApplications($0) }
        Web.route(web, .GET, { _, _, _ in GovernmentRoute.courses }, authority: .signedIn, coursesPage)
        Web.route(web, .POST, { k, _, _ in GovernmentRoute.courseApplication(k) }, authority: .object("courseID"), postCourseApplication)
        Web.route(web, .GET, { c, _, _ in GovernmentRoute.consoleCourses(c) }, authority: handle, consoleCoursesPage)
        Web.route(web, .POST, { c, _, _ in GovernmentRoute.consoleCourses(c) }, authority: handle, postCourse)
        Web.route(web, .POST, { c, k, _ in GovernmentRoute.consoleDraw(c, k) }, authority: .community(object: "courseID") { .handleApplications($0) }, postDraw)
        Web.route(web, .GET, { c, _, _ in GovernmentRoute.pensioners(c) }, authority: handle, pensionersPage)
        Web.route(web, .POST, { c, _, _ in GovernmentRoute.pensionerImport(c) }, authority: handle, postPensionerImport)
        Web.route(web, .POST, { c, p, _ in GovernmentRoute.pensionerAuthentication(c, p) }, authority: .community(object: "pensionerID") { .handleApplications($0) }, postAuthentication)
    }

    struct CourseCard: Encodable {
        let id: String
        let title: String
        let detail: String
        let window: String
        let seedHash: String
        let seed: String?
        let state: String
        let applyAction: String?
        let mine: String?
    }

    static func window(_ c: Course) -> String { Calendar.chinaMinute(c.opensAt) + " – " + Calendar.chinaMinute(c.closesAt) }

    @Sendable static func coursesPage(_ req: Request) async throws -> Response {
        let user = try req.user()
        let now = req.clock.now()
        let communities = Array(Set(user.principal.households.values))
        let courses = try await Course.query(on: req.db).filter(\.$communityID ~~ communities).sort(\.$opensAt, .descending).limit(50).all()
        let mine = try await CourseApplication.query(on: req.db).filter(\.$personID == user.principal.personID)
            .filter(\.$courseID ~~ courses.compactMap(\.id)).all()
        let cards = try courses.map { c -> CourseCard in
            let id = try c.requireID()
            let applied = mine.first { $0.courseID == id }
            let open = now >= c.opensAt && now < c.closesAt && c.drawnAt == nil
            var place: String?
            if let applied {
                if let rank = applied.rank { place = req.t(applied.admitted == true ? "gov.course.admitted" : "gov.course.waiting", ["rank": "\(rank)"]) }
                else { place = req.t("gov.course.applied") }
            }
            let state = c.drawnAt != nil ? "gov.course.drawn" : open ? "gov.course.open" : now < c.opensAt ? "gov.course.soon" : "gov.course.closed"
            return CourseCard(
                id: id.uuidString, title: c.title,
                detail: req.t("gov.course.detail", ["teacher": c.teacher, "schedule": c.schedule, "term": c.term, "seats": "\(c.seats)"]),
                window: window(c), seedHash: c.seedHash, seed: c.drawnAt == nil ? nil : c.seed, state: req.t(state),
                applyAction: open && applied == nil ? GovernmentRoute.courseApplication(id).path : nil, mine: place)
        }
        let response = try await req.render("government/courses", title: req.t("gov.course.title"), ["cards": cards], keep: false)
        response.headers.cacheControl = .init(noStore: true)
        return response
    }

    @Sendable static func postCourseApplication(_ req: Request) async throws -> Response {
        let user = try req.user()
        guard let course = try await Course.find(try req.id("courseID"), on: req.db), user.principal.households.values.contains(course.communityID)
        else { throw LinliError(.notFound) }
        _ = try await Courses.apply(course, person: user.person, by: user.principal.personID, now: req.clock.now(), today: req.today, on: req.db)
        req.flash(req.t("gov.course.sent"))
        return req.redirect(to: GovernmentRoute.courses.path)
    }

    struct CourseRow: Encodable {
        let title: String
        let teacher: String
        let seats: Int
        let applicants: Int
        let window: String
        let state: String
        let drawAction: String?
    }

    @Sendable static func consoleCoursesPage(_ req: Request) async throws -> Response {
        let header = try await ConsolePages.header(req, current: "courses")
        let now = req.clock.now()
        let courses = try await Course.scoped(to: header.id, on: req.db).sort(\.$opensAt, .descending).limit(200).all()
        var rows: [CourseRow] = []
        for c in courses {
            let read = try await Courses.read(c, on: req.db)
            let state = c.drawnAt != nil ? "gov.course.drawn" : now < c.closesAt ? (now < c.opensAt ? "gov.course.soon" : "gov.course.open") : "gov.course.closed"
            rows.append(
                CourseRow(
                    title: c.title, teacher: c.teacher, seats: c.seats, applicants: read.applicants, window: window(c), state: req.t(state),
                    drawAction: c.drawnAt == nil && now >= c.closesAt ? GovernmentRoute.consoleDraw(header.id, try c.requireID()).path : nil))
        }
        struct Page: Encodable {
            let header: ConsolePages.Header
            let rows: [CourseRow]
            let action: String
        }
        return try await req.render(
            "government/console-courses", title: req.t("console.tab.courses"), Page(header: header, rows: rows, action: GovernmentRoute.consoleCourses(header.id).path))
    }

    @Sendable static func postCourse(_ req: Request) async throws -> Response {
        struct Form: Content {
            var title: String
            var teacher: String
            var schedule: String
            var term: String
            var seats: String
            var opensAt: String
            var closesAt: String
        }
        let c = try req.scope.communityID()
        let form = try req.content.decode(Form.self)
        guard let seats = Int(form.seats.trimmingCharacters(in: .whitespaces)) else { throw LinliError.invalid("seats", "invalid_value") }
        guard let opens = Calendar.chinaLocalTime(form.opensAt) else { throw LinliError.invalid("opensAt", "invalid_date") }
        guard let closes = Calendar.chinaLocalTime(form.closesAt) else { throw LinliError.invalid("closesAt", "invalid_date") }
        let course = try await Courses.create(
            CourseInput(title: form.title, teacher: form.teacher, schedule: form.schedule, term: form.term, seats: seats, opensAt: opens, closesAt: closes),
            community: c, now: req.clock.now(), on: req.db)
        try await Audit.record(.create, "course", id: course.id, community: c, after: course.title, by: req, on: req.db)
        req.flash(req.t("console.saved"))
        return req.redirect(to: GovernmentRoute.consoleCourses(c).path)
    }

    @Sendable static func postDraw(_ req: Request) async throws -> Response {
        let course = try await GovernmentServices.pathCourse(req)
        _ = try await Courses.draw(course, now: req.clock.now(), on: req.db)
        try await Audit.record(.update, "course", id: course.id, community: course.communityID, after: "drawn", by: req, on: req.db)
        req.flash(req.t("gov.course.drawnNow"))
        return req.redirect(to: GovernmentRoute.consoleCourses(course.communityID).path)
    }
}
