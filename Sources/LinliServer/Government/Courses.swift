import Fluent
import Foundation
import LinliCore
import SQLKit
import Vapor

/// A senior-university course (老年大学) of the community: seats, teacher, schedule, term and an
/// application window. Its draw seed is made with the course and kept secret; only its SHA-256 is shown
/// until the draw reveals it (``CourseDraw``).
final class Course: Model, @unchecked Sendable {
    static let schema = "gov_courses"

    @ID(key: .id) var id: UUID?
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "title") var title: String
    @Field(key: "teacher") var teacher: String
    @Field(key: "schedule") var schedule: String
    @Field(key: "term") var term: String
    @Field(key: "seats") var seats: Int
    @Field(key: "opens_at") var opensAt: Date
    @Field(key: "closes_at") var closesAt: Date
    @Field(key: "seed") var seed: String
    @Field(key: "seed_hash") var seedHash: String
    @OptionalField(key: "drawn_at") var drawnAt: Date?
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

extension Course: CommunityScoped {
    static var communityField: KeyPath<Course, FieldProperty<Course, UUID>> { \.$communityID }
}

/// One person's application to a course, with the weight the published rule gave it and, after the
/// draw, its rank and whether it was admitted.
final class CourseApplication: Model, @unchecked Sendable {
    static let schema = "gov_course_applications"

    @ID(key: .id) var id: UUID?
    @Field(key: "course_id") var courseID: UUID
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "person_id") var personID: UUID
    @Field(key: "weight") var weight: Double
    @Field(key: "applied_at") var appliedAt: Date
    @Field(key: "applied_by") var appliedBy: UUID
    @OptionalField(key: "rank") var rank: Int?
    @OptionalField(key: "admitted") var admitted: Bool?

    init() {}
}

struct CreateCourses: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Course.schema).id()
            .field("community_id", .uuid, .required).field("title", .string, .required).field("teacher", .string, .required)
            .field("schedule", .string, .required).field("term", .string, .required).field("seats", .int, .required)
            .field("opens_at", .datetime, .required).field("closes_at", .datetime, .required)
            .field("seed", .string, .required).field("seed_hash", .string, .required).field("drawn_at", .datetime)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema(CourseApplication.schema).id()
            .field("course_id", .uuid, .required, .references(Course.schema, .id, onDelete: .cascade))
            .field("community_id", .uuid, .required).field("person_id", .uuid, .required).field("weight", .double, .required)
            .field("applied_at", .datetime, .required).field("applied_by", .uuid, .required)
            .field("rank", .int).field("admitted", .bool)
            .unique(on: "course_id", "person_id")
            .create()
        try await IndexSQL.create("gov_course_applications_person", on: CourseApplication.schema, ["person_id"], database)
    }

    func revert(on database: any Database) async throws {
        for schema in [CourseApplication.schema, Course.schema] { try await database.schema(schema).delete() }
    }
}

struct CourseInput: Content {
    let title: String
    let teacher: String
    let schedule: String
    let term: String
    let seats: Int
    let opensAt: Date
    let closesAt: Date
}

struct CourseRead: Content {
    let id: UUID
    let title: String
    let teacher: String
    let schedule: String
    let term: String
    let seats: Int
    let opensAt: Date
    let closesAt: Date
    let applicants: Int
    /// SHA-256 of the draw's seed, published from the start.
    let seedHash: String
    /// The seed itself, once drawn.
    let seed: String?
    let drawnAt: Date?
}

struct DrawRead: Content {
    struct Entry: Content {
        let applicationID: UUID
        let weight: Double
        let rank: Int
        let admitted: Bool
    }

    let seed: String
    let seedHash: String
    let entries: [Entry]
}

enum Courses {
    static func read(_ c: Course, on db: any Database) async throws -> CourseRead {
        let id = try c.requireID()
        return CourseRead(
            id: id, title: c.title, teacher: c.teacher, schedule: c.schedule, term: c.term, seats: c.seats, opensAt: c.opensAt,
            closesAt: c.closesAt, applicants: try await CourseApplication.query(on: db).filter(\.$courseID == id).count(),
            seedHash: c.seedHash, seed: c.drawnAt != nil ? c.seed : nil, drawnAt: c.drawnAt)
    }

    static func create(_ input: CourseInput, community: UUID, now: Date, on db: any Database) async throws -> Course {
        var v = Validation()
        let title = v.text(input.title, "title", max: 60) ?? ""
        let teacher = v.text(input.teacher, "teacher", max: 40) ?? ""
        let schedule = v.text(input.schedule, "schedule", max: 100) ?? ""
        let term = v.text(input.term, "term", max: 40) ?? ""
        v.range(input.seats, "seats", 1...1000)
        if input.closesAt <= input.opensAt { v.fail("closesAt", "ends_before_start") }
        try v.check()
        let seed = CourseDraw.newSeed()
        let row = Course()
        row.communityID = community
        row.title = title
        row.teacher = teacher
        row.schedule = schedule
        row.term = term
        row.seats = input.seats
        row.opensAt = input.opensAt
        row.closesAt = input.closesAt
        row.seed = seed
        row.seedHash = CourseDraw.seedHash(seed)
        row.createdAt = now
        try await row.create(on: db)
        return row
    }

    /// Applies a resident of the course's community, inside the window, once (a second: 409); the weight
    /// by the published rule (never admitted before: 2; from 75: 1.5; else 1).
    static func apply(_ course: Course, person: Person, by: UUID, now: Date, today: String, on db: any Database) async throws -> CourseApplication {
        let personID = try person.requireID()
        guard now >= course.opensAt, now < course.closesAt, course.drawnAt == nil else {
            throw LinliError(.conflict, issues: [FieldIssue(field: "courseID", reason: "window_closed")])
        }
        let admittedBefore = try await CourseApplication.query(on: db).filter(\.$personID == personID).filter(\.$admitted == true).count() > 0
        let year = Int(today.prefix(4)) ?? 2026
        let row = CourseApplication()
        row.courseID = try course.requireID()
        row.communityID = course.communityID
        row.personID = personID
        row.weight = CourseDraw.weight(neverAdmitted: !admittedBefore, age: person.birthYear.map { year - $0 })
        row.appliedAt = now
        row.appliedBy = by
        do {
            try await row.create(on: db)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw LinliError(.conflict, issues: [FieldIssue(field: "courseID", reason: "already_applied")])
        }
        return row
    }

    /// Draws the course once (parallel requests: one draws, the others 409): the seed revealed, every
    /// application ranked and the first `seats` admitted.
    static func draw(_ course: Course, now: Date, on db: any Database) async throws -> DrawRead {
        let id = try course.requireID()
        guard now >= course.closesAt else { throw LinliError(.conflict, issues: [FieldIssue(field: "courseID", reason: "window_open")]) }
        return try await db.writeTransaction { tx in
            let claimed = try await tx.conditionalUpdate(Course.schema) {
                $0.set("drawn_at", to: now).where("id", .equal, id).where("drawn_at", .is, SQLLiteral.null)
            }
            guard claimed == 1 else { throw LinliError(.conflict, issues: [FieldIssue(field: "courseID", reason: "already_drawn")]) }
            let rows = try await CourseApplication.query(on: tx).filter(\.$courseID == id).all()
            let results = CourseDraw.draw(
                seed: course.seed, entries: try rows.map { .init(applicationID: try $0.requireID().uuidString, weight: $0.weight) }, seats: course.seats)
            for result in results {
                guard let appID = UUID(uuidString: result.entry.applicationID) else { continue }
                _ = try await tx.conditionalUpdate(CourseApplication.schema) {
                    $0.set("rank", to: result.rank).set("admitted", to: result.admitted).where("id", .equal, appID)
                }
            }
            return DrawRead(
                seed: course.seed, seedHash: course.seedHash,
                entries: results.compactMap { r in
                    UUID(uuidString: r.entry.applicationID).map { .init(applicationID: $0, weight: r.entry.weight, rank: r.rank, admitted: r.admitted) }
                })
        }
    }

    /// The published result of a drawn course.
    static func result(_ course: Course, on db: any Database) async throws -> DrawRead {
        guard course.drawnAt != nil else { throw LinliError(.notFound) }
        let rows = try await CourseApplication.query(on: db).filter(\.$courseID == (try course.requireID())).sort(\.$rank).all()
        return DrawRead(
            seed: course.seed, seedHash: course.seedHash,
            entries: try rows.map { .init(applicationID: try $0.requireID(), weight: $0.weight, rank: $0.rank ?? 0, admitted: $0.admitted ?? false) })
    }
}
