import Fluent
import Foundation
import LinliCore
import Vapor

struct EventInput: Content {
    let title: String
    let description: String?
    let place: String
    let startsAt: Date
    let endsAt: Date
    let capacity: Int
    let seatsPerSignup: Int?
}

struct RegistrationInput: Content {
    let seats: Int?
}

struct DoorScanInput: Content {
    let code: String
    let nonce: String?
    let direction: CheckIns.Direction?
}

struct LifeEventRead: Content {
    let id: UUID
    let communityID: UUID
    let title: String
    let description: String
    let place: String
    let startsAt: Date
    let endsAt: Date
    let capacity: Int
    let seatsPerSignup: Int
    let confirmed: Int
    let waitlisted: Int
    let checkedIn: Int?
    let cancelled: Bool
    /// The reader's own registration (`/me/events`).
    let myStatus: String?

    init(_ e: LifeEvent, checkedIn: Int? = nil, myStatus: String? = nil) throws {
        id = try e.requireID()
        communityID = e.communityID
        title = e.title
        description = e.details
        place = e.place
        startsAt = e.startsAt
        endsAt = e.endsAt
        capacity = e.capacity
        seatsPerSignup = e.seatsPerSignup
        confirmed = e.confirmedSeats
        waitlisted = e.waiting
        self.checkedIn = checkedIn
        cancelled = e.cancelledAt != nil
        self.myStatus = myStatus
    }
}

struct TicketRead: Content {
    let code: String
    /// The code as a QR image (SVG).
    let qr: String
}

struct RegistrationRead: Content {
    let eventID: UUID
    let status: String
    let seats: Int
    let position: Int?
    let ticket: TicketRead?
    let checkedInAt: Date?

    /// `ticketTitle`: the QR code's title for screen readers, in the reader's language.
    init(_ r: Registration, position: Int?, ticketTitle: String) throws {
        eventID = r.eventID
        status = r.status.rawValue
        seats = r.seats
        self.position = position
        ticket = r.status == .confirmed
            ? TicketRead(code: r.ticketCode, qr: try QRCode(r.ticketCode).svg(title: ticketTitle)) : nil
        checkedInAt = r.checkedInAt
    }
}

struct DoorScanRead: Content {
    let registrationSeats: Int
    let direction: String
    let at: Date
}

enum LifeSchemas {
    static let eventInput = Schema.object(
        [
            ("title", Schema.string(min: 1, max: 60)), ("description", Schema.string(max: 2000)),
            ("place", Schema.string(min: 1, max: 60)), ("startsAt", Schema.dateTime), ("endsAt", Schema.dateTime),
            ("capacity", Schema.integer(min: 1, max: 10_000)), ("seatsPerSignup", Schema.integer(min: 1, max: 10)),
        ], required: ["title", "place", "startsAt", "endsAt", "capacity"])
    static let registrationInput = Schema.object([("seats", Schema.integer(min: 1, max: 10))])
    static let checkInInput = Schema.object(
        [
            ("code", Schema.string(min: 1, max: 64)), ("nonce", Schema.string(min: 1, max: 64)),
            ("direction", Schema.enumeration(["in", "out"])),
        ], required: ["code"])

    static let all: [(String, JSONValue)] = [
        (
            "LifeEvent",
            Schema.object(
                [
                    ("id", Schema.uuid), ("communityID", Schema.uuid), ("title", Schema.string()),
                    ("description", Schema.string()), ("place", Schema.string()), ("startsAt", Schema.dateTime),
                    ("endsAt", Schema.dateTime), ("capacity", Schema.integer()), ("seatsPerSignup", Schema.integer()),
                    ("confirmed", Schema.integer()), ("waitlisted", Schema.integer()),
                    ("checkedIn", Schema.nullable(Schema.integer())), ("cancelled", Schema.bool),
                    ("myStatus", Schema.nullable(Schema.string())),
                ], required: ["id", "communityID", "title", "place", "startsAt", "endsAt", "capacity", "confirmed", "waitlisted"])
        ),
        (
            "EventRegistration",
            Schema.object(
                [
                    ("eventID", Schema.uuid), ("status", Schema.enumeration(RegistrationStatus.allCases.map(\.rawValue))),
                    ("seats", Schema.integer()), ("position", Schema.nullable(Schema.integer())),
                    ("ticket", Schema.nullable(Schema.object([("code", Schema.string()), ("qr", Schema.string())]))),
                    ("checkedInAt", Schema.nullable(Schema.dateTime)),
                ], required: ["eventID", "status", "seats"])
        ),
        (
            "EventCheckIn",
            Schema.object(
                [("registrationSeats", Schema.integer()), ("direction", Schema.string()), ("at", Schema.dateTime)],
                required: ["registrationSeats", "direction", "at"])
        ),
    ]
}
