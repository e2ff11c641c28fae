import Fluent
import LinliCore
import Vapor

struct CreateGuardian: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Guardian.schema).id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("child_id", .uuid, .required, .references(Person.schema, .id, onDelete: .cascade))
            .field("guardian_id", .uuid, .required, .references(Person.schema, .id, onDelete: .cascade))
            .field("registered_by", .uuid).field("registered_at", .datetime, .required)
            .unique(on: "community_id", "child_id", "guardian_id").create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Guardian.schema).delete()
    }
}
