import Fluent
import Foundation
import LinliCore
import Vapor

extension GovernmentServices {
    static func registerCourses(_ app: Application, _ api: any RoutesBuilder) {
        let c = RegistryAPI.c + "/courses"
        let one = Authority.community(object: "courseID") { .handleApplications($0) }
        func add<R: AsyncResponseEncodable>(_ e: Endpoint, _ handler: @escaping @Sendable (Request) async throws -> R) {
            api.register(e, in: app, handler)
        }
        add(
            .init(
                method: .POST, path: c, operationID: "createCourse",
                summary: "A senior-university course: seats, teacher, schedule, term, application window; its seed's SHA-256 published at once",
                tag: "government", authority: .community { .handleApplications($0) }, body: CourseSchemas.input, status: .created,
                response: Schema.ref("Course")), createCourse)
        add(
            .init(
                method: .GET, path: c, operationID: "listCourses", summary: "The community's courses (the seed shown once drawn)",
                tag: "government", authority: .community { .viewCommunity($0) }, response: Schema.page(of: "Course"),
                query: Endpoint.listQuery(.courses)), listCourses)
        add(
            .init(
                method: .POST, path: c + "/{courseID}/applications", operationID: "applyToCourseOnBehalf",
                summary: "Apply a resident to the course on their behalf", tag: "government", authority: one,
                body: Schema.object([("personID", Schema.uuid)], required: ["personID"]), status: .created,
                response: Schema.ref("CourseApplication")), applyOnBehalf)
        add(
            .init(
                method: .POST, path: c + "/{courseID}/draw", operationID: "drawCourse",
                summary: "Draw the course once its window closed: the seed revealed, every application ranked; a second draw 409",
                tag: "government", authority: one, response: Schema.ref("CourseDraw")), drawCourse)
        add(
            .init(
                method: .GET, path: c + "/{courseID}/draw", operationID: "getCourseDraw",
                summary: "The published draw, for anyone in the community to check", tag: "government",
                authority: .community(object: "courseID") { .viewCommunity($0) }, response: Schema.ref("CourseDraw")), getCourseDraw)
        add(
            .init(
                method: .POST, path: "/api/v1/courses/{courseID}/application", operationID: "applyToCourse",
                summary: "Apply to a course of my community: 201 once, a repeat 409", tag: "government", authority: .object("courseID"),
                status: .created, response: Schema.ref("CourseApplication")), applyToCourse)
    }

    struct CourseApplicationRead: Content {
        let id: UUID
        let courseID: UUID
        let weight: Double
        let rank: Int?
        let admitted: Bool?
    }

    static func read(_ a: CourseApplication) throws -> CourseApplicationRead {
        CourseApplicationRead(id: try a.requireID(), courseID: a.courseID, weight: a.weight, rank: a.rank, admitted: a.admitted)
    }

    @Sendable static func createCourse(_ req: Request) async throws -> some AsyncResponseEncodable {
        let community = try req.scope.communityID()
        let course = try await Courses.create(try req.decode(CourseInput.self), community: community, now: req.clock.now(), on: req.db)
        try await Audit.record(.create, "course", id: course.id, community: community, after: course.title, by: req, on: req.db)
        return Created(value: try await Courses.read(course, on: req.db))
    }

    @Sendable static func listCourses(_ req: Request) async throws -> some AsyncResponseEncodable {
        let options = try req.listOptions(.courses)
        let page = try await Course.scoped(to: try req.scope.communityID(), on: req.db).page(options, map: { $0 })
        var items: [CourseRead] = []
        for course in page.items { items.append(try await Courses.read(course, on: req.db)) }
        return ListPage(items: items, metadata: page.metadata)
    }

    static func pathCourse(_ req: Request) async throws -> Course {
        try await Course.find(try req.id("courseID"), in: try req.scope.communityID(), on: req.db)
    }

    @Sendable static func applyOnBehalf(_ req: Request) async throws -> some AsyncResponseEncodable {
        struct Input: Content { let personID: UUID }
        let course = try await pathCourse(req)
        let input = try req.decode(Input.self)
        let lives = try await Membership.query(on: req.db).filter(\.$personID == input.personID).filter(\.$communityID == course.communityID)
            .all().contains { $0.isCurrent(on: req.today) }
        guard lives, let person = try await Person.find(input.personID, on: req.db) else { throw LinliError(.notFound) }
        let row = try await Courses.apply(course, person: person, by: try req.user().principal.personID, now: req.clock.now(), today: req.today, on: req.db)
        return Created(value: try read(row))
    }

    @Sendable static func drawCourse(_ req: Request) async throws -> DrawRead {
        try await Courses.draw(try await pathCourse(req), now: req.clock.now(), on: req.db)
    }

    @Sendable static func getCourseDraw(_ req: Request) async throws -> DrawRead {
        try await Courses.result(try await pathCourse(req), on: req.db)
    }

    @Sendable static func applyToCourse(_ req: Request) async throws -> some AsyncResponseEncodable {
        let user = try req.user()
        guard let course = try await Course.find(try req.id("courseID"), on: req.db),
            user.principal.households.values.contains(course.communityID)
        else { throw LinliError(.notFound) }
        let row = try await Courses.apply(course, person: user.person, by: user.principal.personID, now: req.clock.now(), today: req.today, on: req.db)
        return Created(value: try read(row))
    }
}

extension Sorting {
    static let courses = Sorting(keys: ["opens_at", "title"], defaultSort: "opens_at")
}

enum CourseSchemas {
    static let input = Schema.object(
        [
            ("title", Schema.string(min: 1, max: 60)), ("teacher", Schema.string(min: 1, max: 40)),
            ("schedule", Schema.string(min: 1, max: 100)), ("term", Schema.string(min: 1, max: 40)),
            ("seats", Schema.integer(min: 1, max: 1000)), ("opensAt", Schema.dateTime), ("closesAt", Schema.dateTime),
        ], required: ["title", "teacher", "schedule", "term", "seats", "opensAt", "closesAt"])

    static let all: [(String, JSONValue)] = [
        (
            "Course",
            Schema.object(
                [
                    ("id", Schema.uuid), ("title", Schema.string()), ("teacher", Schema.string()), ("schedule", Schema.string()),
                    ("term", Schema.string()), ("seats", Schema.integer()), ("opensAt", Schema.dateTime), ("closesAt", Schema.dateTime),
                    ("applicants", Schema.integer()), ("seedHash", Schema.string()), ("seed", Schema.nullable(Schema.string())),
                    ("drawnAt", Schema.nullable(Schema.dateTime)),
                ], required: ["id", "title", "seats", "seedHash"])
        ),
        (
            "CourseApplication",
            Schema.object(
                [
                    ("id", Schema.uuid), ("courseID", Schema.uuid), ("weight", Schema.number),
                    ("rank", Schema.nullable(Schema.integer())), ("admitted", Schema.nullable(Schema.bool)),
                ], required: ["id", "courseID", "weight"])
        ),
        (
            "CourseDraw",
            Schema.object(
                [
                    ("seed", Schema.string()), ("seedHash", Schema.string()),
                    (
                        "entries",
                        Schema.array(Schema.object([
                            ("applicationID", Schema.uuid), ("weight", Schema.number), ("rank", Schema.integer()), ("admitted", Schema.bool),
                        ]))
                    ),
                ], required: ["seed", "seedHash", "entries"])
        ),
    ]
}
