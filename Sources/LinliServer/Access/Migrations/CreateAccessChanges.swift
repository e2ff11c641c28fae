import Fluent
import Foundation
import LinliCore
import SQLKit
import Vapor

struct CreateAccessChanges: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(AccessChange.schema)
            .field("seq", .int64, .identifier(auto: true))
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("kind", .string, .required).field("ref_id", .uuid, .required).field("op", .string, .required)
            .field("at", .datetime, .required).create()
        try await IndexSQL.create(
            "access_changes_community", on: AccessChange.schema, ["community_id", "seq"], database)
    }

    func revert(on database: any Database) async throws { try await database.schema(AccessChange.schema).delete() }
}
