import Fluent
import Foundation

struct CreateCare: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(CareWatch.schema).id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("person_id", .uuid, .required, .references(Person.schema, .id, onDelete: .cascade))
            .field("household_id", .uuid, .references(Household.schema, .id, onDelete: .setNull))
            .field("window_minutes", .int, .required).field("check_in_by", .int)
            .field("quiet_start", .int).field("quiet_end", .int)
            .field("consent_by", .string, .required).field("consent_recorded_by", .uuid, .required)
            .field("consent_at", .datetime, .required).field("watched_since", .datetime, .required)
            .field("active", .bool, .required).field("last_sign_at", .datetime).field("last_sign_kind", .string)
            .field("last_check_in_at", .datetime).field("last_suppression", .string)
            .field("next_look_at", .datetime, .required).field("updated_at", .datetime, .required)
            .unique(on: "community_id", "person_id").create()
        try await IndexSQL.create("care_watches_next_look", on: CareWatch.schema, ["active", "next_look_at"], database)
        try await IndexSQL.create("care_watches_household", on: CareWatch.schema, ["household_id"], database)
        try await database.schema(CareCheck.schema).id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("watch_id", .uuid, .required, .references(CareWatch.schema, .id, onDelete: .cascade))
            .field("person_id", .uuid, .required).field("household_id", .uuid)
            .field("reason", .string, .required).field("since", .datetime, .required)
            .field("opened_at", .datetime, .required).field("step", .string, .required).field("next_step_at", .datetime)
            .field("family_at", .datetime).field("worker_at", .datetime).field("closed_at", .datetime)
            .field("closed_by", .uuid).field("outcome", .string).field("note", .string).create()
        try await IndexSQL.create("care_checks_community_step", on: CareCheck.schema, ["community_id", "step"], database)
        try await IndexSQL.create("care_checks_watch", on: CareCheck.schema, ["watch_id", "step"], database)
        try await IndexSQL.create("care_checks_next_step", on: CareCheck.schema, ["next_step_at"], database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema(CareCheck.schema).delete()
        try await database.schema(CareWatch.schema).delete()
    }
}
