import Fluent
import SQLKit

/// The device hub's tables. Append-only: a landed migration is never edited.
struct CreateDevices: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Device.schema)
            .id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("type", .string, .required)
            .field("name", .string, .required)
            .field("serial", .string)
            .field("building_id", .uuid, .references(Building.schema, .id, onDelete: .setNull))
            .field("household_id", .uuid, .references(Household.schema, .id, onDelete: .setNull))
            .field("zone", .string)
            .field("attributes", .string, .required)
            .field("client_attributes", .string, .required)
            .field("shared_attributes", .string, .required)
            .field("token_hash", .string, .required)
            .field("disabled", .bool, .required)
            .field("provisioned", .bool, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "token_hash")
            .unique(on: "community_id", "name")
            .create()
        try await IndexSQL.create("devices_community_type", on: Device.schema, ["community_id", "type"], database)

        try await database.schema(DeviceProvisioning.schema)
            .id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("provision_key", .string, .required)
            .field("secret_hash", .string, .required)
            .field("enabled", .bool, .required)
            .field("default_type", .string, .required)
            .unique(on: "community_id")
            .unique(on: "provision_key")
            .create()

        try await database.schema(DeviceCommand.schema)
            .field("id", .int64, .identifier(auto: true))
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("device_id", .uuid, .required, .references(Device.schema, .id, onDelete: .cascade))
            .field("method", .string, .required)
            .field("params", .string, .required)
            .field("two_way", .bool, .required)
            .field("status", .string, .required)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("sent_at", .datetime)
            .field("delivered_at", .datetime)
            .field("completed_at", .datetime)
            .field("retries", .int, .required)
            .field("max_retries", .int, .required)
            .field("reply_timeout", .double, .required)
            .field("response", .string)
            .field("created_by", .uuid)
            .field("rule_id", .uuid)
            .create()
        try await IndexSQL.create(
            "commands_device_status", on: DeviceCommand.schema, ["device_id", "status"], database)
        try await IndexSQL.create(
            "commands_community_created", on: DeviceCommand.schema, ["community_id", "created_at"], database)

        try await database.schema(Alarm.schema)
            .id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("device_id", .uuid, .required, .references(Device.schema, .id, onDelete: .cascade))
            .field("type", .string, .required)
            .field("severity", .string, .required)
            .field("status", .string, .required)
            .field("active", .bool, .required)
            .field("started_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("repeats", .int, .required)
            .field("details", .string)
            .field("rule_id", .uuid)
            .field("acknowledged_at", .datetime)
            .field("acknowledged_by", .string)
            .field("cleared_at", .datetime)
            .field("cleared_by", .string)
            .create()
        try await IndexSQL.create(
            "alarms_community_started", on: Alarm.schema, ["community_id", "started_at"], database)
        if let sql = database as? any SQLDatabase {
            try await sql.raw("CREATE UNIQUE INDEX alarms_one_active ON alarms (device_id, type) WHERE active").run()
        }

        try await database.schema(RuleRecord.schema)
            .id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("name", .string, .required)
            .field("enabled", .bool, .required)
            .field("definition", .string, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "community_id", "name")
            .create()

        try await database.schema(RuleStateRecord.schema)
            .id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("rule_id", .uuid, .required)
            .field("device_id", .uuid, .required, .references(Device.schema, .id, onDelete: .cascade))
            .field("since", .int64)
            .field("fired", .bool, .required)
            .unique(on: "rule_id", "device_id")
            .create()

        try await database.schema(StaffTask.schema)
            .id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("role", .string, .required)
            .field("title", .string, .required)
            .field("device_id", .uuid, .references(Device.schema, .id, onDelete: .setNull))
            .field("alarm_id", .uuid, .references(Alarm.schema, .id, onDelete: .setNull))
            .field("status", .string, .required)
            .field("created_at", .datetime, .required)
            .field("done_at", .datetime)
            .field("done_by", .string)
            .create()
        try await IndexSQL.create("tasks_community_status", on: StaffTask.schema, ["community_id", "status"], database)

        try await database.schema(Notification.schema)
            .id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("role", .string)
            .field("household_id", .uuid, .references(Household.schema, .id, onDelete: .cascade))
            .field("title", .string, .required)
            .field("device_id", .uuid, .references(Device.schema, .id, onDelete: .setNull))
            .field("created_at", .datetime, .required)
            .create()
        try await IndexSQL.create(
            "notifications_community_created", on: Notification.schema, ["community_id", "created_at"], database)
    }

    func revert(on database: any Database) async throws {
        for schema in [
            Notification.schema, StaffTask.schema, RuleStateRecord.schema, RuleRecord.schema, Alarm.schema,
            DeviceCommand.schema, DeviceProvisioning.schema, Device.schema,
        ] {
            try await database.schema(schema).delete()
        }
    }
}
