import Fluent

struct CreateMembership: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Membership.schema)
            .id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("household_id", .uuid, .required, .references(Household.schema, .id, onDelete: .cascade))
            .field("person_id", .uuid, .required, .references(Person.schema, .id, onDelete: .cascade))
            .field("relation", .string, .required)
            .field("moved_in", .string, .required)
            .field("moved_out", .string)
            .field("created_at", .datetime)
            .create()
        try await IndexSQL.create("memberships_person", on: Membership.schema, ["person_id"], database)
        try await IndexSQL.create("memberships_household", on: Membership.schema, ["household_id"], database)
        try await IndexSQL.create("memberships_community", on: Membership.schema, ["community_id"], database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Membership.schema).delete()
    }
}
