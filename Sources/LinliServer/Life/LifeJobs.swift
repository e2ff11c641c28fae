import Fluent
import Foundation
import LinliCore
import SQLKit
import Vapor

/// The events' clock, one recurring job across all servers: offers that lapsed pass on, drawn events are
/// drawn, reminders go out a day and two hours before, and an event that ended is closed — its no-shows
/// marked and the fees of those never seated refunded.
enum LifeJobs {
    static let job = "life.tick"

    static func run(now: Date, app: Application) async throws {
        let db = app.db
        let moved = try await Waitlist.lapse(now: now, on: db) + (try await Waitlist.draw(now: now, on: db))
        var told = try await remind(now: now, on: db).union(try await close(now: now, on: db))
        if moved > 0 { told.formUnion(try await Community.query(on: db).all(\.$id)) }
        for community in told { app.events.publish(NotificationsChanged(community: community)) }
    }

    /// Sends the day-before and two-hours-before reminders to everyone holding a seat; each at most once
    /// (a conditional write of the event's `reminded` mark with the notes). An event created less than two
    /// hours ahead gets only the second.
    static func remind(now: Date, on db: any Database) async throws -> Set<UUID> {
        let soon = try await LifeEvent.query(on: db).filter(\.$startsAt > now).filter(\.$startsAt <= now.addingTimeInterval(86_400))
            .filter(\.$cancelledAt == nil).filter(\.$reminded < 3).all()
        var told: Set<UUID> = []
        for event in soon {
            let hours = event.startsAt.timeIntervalSince(now) <= 7200
            let (mark, key) = hours ? (3, "life.note.soon") : (1, "life.note.tomorrow")
            guard event.reminded < mark else { continue }
            let sent = try await db.writeTransaction { tx -> Bool in
                let claimed = try await tx.conditionalUpdate(LifeEvent.schema) {
                    $0.set("reminded", to: mark).where("id", .equal, event.id).where("reminded", .equal, event.reminded)
                }
                guard claimed == 1 else { return false }
                let seated = try await Registration.query(on: tx).filter(\.$eventID == (try event.requireID()))
                    .filter(\.$status == .confirmed).all(\.$personID)
                for person in seated {
                    try await Notifier.send(key, .life, to: .person(person), community: event.communityID, now: now, on: tx)
                }
                return true
            }
            if sent { told.insert(event.communityID) }
        }
        return told
    }

    /// Closes events that ended: confirmed and not checked in is a no-show; a fee paid for a seat never
    /// had (waiting, pending, offered) comes back.
    static func close(now: Date, on db: any Database) async throws -> Set<UUID> {
        let ended = try await LifeEvent.query(on: db).filter(\.$endsAt <= now).filter(\.$closedAt == nil).all()
        var closed: Set<UUID> = []
        for event in ended {
            let eventID = try event.requireID()
            let done = try await db.writeTransaction { tx -> Bool in
                let claimed = try await tx.conditionalUpdate(LifeEvent.schema) {
                    $0.set("closed_at", to: now).where("id", .equal, eventID).where("closed_at", .is, SQLLiteral.null)
                }
                guard claimed == 1 else { return false }
                if event.cancelledAt == nil {
                    _ = try await tx.conditionalUpdate(Registration.schema) {
                        $0.set("no_show", to: true).where("event_id", .equal, eventID)
                            .where("status", .equal, RegistrationStatus.confirmed.rawValue).where("checked_in_at", .is, SQLLiteral.null)
                    }
                }
                let unseated = try await Registration.query(on: tx).filter(\.$eventID == eventID)
                    .filter(\.$status ~~ [.waitlisted, .pending, .offered]).filter(\.$refunded == false).all()
                for row in unseated { try await Registrations.refund(row, on: tx, now: now) }
                return true
            }
            if done { closed.insert(event.communityID) }
        }
        return closed
    }

    /// Cancels an event: everyone holding a place is told and every fee comes back. False when it was
    /// cancelled already.
    static func cancelEvent(_ event: LifeEvent, now: Date, on db: any Database) async throws -> Bool {
        let eventID = try event.requireID()
        return try await db.writeTransaction { tx -> Bool in
            let changed = try await tx.conditionalUpdate(LifeEvent.schema) {
                $0.set("cancelled_at", to: now).where("id", .equal, eventID).where("cancelled_at", .is, SQLLiteral.null)
            }
            guard changed == 1 else { return false }
            let rows = try await Registration.query(on: tx).filter(\.$eventID == eventID).filter(\.$status != .cancelled).all()
            for row in rows {
                try await Registrations.refund(row, on: tx, now: now)
                try await Notifier.send("life.note.eventCancelled", .life, to: .person(row.personID), community: event.communityID, now: now, on: tx)
            }
            event.cancelledAt = now
            return true
        }
    }
}
