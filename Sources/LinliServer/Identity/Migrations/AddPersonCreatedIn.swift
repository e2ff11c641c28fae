import Fluent
import Foundation
import LinliCore
import SQLKit
import Vapor

struct AddPersonCreatedIn: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Person.schema).field("created_in", .uuid).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Person.schema).deleteField("created_in").update()
    }
}
