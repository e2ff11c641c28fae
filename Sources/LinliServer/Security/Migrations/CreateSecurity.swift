import Fluent
import Foundation

struct CreateSecurity: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(SecurityPanel.schema).id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("household_id", .uuid, .required, .references(Household.schema, .id, onDelete: .cascade))
            .field("panel", .string, .required).field("settings", .string, .required)
            .field("code_hash", .string).field("duress_hash", .string)
            .field("version", .int, .required).field("next_due", .datetime).field("updated_at", .datetime, .required)
            .field("scheduled", .bool, .required, .sql(.default(false))).field("schedule_checked_at", .datetime)
            .unique(on: "household_id").create()
        try await IndexSQL.create("security_panels_next_due", on: SecurityPanel.schema, ["next_due"], database)
        try await database.schema(SecurityEvent.schema).id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("household_id", .uuid, .required, .references(Household.schema, .id, onDelete: .cascade))
            .field("kind", .string, .required).field("mode", .string).field("sensor_id", .uuid)
            .field("person_id", .uuid).field("call_id", .uuid).field("hidden", .bool, .required)
            .field("at", .datetime, .required).create()
        try await IndexSQL.create(
            "security_events_household_at", on: SecurityEvent.schema, ["household_id", "at"], database)
        try await database.schema(GuardCall.schema).id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("household_id", .uuid, .required, .references(Household.schema, .id, onDelete: .cascade))
            .field("kind", .string, .required).field("sensor_id", .uuid).field("step", .string, .required)
            .field("raised_at", .datetime, .required).field("acknowledged_at", .datetime)
            .field("acknowledged_by", .uuid).field("dispatched_at", .datetime).field("guard_id", .uuid)
            .field("on_site_at", .datetime).field("resolved_at", .datetime).field("resolved_by", .uuid)
            .field("outcome", .string).field("note", .string).field("disarmed_at", .datetime)
            .field("escalations", .int, .required).field("next_escalation_at", .datetime)
            .field("repeats", .int, .required).create()
        try await IndexSQL.create("guard_calls_community_step", on: GuardCall.schema, ["community_id", "step"], database)
        try await IndexSQL.create("guard_calls_household", on: GuardCall.schema, ["household_id", "raised_at"], database)
        try await IndexSQL.create("guard_calls_escalation", on: GuardCall.schema, ["next_escalation_at"], database)
        try await database.schema(EmergencyContact.schema).id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("household_id", .uuid, .required, .references(Household.schema, .id, onDelete: .cascade))
            .field("name", .string, .required).field("phone", .string, .required)
            .field("relation", .string, .required).field("position", .int, .required).create()
        try await IndexSQL.create(
            "emergency_contacts_household", on: EmergencyContact.schema, ["household_id", "position"], database)
    }

    func revert(on database: any Database) async throws {
        for schema in [EmergencyContact.schema, GuardCall.schema, SecurityEvent.schema, SecurityPanel.schema] {
            try await database.schema(schema).delete()
        }
    }
}
