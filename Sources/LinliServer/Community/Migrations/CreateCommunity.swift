import Fluent

/// The registry's tables. Append-only: a landed migration is never edited.
struct CreateCommunity: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Community.schema)
            .id()
            .field("name", .string, .required)
            .field("address", .string, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "name")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Community.schema).delete()
    }
}
