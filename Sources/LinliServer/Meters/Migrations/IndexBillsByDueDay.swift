import Fluent
import Foundation

/// The reminders' job reads only the bills whose due day is near (`Reminders.window`), by this index,
/// instead of every unpaid bill there is.
struct IndexBillsByDueDay: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await IndexSQL.create("bills_due_on", on: Bill.schema, ["due_on", "status"], database)
    }

    func revert(on database: any Database) async throws {
        try await IndexSQL.drop("bills_due_on", database)
    }
}
