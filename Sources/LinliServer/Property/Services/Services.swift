import Fluent
import Foundation
import LinliCore
import Vapor

/// A bookable value-added service of a community (1-hour cleaning, water delivery, laundry machines).
final class Service: Model, @unchecked Sendable {
    static let schema = "services"
    @ID(key: .id) var id: UUID?
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "name") var name: String
    @Field(key: "description") var description: String
    @Field(key: "price_cents") var priceCents: Int
    @Field(key: "duration_minutes") var durationMinutes: Int
    /// Bookings per slot (staff, or machines).
    @Field(key: "capacity") var capacity: Int
    /// Minutes after midnight, China time.
    @Field(key: "open_minute") var openMinute: Int
    @Field(key: "close_minute") var closeMinute: Int
    @Field(key: "active") var active: Bool
    init() {}
}

/// A booking of one slot by a household.
/// Where a booking stands; stored as its raw value.
enum BookingStatus: String, Codable, Sendable, CaseIterable {
    case booked, fulfilled, cancelled
}

/// How a booking is paid: to the provider at the door, or online through the payment provider.
enum PaymentMethod: String, Codable, Sendable, CaseIterable {
    case door, online
}

final class Booking: Model, @unchecked Sendable {
    static let schema = "bookings"
    @ID(key: .id) var id: UUID?
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "service_id") var serviceID: UUID
    @Field(key: "household_id") var householdID: UUID
    @Field(key: "person_id") var personID: UUID
    @Field(key: "slot_start") var slotStart: Date
    @Field(key: "status") var status: BookingStatus
    @Field(key: "payment") var payment: PaymentMethod
    @Field(key: "amount_cents") var amountCents: Int
    @OptionalField(key: "paid_at") var paidAt: Date?
    @OptionalField(key: "refunded_at") var refundedAt: Date?
    @Field(key: "created_at") var createdAt: Date
    init() {}
}

/// One seat of a slot; the unique index on (service, slot, seat) is what makes double booking
/// impossible, on SQLite and PostgreSQL alike, however many residents press "book" at once.
final class BookingSeat: Model, @unchecked Sendable {
    static let schema = "booking_seats"
    @ID(key: .id) var id: UUID?
    @Field(key: "service_id") var serviceID: UUID
    @Field(key: "slot_start") var slotStart: Date
    @Field(key: "seat") var seat: Int
    @Field(key: "booking_id") var bookingID: UUID
    init() {}
}

/// Money recorded for a booking: a charge (online or at the door) or a refund.
final class Payment: Model, @unchecked Sendable {
    static let schema = "payments"
    @ID(key: .id) var id: UUID?
    @Field(key: "booking_id") var bookingID: UUID
    @Field(key: "kind") var kind: MoneyMovement.Kind
    @Field(key: "provider") var provider: String
    @Field(key: "reference") var reference: String
    @Field(key: "amount_cents") var amountCents: Int
    @Field(key: "at") var at: Date
    init() {}
}

extension Service: CommunityScoped {
    static var communityField: KeyPath<Service, FieldProperty<Service, UUID>> { \.$communityID }
}
extension Booking: CommunityScoped {
    static var communityField: KeyPath<Booking, FieldProperty<Booking, UUID>> { \.$communityID }
}
