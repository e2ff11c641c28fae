import Fluent
import Foundation
import SQLKit

/// A booking's state changes and money, each a conditional write with its record.
enum Bookings {
    static let purpose = "booking"

    /// `UPDATE bookings SET status = to WHERE id AND status = from`: whether this call made the change.
    static func transition(_ id: UUID, from: BookingStatus, to: BookingStatus, on db: any Database) async throws
        -> Bool
    {
        try await db.conditionalUpdate(Booking.schema) {
            $0.set("status", to: to.rawValue).where("id", .equal, id).where("status", .equal, from.rawValue)
        } == 1
    }

    /// Reads back what the conditional writes changed.
    static func reload(_ booking: Booking, on db: any Database) async throws {
        guard let fresh = try await Booking.find(booking.id, on: db) else { return }
        booking.status = fresh.status
        booking.paidAt = fresh.paidAt
        booking.refundedAt = fresh.refundedAt
    }

    /// The money record the booking pages show (a charge online or at the door, or a refund).
    static func recordPayment(
        _ booking: UUID, _ kind: MoneyMovement.Kind, _ provider: String, _ reference: String, _ cents: Int, at: Date,
        on db: any Database
    ) async throws {
        let payment = Payment()
        payment.bookingID = booking
        payment.kind = kind
        payment.provider = provider
        payment.reference = reference
        payment.amountCents = cents
        payment.at = at
        try await payment.create(on: db)
        try await Booking.query(on: db).filter(\.$id == booking)
            .set(kind == .charge ? \.$paidAt : \.$refundedAt, to: at).update()
    }

    /// A pending refund of the booking's settled online charge (nil when there is none, or one exists).
    static func queueRefund(of booking: UUID, provider: String, now: Date, on db: any Database) async throws
        -> MoneyMovement?
    {
        guard
            let charge = try await MoneyMovement.query(on: db).filter(\.$purpose == purpose)
                .filter(\.$subjectID == booking).filter(\.$kind == .charge).filter(\.$status == .succeeded).first()
        else { return nil }
        let key = "refund:\(booking)"
        if try await MoneyMovement.query(on: db).filter(\.$idempotencyKey == key).first() != nil { return nil }
        let refund = MoneyMovement(
            community: charge.communityID, purpose: purpose, subject: booking, kind: .refund, cents: charge.amountCents,
            key: key, provider: provider, originalReference: charge.reference, at: now)
        try await refund.create(on: db)
        return refund
    }

    static let moneyPurpose = MoneyMovements.Purpose(
        settled: { movement, db in
            let at = movement.settledAt ?? movement.createdAt
            try await recordPayment(
                movement.subjectID, movement.kind, movement.provider, movement.reference ?? "",
                movement.amountCents, at: at, on: db)
            // A charge that settled after its booking was cancelled is refunded at once.
            if movement.kind == .charge, let booking = try await Booking.find(movement.subjectID, on: db),
                booking.status == .cancelled
            {
                _ = try await queueRefund(of: movement.subjectID, provider: movement.provider, now: at, on: db)
            }
        },
        failed: { movement, db in
            guard movement.kind == .charge else { return }
            // Not paid: the slot is given back.
            if try await transition(movement.subjectID, from: .booked, to: .cancelled, on: db) {
                try await BookingSeat.query(on: db).filter(\.$bookingID == movement.subjectID).delete()
            }
        })
}
