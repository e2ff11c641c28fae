import Fluent
import Foundation
import LinliCore

struct AddWorkOrderVersion: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(WorkOrder.schema).field("version", .int, .required, .sql(.default(0))).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(WorkOrder.schema).deleteField("version").update()
    }
}
