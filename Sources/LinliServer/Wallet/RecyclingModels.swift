import Fluent
import Foundation
import LinliCore

/// A box's price from a moment on. Never edited: a new row starts a new price, so a weighing keeps
/// the price it was credited with.
final class RecyclingPrice: Model, @unchecked Sendable {
    static let schema = "recycling_prices"

    // managed
    @ID(key: .id) var id: UUID?

    // data
    @Field(key: "community_id") var communityID: UUID
    @Enum(key: "box") var box: RecyclingCredit.Box
    /// 0: taken but unpaid (glass, hazardous).
    @Field(key: "price_per_kg_fen") var pricePerKgFen: Int64
    @Field(key: "effective_from") var effectiveFrom: Date
    @Field(key: "created_by") var createdBy: UUID
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

/// A resident's PIN for the recycling bins (a bcrypt hash, never readable back): with the phone
/// number it signs the resident in at a bin without a smartphone.
final class RecyclingPin: Model, @unchecked Sendable {
    static let schema = "recycling_pins"

    // managed
    @ID(key: .id) var id: UUID?

    // data
    @Field(key: "person_id") var personID: UUID
    /// Bcrypt (slow, salted): a PIN of 4–6 digits is a small space, so a leaked table must cost hours per
    /// PIN rather than a second for all of them. Rows from before are SHA-256 of the person id and the PIN
    /// and are rehashed at their next good sign-in.
    @Field(key: "pin_hash") var pinHash: String
    @Field(key: "updated_at") var updatedAt: Date
    /// Wrong PINs since the last good one; at ``Recycling/pinLockAfter`` the PIN is locked until the
    /// resident sets a new one on their phone.
    @Field(key: "failed_attempts") var failedAttempts: Int

    init() {}
}

/// A resident signed in at one bin for a few minutes; weighings in it credit the household's wallet.
final class RecyclingSession: Model, @unchecked Sendable {
    static let schema = "recycling_sessions"

    // managed
    @ID(key: .id) var id: UUID?

    // data
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "device_id") var deviceID: UUID
    @Field(key: "person_id") var personID: UUID
    @Field(key: "household_id") var householdID: UUID
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "expires_at") var expiresAt: Date

    init() {}
}

/// One weighing reported by a bin: unique by the bin's event id, with the price it was credited at.
final class RecyclingWeighing: Model, @unchecked Sendable {
    static let schema = "recycling_weighings"

    // managed
    @ID(key: .id) var id: UUID?

    // data
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "device_id") var deviceID: UUID
    @Field(key: "event_id") var eventID: String
    @Field(key: "session_id") var sessionID: UUID
    @Field(key: "household_id") var householdID: UUID
    @Field(key: "person_id") var personID: UUID
    @Enum(key: "box") var box: RecyclingCredit.Box
    @Field(key: "gross_grams") var grossGrams: Int64
    @Field(key: "tare_grams") var tareGrams: Int64
    @Field(key: "net_grams") var netGrams: Int64
    @Field(key: "scale_id") var scaleID: String
    @OptionalField(key: "price_id") var priceID: UUID?
    @Field(key: "price_per_kg_fen") var pricePerKgFen: Int64
    @Field(key: "credited_fen") var creditedFen: Int64
    /// The wallet's balance right after the credit: a repeated event answers the first result.
    @Field(key: "balance_fen") var balanceFen: Int64
    @Field(key: "created_at") var createdAt: Date

    init() {}
}
