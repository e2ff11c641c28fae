import Fluent
import Foundation
import LinliCore
import Vapor

/// A notice to residents: property notices, policy news, events, emergencies.
final class Notice: Model, @unchecked Sendable {
    static let schema = "notices"
    enum Category: String, Codable, CaseIterable, Sendable {
        case property, policy, event, emergency
    }

    @ID(key: .id) var id: UUID?
    @Field(key: "community_id") var communityID: UUID
    @Enum(key: "category") var category: Category
    @Field(key: "title") var title: String
    @Field(key: "body") var body: String
    /// `NoticeAudience` as JSON text.
    @Field(key: "audience") var audience: String
    /// app, tv, kiosk (comma-separated).
    @Field(key: "channels") var channels: String
    @Field(key: "publish_at") var publishAt: Date
    @OptionalField(key: "expires_at") var expiresAt: Date?
    @Field(key: "pinned") var pinned: Bool
    @Field(key: "created_by") var createdBy: UUID
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "withdrawn_at") var withdrawnAt: Date?
    init() {}

    var target: NoticeAudience {
        (try? JSONDecoder().decode(NoticeAudience.self, from: Data(audience.utf8))) ?? NoticeAudience()
    }
}

/// Who read which notice, when (one row per person and notice).
final class NoticeRead: Model, @unchecked Sendable {
    static let schema = "notice_reads"
    @ID(key: .id) var id: UUID?
    @Field(key: "notice_id") var noticeID: UUID
    @Field(key: "person_id") var personID: UUID
    @Field(key: "read_at") var readAt: Date
    init() {}
}

extension Notice: CommunityScoped {
    static var communityField: KeyPath<Notice, FieldProperty<Notice, UUID>> { \.$communityID }
}

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
