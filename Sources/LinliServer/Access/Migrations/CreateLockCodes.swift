import Fluent
import Foundation
import LinliCore

struct CreateLockCodes: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(LockCode.schema).id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("device_id", .uuid, .required, .references(Device.schema, .id, onDelete: .cascade))
            .field("household_id", .uuid, .required).field("label", .string, .required)
            .field("one_time", .bool, .required).field("valid_until", .datetime, .required)
            .field("created_by", .uuid, .required).field("created_at", .datetime, .required)
            .field("set_command_id", .int, .required).field("revoked_at", .datetime)
            .field("delete_command_id", .int).create()
        try await IndexSQL.create("lock_codes_device", on: LockCode.schema, ["device_id"], database)
    }

    func revert(on database: any Database) async throws { try await database.schema(LockCode.schema).delete() }
}
