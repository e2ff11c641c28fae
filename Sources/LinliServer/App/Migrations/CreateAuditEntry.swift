import Fluent
import Foundation
import Vapor

struct CreateAuditEntry: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(AuditEntry.schema)
            .id()
            .field("community_id", .uuid, .required)
            .field("actor_id", .uuid)
            .field("actor_name", .string, .required)
            .field("action", .string, .required)
            .field("entity", .string, .required)
            .field("entity_id", .uuid)
            .field("before", .string)
            .field("after", .string)
            .field("at", .datetime, .required)
            .create()
        try await IndexSQL.create("audit_community_at", on: AuditEntry.schema, ["community_id", "at"], database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema(AuditEntry.schema).delete()
    }
}
