import Fluent

struct CreatePerson: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Person.schema)
            .id()
            .field("name", .string, .required)
            .field("phone", .string, .required)
            .field("birth_year", .int)
            .field("is_elderly", .bool, .required)
            .field("lives_alone", .bool, .required)
            .field("is_child", .bool, .required)
            .field("password_hash", .string)
            .field("is_admin", .bool, .required)
            .field("language", .string)
            .field("elder_mode", .bool, .required)
            .field("high_contrast", .bool, .required)
            .field("text_size", .int, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "phone")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Person.schema).delete()
    }
}
