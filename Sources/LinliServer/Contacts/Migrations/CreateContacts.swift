import Fluent
import Foundation
import LinliCore
import Vapor

struct CreateContacts: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Contact.schema).id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("kind", .string, .required).field("name", .string, .required).field("phone", .string, .required)
            .field("hours", .string, .required).field("position", .int, .required).create()
    }

    func revert(on database: any Database) async throws { try await database.schema(Contact.schema).delete() }
}
