import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor

struct CreateMoneyMovement: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(MoneyMovement.schema)
            .id()
            .field("community_id", .uuid, .required)
            .field("purpose", .string, .required)
            .field("subject_id", .uuid, .required)
            .field("kind", .string, .required)
            .field("amount_cents", .int, .required)
            .field("idempotency_key", .string, .required)
            .field("original_reference", .string)
            .field("status", .string, .required)
            .field("provider", .string, .required)
            .field("reference", .string)
            .field("created_at", .datetime, .required)
            .field("settled_at", .datetime)
            .unique(on: "idempotency_key")
            .create()
        try await IndexSQL.create("money_movements_status", on: MoneyMovement.schema, ["status", "created_at"], database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema(MoneyMovement.schema).delete()
    }
}
