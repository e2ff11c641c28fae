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
    @OptionalField(key: "venue_id") var venueID: UUID?
    /// Paid from the household's wallet at sign-up (0: free).
    @Field(key: "fee_fen") var feeFen: Int
    /// How a freed seat passes on: `promote` (at once) or `offers` (held for the first in line).
    @Field(key: "waitlist") var waitlist: WaitlistMode
    /// How long an offer holds the seat.
    @Field(key: "hold_seconds") var holdSeconds: Int
    @OptionalField(key: "signup_opens_at") var signupOpensAt: Date?
    @OptionalField(key: "signup_closes_at") var signupClosesAt: Date?
    /// Cancelled before this, the fee comes back (default: the start).
    @OptionalField(key: "cancel_by") var cancelBy: Date?
    /// A drawn event: sign-ups before this are pending and go into the draw.
    @OptionalField(key: "draw_until") var drawUntil: Date?
    @OptionalField(key: "draw_seed") var drawSeed: String?
    @OptionalField(key: "drawn_at") var drawnAt: Date?
    /// Who may see and join: buildings and groups (comma-separated; empty: everyone), or a club's members.
    @Field(key: "audience_buildings") var audienceBuildings: String
    @Field(key: "audience_groups") var audienceGroups: String
    @OptionalField(key: "club_id") var clubID: UUID?
    @OptionalField(key: "series_id") var seriesID: UUID?
    /// Reminders sent: 1 the day before, 2 two hours before.
    @Field(key: "reminded") var reminded: Int
    /// When the event was closed after its end: no-shows marked, unused fees refunded.
    @OptionalField(key: "closed_at") var closedAt: Date?

    /// With the defaults of the columns added after the first version.
    init() {
        feeFen = 0
        waitlist = .promote
        holdSeconds = 86_400
        audienceBuildings = ""
        audienceGroups = ""
        reminded = 0
    }

    var refundDeadline: Date { cancelBy ?? startsAt }
}

enum WaitlistMode: String, Codable, Sendable, CaseIterable {
    case promote, offers
}

extension LifeEvent: CommunityScoped {
    static var communityField: KeyPath<LifeEvent, FieldProperty<LifeEvent, UUID>> { \.$communityID }
}

/// Where a registration stands; stored as its raw value.
enum RegistrationStatus: String, Codable, Sendable, CaseIterable {
    case confirmed, waitlisted, cancelled
    /// A drawn event's sign-up before the draw.
    case pending
    /// Offered a freed seat, held until `offerEndsAt`.
    case offered
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
    /// The household the seats (and the fee) are for.
    @OptionalField(key: "household_id") var householdID: UUID?
    /// The family members the extra seats are for (comma-separated ids).
    @Field(key: "member_ids") var memberIDs: String
    /// Its place in line: the sign-up time, or the draw's order for a drawn event.
    @OptionalField(key: "line_at") var lineAt: Date?
    @OptionalField(key: "offer_ends_at") var offerEndsAt: Date?
    /// The fee paid and the ledger cause it was paid under (refunded under `refund:` + cause).
    @Field(key: "fee_fen") var feeFen: Int
    @OptionalField(key: "fee_cause") var feeCause: String?
    @Field(key: "refunded") var refunded: Bool
    /// Confirmed and not checked in by the end.
    @Field(key: "no_show") var noShow: Bool
    /// Moved up from the waitlist (or the draw's line).
    @Field(key: "promoted") var promoted: Bool

    init() {
        promoted = false
        memberIDs = ""
        feeFen = 0
        refunded = false
        noShow = false
    }

    var line: Date { lineAt ?? signedUpAt }
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
