import Fluent

struct CreateStaffAssignment: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(StaffAssignment.schema)
            .id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("person_id", .uuid, .required, .references(Person.schema, .id, onDelete: .cascade))
            .field("role", .string, .required)
            .field("created_at", .datetime)
            .unique(on: "community_id", "person_id", "role")
            .create()
        try await IndexSQL.create("staff_person", on: StaffAssignment.schema, ["person_id"], database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema(StaffAssignment.schema).delete()
    }
}
