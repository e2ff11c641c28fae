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
