import Fluent
import Foundation
import LinliCore

/// An event of the community (活动): a place, a time, seats. Its counters are kept on the row, so that
/// "never more confirmed seats than it has" is one conditional write.
final class LifeEvent: Model, @unchecked Sendable {
    static let schema = "life_events"

    @ID(key: .id) var id: UUID?
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "title") var title: String
    @Field(key: "description") var details: String
    @Field(key: "place") var place: String
    @Field(key: "starts_at") var startsAt: Date
    @Field(key: "ends_at") var endsAt: Date
    @Field(key: "capacity") var capacity: Int
    /// At most this many seats for one sign-up (oneself and family).
    @Field(key: "seats_per_signup") var seatsPerSignup: Int
    @Field(key: "confirmed_seats") var confirmedSeats: Int
    @Field(key: "waiting") var waiting: Int
    @Field(key: "created_by") var createdBy: UUID
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "cancelled_at") var cancelledAt: Date?

    init() {}
}

extension LifeEvent: CommunityScoped {
    static var communityField: KeyPath<LifeEvent, FieldProperty<LifeEvent, UUID>> { \.$communityID }
}

/// Where a registration stands; stored as its raw value.
enum RegistrationStatus: String, Codable, Sendable, CaseIterable {
    case confirmed, waitlisted, cancelled
}

/// One person's sign-up for an event (with the seats for their family): confirmed with a ticket, or
/// waiting in line. One per person and event; a cancelled one comes back on a new sign-up.
final class Registration: Model, @unchecked Sendable {
    static let schema = "life_registrations"

    @ID(key: .id) var id: UUID?
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "event_id") var eventID: UUID
    @Field(key: "person_id") var personID: UUID
    @Field(key: "seats") var seats: Int
    @Field(key: "status") var status: RegistrationStatus
    @Field(key: "signed_up_at") var signedUpAt: Date
    /// The ticket's short code (read out at the door), shown only to its holder.
    @Field(key: "ticket_code") var ticketCode: String
    /// SHA-256 of the code: what a scan is matched against.
    @Field(key: "ticket_hash") var ticketHash: String
    @OptionalField(key: "checked_in_at") var checkedInAt: Date?
    @OptionalField(key: "signed_up_by") var signedUpBy: UUID?

    init() {}
}

/// One scan at the door: its nonce makes a scan sent twice (an offline phone syncing) count once.
final class CheckIn: Model, @unchecked Sendable {
    static let schema = "life_check_ins"

    @ID(key: .id) var id: UUID?
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "event_id") var eventID: UUID
    @Field(key: "registration_id") var registrationID: UUID
    /// `in` or `out`.
    @Field(key: "direction") var direction: String
    @Field(key: "nonce") var nonce: String
    @Field(key: "scanned_by") var scannedBy: UUID
    @Field(key: "at") var at: Date

    init() {}
}
