import Fluent
import Foundation
import Vapor

struct CreateWebSession: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(WebSession.schema)
            .id()
            .field("key", .string, .required)
            .field("person_id", .uuid)
            .field("data", .string, .required)
            .field("created_at", .datetime, .required)
            .field("seen_at", .datetime, .required)
            .unique(on: "key")
            .create()
        try await IndexSQL.create("web_sessions_person", on: WebSession.schema, ["person_id"], database)
        try await IndexSQL.create("web_sessions_seen", on: WebSession.schema, ["seen_at"], database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema(WebSession.schema).delete()
    }
}
