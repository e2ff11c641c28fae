import Fluent
import Foundation
import LinliCore

struct AddLivenessRequired: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(AccessSettings.schema)
            .field("liveness_required", .bool, .required, .sql(.default(true))).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(AccessSettings.schema).deleteField("liveness_required").update()
    }
}
