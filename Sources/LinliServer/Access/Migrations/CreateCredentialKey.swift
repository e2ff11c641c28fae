import Crypto
import Fluent
import Foundation
import SQLKit

struct CreateCredentialKey: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(CredentialKey.schema)
            .id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("secret", .string, .required)
            .unique(on: "community_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(CredentialKey.schema).delete()
    }
}
