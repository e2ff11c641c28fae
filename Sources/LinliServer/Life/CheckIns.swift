import Fluent
import Foundation
import LinliCore
import SQLKit

/// Check-in at the door: a ticket's code (scanned or typed) for this event, in or out. Checking in is a
/// conditional write on the registration with its record, so parallel scans of one ticket count once; a
/// scan's nonce makes the same scan sent again (an offline phone syncing) answer what it answered.
enum CheckIns {
    enum Direction: String, Codable, Sendable {
        case `in`, out
    }

    struct Outcome: Sendable {
        let registration: Registration
        let checkIn: CheckIn
        /// The same scan sent again.
        let replay: Bool
    }

    static func scan(
        _ event: LifeEvent, code: String, nonce: String?, direction: Direction, by: UUID, now: Date, on db: any Database
    ) async throws -> Outcome {
        let eventID = try event.requireID()
        let hash = Registrations.hash(code)
        let nonce = nonce ?? UUID().uuidString
        if let seen = try await CheckIn.query(on: db).filter(\.$eventID == eventID).filter(\.$nonce == nonce).first(),
            let row = try await Registration.find(seen.registrationID, on: db)
        {
            return Outcome(registration: row, checkIn: seen, replay: true)
        }
        guard let row = try await Registration.query(on: db).filter(\.$eventID == eventID)
            .filter(\.$ticketHash == hash).first()
        else {
            let elsewhere = try await Registration.query(on: db).filter(\.$communityID == event.communityID)
                .filter(\.$ticketHash == hash).first()
            if elsewhere != nil { throw refusal("other_event") }
            throw LinliError(.notFound, issues: [FieldIssue(field: "code", reason: "ticket_unknown")])
        }
        switch row.status {
        case .cancelled: throw refusal("cancelled")
        case .waitlisted, .pending, .offered: throw refusal("waitlisted")
        case .confirmed: break
        }
        let id = try row.requireID()
        do {
            return try await db.writeTransaction { tx in
                if direction == .in {
                    let changed1 = try await tx.conditionalUpdate(Registration.schema) {
                        $0.set("checked_in_at", to: now).where("id", .equal, id).where("checked_in_at", .is, SQLLiteral.null)
                            .where("status", .equal, RegistrationStatus.confirmed.rawValue)
                    }
                    guard changed1 == 1 else {
                        let since = try await Registration.find(id, on: tx)?.checkedInAt
                        throw refusal("already_in", since: since)
                    }
                    row.checkedInAt = now
                } else if row.checkedInAt == nil {
                    throw refusal("not_in")
                }
                let record = CheckIn()
                record.communityID = event.communityID
                record.eventID = eventID
                record.registrationID = id
                record.direction = direction.rawValue
                record.nonce = nonce
                record.scannedBy = by
                record.at = now
                try await record.create(on: tx)
                return Outcome(registration: row, checkIn: record, replay: false)
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // The same nonce raced in from another phone: answer what it got.
            guard let seen = try await CheckIn.query(on: db).filter(\.$eventID == eventID).filter(\.$nonce == nonce).first()
            else { throw LinliError(.unavailable) }
            return Outcome(registration: row, checkIn: seen, replay: true)
        }
    }

    /// 409 with the reason a person at the door is told (and, for `already_in`, since when).
    static func refusal(_ reason: String, since: Date? = nil) -> LinliError {
        var details: [String: String] = ["reason": reason]
        if let since { details["since"] = ISO8601DateFormatter().string(from: since) }
        return LinliError(.conflict, details, issues: [FieldIssue(field: "code", reason: reason)])
    }
}
