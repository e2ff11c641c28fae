import Crypto
import Fluent
import Foundation
import LinliCore
import SQLKit

/// Sign-ups, cancellations and the waitlist of an event, each one transaction whose counted step is a
/// conditional write on the event's counters (a row every sign-up of the event writes, so on PostgreSQL
/// they take turns): never more confirmed seats than the event has, one registration per person.
enum Registrations {
    /// Signs a person up: confirmed when the seats are free and nobody waits ahead, else waitlisted.
    /// Throws 409 `already_registered` when the person holds a registration that is not cancelled.
    static func signUp(_ event: LifeEvent, person: UUID, seats: Int, by: UUID?, now: Date, on db: any Database)
        async throws -> Registration
    {
        let eventID = try event.requireID()
        let ticket = newTicket()
        return try await db.writeTransaction { tx in
            let existing = try await Registration.query(on: tx).filter(\.$eventID == eventID)
                .filter(\.$personID == person).first()
            if let existing, existing.status != .cancelled {
                throw LinliError(.conflict, issues: [FieldIssue(field: "eventID", reason: "already_registered")])
            }
            let confirmed = try await tx.conditionalUpdate(LifeEvent.schema) {
                $0.set("confirmed_seats", to: SQLRaw("confirmed_seats + \(seats)"))
                    .where("id", .equal, eventID).where("waiting", .equal, 0)
                    .where(SQLRaw("confirmed_seats + \(seats) <= capacity")).where("cancelled_at", .is, SQLLiteral.null)
            } == 1
            if !confirmed {
                _ = try await tx.conditionalUpdate(LifeEvent.schema) {
                    $0.set("waiting", to: SQLRaw("waiting + 1")).where("id", .equal, eventID)
                }
            }
            let row = existing ?? Registration()
            row.communityID = event.communityID
            row.eventID = eventID
            row.personID = person
            row.seats = seats
            row.status = confirmed ? .confirmed : .waitlisted
            row.signedUpAt = now
            row.ticketCode = ticket.code
            row.ticketHash = ticket.hash
            row.checkedInAt = nil
            row.signedUpBy = by
            if existing == nil {
                try await row.create(on: tx)
            } else {
                // A cancelled registration comes back, once: of two sign-ups at once one revives it.
                let changed1 = try await tx.conditionalUpdate(Registration.schema) {
                    $0.set("seats", to: seats).set("status", to: row.status.rawValue).set("signed_up_at", to: now)
                        .set("ticket_code", to: ticket.code).set("ticket_hash", to: ticket.hash)
                        .set("checked_in_at", to: SQLLiteral.null).set("signed_up_by", to: by)
                        .where("id", .equal, row.id).where("status", .equal, RegistrationStatus.cancelled.rawValue)
                }
                guard changed1 == 1 else {
                    throw LinliError(.conflict, issues: [FieldIssue(field: "eventID", reason: "already_registered")])
                }
            }
            return row
        }
    }

    /// Cancels a registration ("I can't come"); a freed seat goes at once to the first in line, who is
    /// told. False when it was cancelled already.
    @discardableResult
    static func cancel(_ row: Registration, now: Date, on db: any Database) async throws -> Bool {
        let id = try row.requireID()
        let was = row.status
        guard was != .cancelled else { return false }
        let done = try await db.writeTransaction { tx -> Bool in
            let changed2 = try await tx.conditionalUpdate(Registration.schema) {
                $0.set("status", to: RegistrationStatus.cancelled.rawValue)
                    .where("id", .equal, id).where("status", .equal, was.rawValue)
            }
            guard changed2 == 1 else { return false }
            _ = try await tx.conditionalUpdate(LifeEvent.schema) {
                was == .confirmed
                    ? $0.set("confirmed_seats", to: SQLRaw("confirmed_seats - \(row.seats)")).where("id", .equal, row.eventID)
                    : $0.set("waiting", to: SQLRaw("waiting - 1")).where("id", .equal, row.eventID)
            }
            try await promote(row.eventID, now: now, on: tx)
            return true
        }
        if done { row.status = .cancelled }
        return done
    }

    /// Moves the first in line up while their seats fit, in the caller's transaction; each is told.
    static func promote(_ eventID: UUID, now: Date, on tx: any Database) async throws {
        guard let event = try await LifeEvent.find(eventID, on: tx), event.cancelledAt == nil else { return }
        let waiting = try await Registration.query(on: tx).filter(\.$eventID == eventID)
            .filter(\.$status == .waitlisted).all()
        let line = waiting.compactMap { row in
            row.id.map { Seating.Waiting(id: $0, seats: row.seats, signedUpAt: row.signedUpAt) }
        }
        let moving = Seating.promote(line, free: event.capacity - event.confirmedSeats, capacity: event.capacity)
        for entry in moving {
            let changed3 = try await tx.conditionalUpdate(LifeEvent.schema) {
                $0.set("confirmed_seats", to: SQLRaw("confirmed_seats + \(entry.seats)")).set("waiting", to: SQLRaw("waiting - 1"))
                    .where("id", .equal, eventID).where(SQLRaw("confirmed_seats + \(entry.seats) <= capacity"))
            }
            guard changed3 == 1 else { return }
            let changed4 = try await tx.conditionalUpdate(Registration.schema) {
                $0.set("status", to: RegistrationStatus.confirmed.rawValue)
                    .where("id", .equal, entry.id).where("status", .equal, RegistrationStatus.waitlisted.rawValue)
            }
            guard changed4 == 1 else { throw LinliError(.unavailable) }
            if let person = waiting.first(where: { $0.id == entry.id })?.personID {
                try await Notifier.send(
                    "life.note.promoted", .life, to: .person(person), community: event.communityID, now: now, on: tx)
            }
        }
    }

    /// The place of a waiting registration in line (1 is next), nil when it does not wait.
    static func position(_ row: Registration, on db: any Database) async throws -> Int? {
        guard row.status == .waitlisted else { return nil }
        let ahead = try await Registration.query(on: db).filter(\.$eventID == row.eventID)
            .filter(\.$status == .waitlisted).filter(\.$signedUpAt < row.signedUpAt).count()
        return ahead + 1
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
