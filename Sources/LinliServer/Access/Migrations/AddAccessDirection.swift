import Fluent
import Foundation

/// Which way a person went through a gate, when its terminal says (an exit reader): the care watch holds
/// back while a watched person is out by the community's gate.
struct AddAccessDirection: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(AccessEvent.schema).field("direction", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(AccessEvent.schema).deleteField("direction").update()
    }
}
