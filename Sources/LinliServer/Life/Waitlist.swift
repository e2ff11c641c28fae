import Fluent
import Foundation
import LinliCore
import SQLKit

/// What happens to the line: a freed seat goes to the first in line at once (told), or — for an event
/// that uses offers — is held for them until the offer ends and then passes on; a drawn event's pending
/// sign-ups are drawn at the window's end. Each step a conditional write on the event's counters.
enum Waitlist {
    /// Moves the first in line up while their seats fit, in the caller's transaction; each is told.
    static func promote(_ eventID: UUID, now: Date, on tx: any Database) async throws {
        guard let event = try await LifeEvent.find(eventID, on: tx), event.cancelledAt == nil, event.closedAt == nil,
            event.drawUntil == nil || event.drawnAt != nil
        else { return }
        let waiting = try await Registration.query(on: tx).filter(\.$eventID == eventID)
            .filter(\.$status == .waitlisted).all()
        let behind = try await NoShows.behind(Set(waiting.map(\.personID)), now: now, on: tx)
        let line = waiting.compactMap { row in
            row.id.map { Seating.Waiting(id: $0, seats: row.seats, signedUpAt: row.line, behind: behind.contains(row.personID)) }
        }
        let offers = event.waitlist == .offers && now < event.startsAt
        let ends = Seating.offerEnds(now: now, hold: TimeInterval(event.holdSeconds), startsAt: event.startsAt)
        for entry in Seating.promote(line, free: event.capacity - event.confirmedSeats, capacity: event.capacity) {
            let seated = try await tx.conditionalUpdate(LifeEvent.schema) {
                $0.set("confirmed_seats", to: SQLRaw("confirmed_seats + \(entry.seats)")).set("waiting", to: SQLRaw("waiting - 1"))
                    .where("id", .equal, eventID).where(SQLRaw("confirmed_seats + \(entry.seats) <= capacity"))
            }
            guard seated == 1 else { return }
            let moved = try await tx.conditionalUpdate(Registration.schema) {
                $0.set("status", to: (offers ? RegistrationStatus.offered : .confirmed).rawValue).set("promoted", to: true)
                    .set("offer_ends_at", to: offers ? ends : nil)
                    .where("id", .equal, entry.id).where("status", .equal, RegistrationStatus.waitlisted.rawValue)
            }
            guard moved == 1 else { throw LinliError(.unavailable) }
            if let person = waiting.first(where: { $0.id == entry.id })?.personID {
                try await Notifier.send(
                    offers ? "life.note.offered" : "life.note.promoted", .life, to: .person(person),
                    community: event.communityID, now: now, on: tx)
            }
        }
    }

    /// Takes an offered seat before the offer ends: the registration is confirmed.
    static func accept(_ row: Registration, now: Date, on db: any Database) async throws {
        let taken = try await db.conditionalUpdate(Registration.schema) {
            $0.set("status", to: RegistrationStatus.confirmed.rawValue).set("offer_ends_at", to: SQLLiteral.null)
                .where("id", .equal, row.id).where("status", .equal, RegistrationStatus.offered.rawValue)
                .where("offer_ends_at", .greaterThan, now)
        }
        guard taken == 1 else { throw CheckIns.refusal("offer_lapsed") }
        row.status = .confirmed
        row.offerEndsAt = nil
    }

    /// Offers not taken in time pass on: the registration is cancelled (its fee refunded), the seat offered
    /// to the next in line. Answers how many lapsed.
    @discardableResult
    static func lapse(now: Date, on db: any Database) async throws -> Int {
        let due = try await Registration.query(on: db).filter(\.$status == .offered).filter(\.$offerEndsAt <= now).all()
        var lapsed = 0
        for row in due {
            let id = try row.requireID()
            let done = try await db.writeTransaction { tx -> Bool in
                let changed = try await tx.conditionalUpdate(Registration.schema) {
                    $0.set("status", to: RegistrationStatus.cancelled.rawValue).where("id", .equal, id)
                        .where("status", .equal, RegistrationStatus.offered.rawValue).where("offer_ends_at", .lessThanOrEqual, now)
                }
                guard changed == 1 else { return false }
                _ = try await tx.conditionalUpdate(LifeEvent.schema) {
                    $0.set("confirmed_seats", to: SQLRaw("confirmed_seats - \(row.seats)")).where("id", .equal, row.eventID)
                }
                try await Registrations.refund(row, on: tx, now: now)
                try await Notifier.send("life.note.lapsed", .life, to: .person(row.personID), community: row.communityID, now: now, on: tx)
                try await promote(row.eventID, now: now, on: tx)
                return true
            }
            if done { lapsed += 1 }
        }
        return lapsed
    }

    /// Draws every drawn event whose window has ended: the pending sign-ups in a seeded random order
    /// (those held back for no-shows after the others), the first that fit confirmed, the rest waiting in
    /// the drawn order. The seed is kept on the event, so anyone can check the draw. Answers how many ran.
    @discardableResult
    static func draw(now: Date, on db: any Database) async throws -> Int {
        let due = try await LifeEvent.query(on: db).filter(\.$drawUntil <= now).filter(\.$drawnAt == nil)
            .filter(\.$cancelledAt == nil).all()
        var ran = 0
        for event in due {
            let eventID = try event.requireID()
            let seed = UInt64.random(in: 1...UInt64.max)
            let done = try await db.writeTransaction { tx -> Bool in
                let claimed = try await tx.conditionalUpdate(LifeEvent.schema) {
                    $0.set("drawn_at", to: now).set("draw_seed", to: String(seed)).where("id", .equal, eventID)
                        .where("drawn_at", .is, SQLLiteral.null)
                }
                guard claimed == 1, let fresh = try await LifeEvent.find(eventID, on: tx) else { return false }
                let pending = try await Registration.query(on: tx).filter(\.$eventID == eventID)
                    .filter(\.$status == .pending).all()
                let behind = try await NoShows.behind(Set(pending.map(\.personID)), now: now, on: tx)
                let entrants = pending.compactMap { r in
                    r.id.map { Seating.Waiting(id: $0, seats: r.seats, signedUpAt: r.signedUpAt, behind: behind.contains(r.personID)) }
                }
                let result = Seating.draw(entrants, capacity: fresh.capacity - fresh.confirmedSeats, seed: seed)
                let start = fresh.drawUntil ?? now
                for (n, entry) in (result.confirmed.map { ($0, true) } + result.waitlist.map { ($0, false) }).enumerated() {
                    let status: RegistrationStatus = entry.1 ? .confirmed : .waitlisted
                    let moved = try await tx.conditionalUpdate(Registration.schema) {
                        $0.set("status", to: status.rawValue).set("line_at", to: start.addingTimeInterval(Double(n) / 1000))
                            .where("id", .equal, entry.0.id).where("status", .equal, RegistrationStatus.pending.rawValue)
                    }
                    guard moved == 1 else { continue }
                    let counted = try await tx.conditionalUpdate(LifeEvent.schema) {
                        entry.1
                            ? $0.set("confirmed_seats", to: SQLRaw("confirmed_seats + \(entry.0.seats)")).where("id", .equal, eventID)
                                .where(SQLRaw("confirmed_seats + \(entry.0.seats) <= capacity"))
                            : $0.set("waiting", to: SQLRaw("waiting + 1")).where("id", .equal, eventID)
                    }
                    guard counted == 1 else { throw LinliError(.unavailable) }
                    if let person = pending.first(where: { $0.id == entry.0.id })?.personID {
                        try await Notifier.send(
                            entry.1 ? "life.note.drawnIn" : "life.note.drawnWaiting", .life, to: .person(person),
                            community: fresh.communityID, now: now, on: tx)
                    }
                }
                return true
            }
            if done { ran += 1 }
        }
        return ran
    }
}

/// Missed events: a confirmed person not checked in by the end. Too many lately put a person behind
/// others on waitlists for a while (``Seating/NoShowRule``).
enum NoShows {
    static let rule = Seating.NoShowRule()

    /// Until when each of these people waits behind others (absent: not held back).
    static func behindUntil(_ people: Set<UUID>, now: Date, on db: any Database) async throws -> [UUID: Date] {
        guard !people.isEmpty else { return [:] }
        let missed = try await Registration.query(on: db).filter(\.$personID ~~ Array(people)).filter(\.$noShow == true).all()
        guard !missed.isEmpty else { return [:] }
        let ends = try await LifeEvent.query(on: db).filter(\.$id ~~ Array(Set(missed.map(\.eventID)))).all()
        let endOf = Dictionary(ends.compactMap { e in e.id.map { ($0, e.endsAt) } }, uniquingKeysWith: { a, _ in a })
        var dates: [UUID: [Date]] = [:]
        for row in missed { if let end = endOf[row.eventID] { dates[row.personID, default: []].append(end) } }
        return dates.compactMapValues { rule.behindUntil($0, now: now) }
    }

    static func behind(_ people: Set<UUID>, now: Date, on db: any Database) async throws -> Set<UUID> {
        Set(try await behindUntil(people, now: now, on: db).keys)
    }
}
