import Crypto
import Fluent
import Foundation
import LinliCore
import SQLKit

/// Sign-ups and cancellations of an event, each one transaction whose counted step is a conditional
/// write on the event's counters (a row every sign-up of the event writes, so on PostgreSQL they take
/// turns): never more confirmed seats than the event has, one registration per person, a fee paid once
/// with the registration and refunded once.
enum Registrations {
    /// Who signs up, for how many, and who asked (the person, or staff for them).
    struct SignUp: Sendable {
        let person: UUID
        let household: UUID?
        let members: [UUID]
        let seats: Int
        let by: UUID
    }

    static func alreadyRegistered() -> LinliError {
        LinliError(.conflict, issues: [FieldIssue(field: "eventID", reason: "already_registered")])
    }

    /// Signs a person up: pending inside a drawn event's window; else confirmed when the seats are free
    /// and nobody waits ahead, else waitlisted. Pays the fee from the household's wallet in the same
    /// transaction. Throws 409 `already_registered` when the person holds a registration not cancelled.
    static func signUp(_ event: LifeEvent, _ who: SignUp, now: Date, on db: any Database) async throws -> Registration {
        let eventID = try event.requireID()
        let ticket = newTicket()
        let drawing = event.drawUntil.map { now < $0 } ?? false
        return try await db.writeTransaction { tx in
            let existing = try await Registration.query(on: tx).filter(\.$eventID == eventID)
                .filter(\.$personID == who.person).first()
            if let existing, existing.status != .cancelled { throw alreadyRegistered() }
            var status = RegistrationStatus.pending
            if !drawing {
                let confirmed = try await tx.conditionalUpdate(LifeEvent.schema) {
                    $0.set("confirmed_seats", to: SQLRaw("confirmed_seats + \(who.seats)"))
                        .where("id", .equal, eventID).where("waiting", .equal, 0)
                        .where(SQLRaw("confirmed_seats + \(who.seats) <= capacity")).where("cancelled_at", .is, SQLLiteral.null)
                        .where(SQLRaw("(draw_until IS NULL OR drawn_at IS NOT NULL)"))
                } == 1
                if !confirmed {
                    _ = try await tx.conditionalUpdate(LifeEvent.schema) {
                        $0.set("waiting", to: SQLRaw("waiting + 1")).where("id", .equal, eventID)
                    }
                }
                status = confirmed ? .confirmed : .waitlisted
            }
            let row = existing ?? Registration()
            if let existing {
                // A cancelled registration comes back, once: of two sign-ups at once one revives it.
                let revived = try await tx.conditionalUpdate(Registration.schema) {
                    $0.set("status", to: status.rawValue).where("id", .equal, existing.id)
                        .where("status", .equal, RegistrationStatus.cancelled.rawValue)
                }
                guard revived == 1 else { throw alreadyRegistered() }
            }
            row.communityID = event.communityID
            row.eventID = eventID
            row.personID = who.person
            row.householdID = who.household
            row.memberIDs = Audience.join(who.members)
            row.seats = who.seats
            row.status = status
            row.signedUpAt = now
            row.lineAt = now
            row.ticketCode = ticket.code
            row.ticketHash = ticket.hash
            row.checkedInAt = nil
            row.signedUpBy = who.by
            row.offerEndsAt = nil
            row.promoted = false
            row.noShow = false
            row.feeFen = 0
            row.feeCause = nil
            row.refunded = false
            try await row.save(on: tx)
            if event.feeFen > 0 {
                guard let household = who.household else { throw LinliError.invalid("householdID", "missing_value") }
                let fee = event.feeFen * who.seats
                let cause = "life-fee:\(try row.requireID()):\(ticket.hash.prefix(16))"
                try await Books.post(
                    .transfer(Int64(fee), from: Books.wallet(household), to: Books.revenue(event.communityID), cause: cause),
                    community: event.communityID, at: now, on: tx)
                row.feeFen = fee
                row.feeCause = cause
                try await row.save(on: tx)
            }
            return row
        }
    }

    /// Cancels a registration ("I can't come", or the event's end for those never seated); a freed seat
    /// goes at once to the first in line. The fee comes back before the event's deadline (always when the
    /// event itself was cancelled). False when it was cancelled already.
    @discardableResult
    static func cancel(_ row: Registration, _ event: LifeEvent, now: Date, on db: any Database) async throws -> Bool {
        let id = try row.requireID()
        let was = row.status
        guard was != .cancelled else { return false }
        let done = try await db.writeTransaction { tx -> Bool in
            let changed = try await tx.conditionalUpdate(Registration.schema) {
                $0.set("status", to: RegistrationStatus.cancelled.rawValue)
                    .where("id", .equal, id).where("status", .equal, was.rawValue)
            }
            guard changed == 1 else { return false }
            switch was {
            case .confirmed, .offered:
                _ = try await tx.conditionalUpdate(LifeEvent.schema) {
                    $0.set("confirmed_seats", to: SQLRaw("confirmed_seats - \(row.seats)")).where("id", .equal, row.eventID)
                }
            case .waitlisted:
                _ = try await tx.conditionalUpdate(LifeEvent.schema) {
                    $0.set("waiting", to: SQLRaw("waiting - 1")).where("id", .equal, row.eventID)
                }
            case .pending, .cancelled: break
            }
            if now < event.refundDeadline || event.cancelledAt != nil { try await refund(row, on: tx, now: now) }
            if was == .confirmed || was == .offered { try await Waitlist.promote(row.eventID, now: now, on: tx) }
            return true
        }
        if done { row.status = .cancelled }
        return done
    }

    /// Gives a registration's fee back to its household's wallet, once (a conditional write on the
    /// registration, and the ledger books a cause once).
    static func refund(_ row: Registration, on tx: any Database, now: Date) async throws {
        guard let cause = row.feeCause, row.feeFen > 0, let household = row.householdID, let id = row.id else { return }
        let changed = try await tx.conditionalUpdate(Registration.schema) {
            $0.set("refunded", to: true).where("id", .equal, id).where("refunded", .equal, false)
        }
        guard changed == 1 else { return }
        try await Books.post(
            .transfer(Int64(row.feeFen), from: Books.revenue(row.communityID), to: Books.wallet(household), cause: "refund:" + cause),
            community: row.communityID, at: now, on: tx)
        row.refunded = true
    }

    /// The place of a waiting registration in line (1 is next), nil when it does not wait. Counted in the
    /// database; only the waiting people who ever missed an event are read, to find who waits behind.
    static func position(_ row: Registration, now: Date, on db: any Database) async throws -> Int? {
        guard row.status == .waitlisted, let sql = db as? any SQLDatabase else { return nil }
        let missed = try await sql.raw(
            """
            SELECT DISTINCT r.person_id FROM life_registrations r WHERE r.event_id = \(bind: row.eventID)
            AND r.status = 'waitlisted' AND EXISTS (SELECT 1 FROM life_registrations n
            WHERE n.person_id = r.person_id AND n.no_show = \(bind: true))
            """
        ).all().map { try $0.decode(column: "person_id", as: UUID.self) }
        let behind = try await NoShows.behind(Set(missed), now: now, on: db)
        let waiting = Registration.query(on: db).filter(\.$eventID == row.eventID).filter(\.$status == .waitlisted)
        let held = Array(behind)
        if behind.contains(row.personID) {
            // Behind everyone not held back, then in line among those held back.
            let free = try await waiting.copy().filter(\.$personID !~ held).count()
            let ahead = try await waiting.copy().filter(\.$personID ~~ held).filter(\.$lineAt < row.line).count()
            return free + ahead + 1
        }
        var ahead = waiting.copy().filter(\.$lineAt < row.line)
        if !held.isEmpty { ahead = ahead.filter(\.$personID !~ held) }
        return try await ahead.count() + 1
    }

    /// A ticket's short code — 8 letters and digits without the look-alikes (0/O, 1/I/L): 31⁸ ≈ 8.5 × 10¹¹
    /// codes, unguessable for an event — and its hash.
    static func newTicket() -> (code: String, hash: String) {
        let alphabet = Array("ABCDEFGHJKMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        let code = String((0..<8).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
        return (code, hash(code))
    }

    /// The hash a scanned or typed code is matched by (spaces and case ignored).
    static func hash(_ code: String) -> String {
        let normal = code.uppercased().filter { !$0.isWhitespace && $0 != "-" }
        return SHA256.hash(data: Data(normal.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
