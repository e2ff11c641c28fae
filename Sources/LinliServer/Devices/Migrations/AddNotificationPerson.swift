import Fluent
import Foundation

/// A notification may be for one person (a family member who is a Linli user, told of a welfare check or
/// an alarm at a home they do not live in).
struct AddNotificationPerson: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Notification.schema)
            .field("person_id", .uuid, .references(Person.schema, .id, onDelete: .cascade)).update()
        try await IndexSQL.create("notifications_person", on: Notification.schema, ["person_id", "created_at"], database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Notification.schema).deleteField("person_id").update()
    }
}
