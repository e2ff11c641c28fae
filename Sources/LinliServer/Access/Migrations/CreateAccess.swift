import Fluent
import Foundation
import LinliCore

struct CreateAccess: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Gate.schema).id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("name", .string, .required).field("kind", .string, .required)
            .field("building_id", .uuid, .references(Building.schema, .id, onDelete: .cascade))
            .field("device_ids", .array(of: .uuid), .required)
            .unique(on: "community_id", "name").create()
        try await database.schema(AccessSettings.schema).id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("server_matching", .bool, .required).field("match_threshold", .double, .required)
            .field("liveness_threshold", .double, .required).unique(on: "community_id").create()
        try await database.schema(FaceConsent.schema).id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("person_id", .uuid, .required, .references(Person.schema, .id, onDelete: .cascade))
            .field("version", .string, .required).field("accepted_at", .datetime, .required)
            .field("given_by", .uuid, .required).field("server_matching", .bool, .required)
            .field("withdrawn_at", .datetime).create()
        try await IndexSQL.create(
            "face_consents_person", on: FaceConsent.schema, ["person_id", "community_id"], database)
        try await database.schema(FaceVector.schema).id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("person_id", .uuid, .required, .references(Person.schema, .id, onDelete: .cascade))
            .field("model", .string, .required).field("dimension", .int, .required)
            .field("sealed", .data, .required).field("created_at", .datetime, .required).create()
        try await IndexSQL.create("face_vectors_community", on: FaceVector.schema, ["community_id", "model"], database)
        try await database.schema(AccessCredential.schema).id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("person_id", .uuid, .references(Person.schema, .id, onDelete: .cascade))
            .field("pass_id", .uuid).field("kind", .string, .required).field("value_hash", .string, .required)
            .field("created_at", .datetime, .required).field("revoked", .bool, .required)
            .unique(on: "community_id", "kind", "value_hash").create()
        try await database.schema(QRSecret.schema).id()
            .field("person_id", .uuid, .required, .references(Person.schema, .id, onDelete: .cascade))
            .field("handle", .string, .required).field("secret", .data, .required).field("last_window", .int64)
            .unique(on: "person_id").unique(on: "handle").create()
        try await database.schema(VisitorPass.schema).id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("household_id", .uuid, .required, .references(Household.schema, .id, onDelete: .cascade))
            .field("building_id", .uuid, .required).field("created_by", .uuid, .required)
            .field("visitor_name", .string, .required).field("visitor_phone", .string)
            .field("valid_from", .datetime, .required).field("valid_until", .datetime, .required)
            .field("entries_allowed", .int, .required).field("entries_used", .int, .required)
            .field("revoked", .bool, .required).field("qr_token", .string, .required)
            .field("created_at", .datetime, .required).unique(on: "qr_token").create()
        try await database.schema(AccessEvent.schema).id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("gate_id", .uuid).field("device_id", .uuid, .required).field("event_id", .string, .required)
            .field("person_id", .uuid).field("pass_id", .uuid).field("method", .string, .required)
            .field("allow", .bool, .required).field("reason", .string, .required).field("score", .double)
            .field("latency_ms", .double, .required).field("at", .datetime, .required).field(
                "source", .string, .required
            )
            .unique(on: "device_id", "event_id").create()
        try await IndexSQL.create(
            "access_events_community_at", on: AccessEvent.schema, ["community_id", "at"], database)
        try await database.schema(DenyEntry.schema).id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("person_id", .uuid, .required).field("reason", .string, .required)
            .field("created_at", .datetime, .required).unique(on: "community_id", "person_id").create()
    }

    func revert(on database: any Database) async throws {
        for schema in [
            DenyEntry.schema, AccessEvent.schema, VisitorPass.schema, QRSecret.schema, AccessCredential.schema,
            FaceVector.schema, FaceConsent.schema, AccessSettings.schema, Gate.schema,
        ] {
            try await database.schema(schema).delete()
        }
    }
}
