import Fluent
import Foundation
import LinliCore

/// A resident's application (办事) to the community office, with its statutory clock.
final class CivilApplication: Model, @unchecked Sendable {
    static let schema = "gov_applications"

    @ID(key: .id) var id: UUID?
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "household_id") var householdID: UUID
    @Field(key: "person_id") var personID: UUID
    @Field(key: "kind") var kind: String
    @Field(key: "status") var status: Applications.Status
    /// `online`, `office` or `on_behalf`.
    @Field(key: "channel") var channel: String
    /// The day it was received (`YYYY-MM-DD`): the clock counts from it.
    @Field(key: "received_on") var receivedOn: String
    @Field(key: "decision_due_on") var decisionDueOn: String
    @OptionalField(key: "extension_reason") var extensionReason: String?
    /// Everything missing, told at once (comma-separated material codes).
    @Field(key: "missing") var missing: String
    @OptionalField(key: "publicity_start") var publicityStart: String?
    @OptionalField(key: "publicity_end") var publicityEnd: String?
    @OptionalField(key: "decided_on") var decidedOn: String?
    @OptionalField(key: "decided_by") var decidedBy: UUID?
    @OptionalField(key: "reasons") var reasons: String?
    @OptionalField(key: "refusal_notice_due_on") var refusalNoticeDueOn: String?
    @OptionalField(key: "notified_on") var notifiedOn: String?
    /// What publicity shows besides the name: the family size and the proposed amount.
    @OptionalField(key: "family_size") var familySize: Int?
    @OptionalField(key: "amount_fen") var amountFen: Int?
    /// The next periodic re-check of an approved application (低保), and the due day a reminder went out for.
    @OptionalField(key: "recheck_due_on") var recheckDueOn: String?
    @OptionalField(key: "recheck_reminded") var recheckReminded: String?
    @Field(key: "helped_first") var helpedFirst: Bool
    @Field(key: "escalated") var escalated: Bool
    @Field(key: "created_by") var createdBy: UUID
    @Field(key: "created_at") var createdAt: Date

    init() {
        missing = ""
        helpedFirst = false
        escalated = false
    }
}

extension CivilApplication: CommunityScoped {
    static var communityField: KeyPath<CivilApplication, FieldProperty<CivilApplication, UUID>> { \.$communityID }
}

/// One recorded step, with who took it (and, for the home visit, the two workers).
final class ApplicationStep: Model, @unchecked Sendable {
    static let schema = "gov_application_steps"

    @ID(key: .id) var id: UUID?
    @Field(key: "application_id") var applicationID: UUID
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "step") var step: String
    @Field(key: "note") var note: String
    @Field(key: "visitors") var visitors: String
    @Field(key: "by") var by: UUID
    @Field(key: "at") var at: Date

    init() {}
}

/// A line a community's operator added to the working-day table (`2027-01-01 off`).
final class CalendarLine: Model, @unchecked Sendable {
    static let schema = "gov_calendar_lines"

    @ID(key: .id) var id: UUID?
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "line") var line: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

struct CreateGovernment: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(CivilApplication.schema).id()
            .field("community_id", .uuid, .required).field("household_id", .uuid, .required)
            .field("person_id", .uuid, .required).field("kind", .string, .required).field("status", .string, .required)
            .field("channel", .string, .required).field("received_on", .string, .required)
            .field("decision_due_on", .string, .required).field("extension_reason", .string)
            .field("missing", .string, .required).field("publicity_start", .string).field("publicity_end", .string)
            .field("decided_on", .string).field("decided_by", .uuid).field("reasons", .string)
            .field("refusal_notice_due_on", .string).field("notified_on", .string).field("family_size", .int)
            .field("amount_fen", .int).field("helped_first", .bool, .required).field("escalated", .bool, .required)
            .field("created_by", .uuid, .required).field("created_at", .datetime, .required)
            .create()
        try await IndexSQL.create("gov_applications_due", on: CivilApplication.schema, ["community_id", "decision_due_on"], database)
        try await IndexSQL.create("gov_applications_household", on: CivilApplication.schema, ["household_id"], database)
        try await database.schema(ApplicationStep.schema).id()
            .field("application_id", .uuid, .required, .references(CivilApplication.schema, .id, onDelete: .cascade))
            .field("community_id", .uuid, .required).field("step", .string, .required).field("note", .string, .required)
            .field("visitors", .string, .required).field("by", .uuid, .required).field("at", .datetime, .required)
            .create()
        try await IndexSQL.create("gov_application_steps_application", on: ApplicationStep.schema, ["application_id"], database)
        try await database.schema(CalendarLine.schema).id()
            .field("community_id", .uuid, .required).field("line", .string, .required).field("created_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        for schema in [CalendarLine.schema, ApplicationStep.schema, CivilApplication.schema] { try await database.schema(schema).delete() }
    }
}
