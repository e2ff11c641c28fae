import Fluent
import Foundation
import LinliCore
import SQLKit
import Vapor

struct CreatePasswordReset: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(PasswordReset.schema)
            .id()
            .field("person_id", .uuid, .required, .references(Person.schema, .id, onDelete: .cascade))
            .field("community_id", .uuid, .required)
            .field("code_hash", .string, .required)
            .field("created_by", .uuid, .required)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("used_at", .datetime)
            .unique(on: "code_hash")
            .create()
        try await IndexSQL.create("password_resets_person", on: PasswordReset.schema, ["person_id"], database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema(PasswordReset.schema).delete()
    }
}
