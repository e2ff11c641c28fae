import Fluent
import Foundation

/// Wrong PINs in a row, so a PIN locks after a few instead of being guessed slowly over weeks.
struct AddRecyclingPinFailures: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(RecyclingPin.schema)
            .field("failed_attempts", .int, .required, .sql(.default(0))).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(RecyclingPin.schema).deleteField("failed_attempts").update()
    }
}
