import Crypto
import Fluent
import Foundation
import Vapor

struct CreateLoginAttempt: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(LoginAttempt.schema)
            .id()
            .field("phone", .string, .required)
            .field("failures", .int, .required)
            .field("first_failure", .datetime)
            .field("locked_until", .datetime)
            .unique(on: "phone")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(LoginAttempt.schema).delete()
    }
}
