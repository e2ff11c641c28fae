import Fluent

struct CreateLife: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(LifeEvent.schema).id()
            .field("community_id", .uuid, .required)
            .field("title", .string, .required)
            .field("description", .string, .required)
            .field("place", .string, .required)
            .field("starts_at", .datetime, .required)
            .field("ends_at", .datetime, .required)
            .field("capacity", .int, .required)
            .field("seats_per_signup", .int, .required)
            .field("confirmed_seats", .int, .required)
            .field("waiting", .int, .required)
            .field("created_by", .uuid, .required)
            .field("created_at", .datetime, .required)
            .field("cancelled_at", .datetime)
            .create()
        try await IndexSQL.create("life_events_community_start", on: LifeEvent.schema, ["community_id", "starts_at"], database)
        try await database.schema(Registration.schema).id()
            .field("community_id", .uuid, .required)
            .field("event_id", .uuid, .required, .references(LifeEvent.schema, .id, onDelete: .cascade))
            .field("person_id", .uuid, .required)
            .field("seats", .int, .required)
            .field("status", .string, .required)
            .field("signed_up_at", .datetime, .required)
            .field("ticket_code", .string, .required)
            .field("ticket_hash", .string, .required)
            .field("checked_in_at", .datetime)
            .field("signed_up_by", .uuid)
            .unique(on: "event_id", "person_id")
            .unique(on: "event_id", "ticket_hash")
            .create()
        try await IndexSQL.create("life_registrations_person", on: Registration.schema, ["person_id"], database)
        try await database.schema(CheckIn.schema).id()
            .field("community_id", .uuid, .required)
            .field("event_id", .uuid, .required, .references(LifeEvent.schema, .id, onDelete: .cascade))
            .field("registration_id", .uuid, .required)
            .field("direction", .string, .required)
            .field("nonce", .string, .required)
            .field("scanned_by", .uuid, .required)
            .field("at", .datetime, .required)
            .unique(on: "event_id", "nonce")
            .create()
    }

    func revert(on database: any Database) async throws {
        for schema in [CheckIn.schema, Registration.schema, LifeEvent.schema] { try await database.schema(schema).delete() }
    }
}
