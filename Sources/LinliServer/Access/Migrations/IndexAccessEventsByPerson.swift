import Fluent
import Foundation
import SQLKit

/// A person's latest gate pass is a sign of life for the care watch: found by this index.
struct IndexAccessEventsByPerson: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await IndexSQL.create("access_events_person_at", on: AccessEvent.schema, ["person_id", "at"], database)
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.drop(index: "access_events_person_at").run()
    }
}
