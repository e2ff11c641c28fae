import Fluent

struct CreateBuilding: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Building.schema)
            .id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("name", .string, .required)
            .field("floors", .int, .required)
            .field("created_at", .datetime)
            .unique(on: "community_id", "name")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Building.schema).delete()
    }
}
