import Fluent
import Foundation
import LinliCore

/// A place of the community where events happen (活动室, 广场): two events may not overlap in one.
/// `bookings` is written by every event created there, so that creations in one venue take turns.
final class Venue: Model, @unchecked Sendable {
    static let schema = "life_venues"

    @ID(key: .id) var id: UUID?
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "name") var name: String
    @OptionalField(key: "capacity") var capacity: Int?
    @Field(key: "bookings") var bookings: Int

    init() {}
}

extension Venue: CommunityScoped {
    static var communityField: KeyPath<Venue, FieldProperty<Venue, UUID>> { \.$communityID }
}

/// A club (社团): residents with a shared interest, led by some of them, with its own events.
final class Club: Model, @unchecked Sendable {
    static let schema = "life_clubs"

    enum JoinPolicy: String, Codable, Sendable, CaseIterable { case open, approval }
    enum Status: String, Codable, Sendable { case proposed, active, closed }

    @ID(key: .id) var id: UUID?
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "name") var name: String
    @Field(key: "description") var details: String
    @Field(key: "join_policy") var joinPolicy: JoinPolicy
    /// Visible only to a group (`elderly`, `parents`); nil: the whole community.
    @OptionalField(key: "audience_group") var audienceGroup: String?
    @Field(key: "status") var status: Status
    @Field(key: "proposed_by") var proposedBy: UUID
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

extension Club: CommunityScoped {
    static var communityField: KeyPath<Club, FieldProperty<Club, UUID>> { \.$communityID }
}

/// One person in a club: a leader or a member, pending until a leader approves when the club asks for that.
final class ClubMember: Model, @unchecked Sendable {
    static let schema = "life_club_members"

    enum Role: String, Codable, Sendable { case leader, member }
    enum Status: String, Codable, Sendable { case pending, active }

    @ID(key: .id) var id: UUID?
    @Field(key: "club_id") var clubID: UUID
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "person_id") var personID: UUID
    @Field(key: "role") var role: Role
    @Field(key: "status") var status: Status
    /// Other members may see this member's name (leaders always do, with the phone).
    @Field(key: "show_name") var showName: Bool
    @Field(key: "joined_at") var joinedAt: Date

    init() {}
}

/// A person's private calendar feed: the URL's token, stored as its hash (shown once when made).
final class CalendarFeed: Model, @unchecked Sendable {
    static let schema = "life_calendar_feeds"

    @ID(key: .id) var id: UUID?
    @Field(key: "person_id") var personID: UUID
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}
