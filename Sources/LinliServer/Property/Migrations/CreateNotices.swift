import Fluent
import Foundation
import LinliCore
import Vapor

struct CreateNotices: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Notice.schema).id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("category", .string, .required).field("title", .string, .required).field("body", .string, .required)
            .field("audience", .string, .required).field("channels", .string, .required)
            .field("publish_at", .datetime, .required).field("expires_at", .datetime)
            .field("pinned", .bool, .required).field("created_by", .uuid, .required)
            .field("created_at", .datetime, .required).field("withdrawn_at", .datetime).create()
        try await IndexSQL.create(
            "notices_community_publish", on: Notice.schema, ["community_id", "publish_at"], database)
        try await database.schema(NoticeRead.schema).id()
            .field("notice_id", .uuid, .required, .references(Notice.schema, .id, onDelete: .cascade))
            .field("person_id", .uuid, .required).field("read_at", .datetime, .required)
            .unique(on: "notice_id", "person_id").create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(NoticeRead.schema).delete()
        try await database.schema(Notice.schema).delete()
    }
}
