import Fluent

struct CreateHousehold: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Household.schema)
            .id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("building_id", .uuid, .required, .references(Building.schema, .id, onDelete: .cascade))
            .field("floor", .int, .required)
            .field("room", .string, .required)
            .field("area_m2", .double, .required)
            .field("created_at", .datetime)
            .unique(on: "building_id", "room")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Household.schema).delete()
    }
}
