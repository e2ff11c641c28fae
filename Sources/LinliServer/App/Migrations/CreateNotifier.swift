import Fluent
import SQLKit

/// The notifier's topics, preferences and SMS outbox (the notifications table itself was made by the
/// device hub's first migration, before the notifier became the platform's).
struct CreateNotifier: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Notification.schema).field("topic", .string).update()
        try await database.schema(NotificationPreference.schema).id()
            .field("person_id", .uuid, .required)
            .field("topic", .string, .required)
            .field("channels", .string, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "person_id", "topic")
            .create()
        try await database.schema(SmsMessage.schema).id()
            .field("community_id", .uuid, .required)
            .field("person_id", .uuid, .required)
            .field("phone", .string, .required)
            .field("text", .string, .required)
            .field("status", .string, .required)
            .field("error", .string)
            .field("created_at", .datetime, .required)
            .field("reported_at", .datetime)
            .create()
        try await IndexSQL.create("sms_outbox_queue", on: SmsMessage.schema, ["community_id", "status", "created_at"], database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema(SmsMessage.schema).delete()
        try await database.schema(NotificationPreference.schema).delete()
        try await database.schema(Notification.schema).deleteField("topic").update()
    }
}
