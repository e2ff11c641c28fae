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
    let feeFen: Int?
    let waitlist: WaitlistMode?
    let offerHours: Int?
    let signupOpensAt: Date?
    let signupClosesAt: Date?
    let cancelBy: Date?
    let drawMinutes: Int?
    let audience: AudienceInput?
    let repeatWeeks: Int?
}

struct AudienceInput: Content {
    let buildings: [UUID]?
    let groups: [String]?
}

struct RegistrationInput: Content {
    let seats: Int?
    let memberIDs: [UUID]?
}

/// Staff signing someone up (a call, a visit: 代报名).
struct OnBehalfInput: Content {
    let personID: UUID
    let seats: Int?
    let memberIDs: [UUID]?
}

struct VenueInput: Content {
    let name: String
    let capacity: Int?
}

struct VenueRead: Content {
    let id: UUID
    let name: String
    let capacity: Int?
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
    let feeFen: Int
    let waitlist: String
    let signupOpensAt: Date?
    let signupClosesAt: Date?
    let clubID: UUID?
    let seriesID: UUID?
    let audience: AudienceRead
    /// A drawn event: when sign-ups close for the draw, and once drawn, when and with which seed.
    let draw: DrawRead?
    /// The reader's own registration (`/me/events`).
    let myStatus: String?

    struct AudienceRead: Content {
        let buildings: [String]
        let groups: [String]
    }

    struct DrawRead: Content {
        let until: Date
        let drawnAt: Date?
        let seed: String?
    }

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
        feeFen = e.feeFen
        waitlist = e.waitlist.rawValue
        signupOpensAt = e.signupOpensAt
        signupClosesAt = e.signupClosesAt
        clubID = e.clubID
        seriesID = e.seriesID
        audience = AudienceRead(buildings: Audience.split(e.audienceBuildings), groups: Audience.split(e.audienceGroups))
        draw = e.drawUntil.map { DrawRead(until: $0, drawnAt: e.drawnAt, seed: e.drawSeed) }
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
    let offerEndsAt: Date?
    let feeFen: Int
    let refunded: Bool

    /// `ticketTitle`: the QR code's title for screen readers, in the reader's language.
    init(_ r: Registration, position: Int?, ticketTitle: String) throws {
        eventID = r.eventID
        status = r.status.rawValue
        seats = r.seats
        self.position = position
        ticket = r.status == .confirmed
            ? TicketRead(code: r.ticketCode, qr: try QRCode(r.ticketCode).svg(title: ticketTitle)) : nil
        checkedInAt = r.checkedInAt
        offerEndsAt = r.offerEndsAt
        feeFen = r.feeFen
        refunded = r.refunded
    }
}

struct DoorScanRead: Content {
    let registrationSeats: Int
    let direction: String
    let at: Date
}

/// One registration as the organisers see it (without the ticket's code).
struct RosterRead: Content {
    let id: UUID
    let personID: UUID
    let name: String
    let seats: Int
    let status: String
    let signedUpAt: Date
    let checkedInAt: Date?
    let onBehalf: Bool
    let noShow: Bool
}

/// What the check-in page keeps for working offline: the hashes of the tickets that may come in.
struct TicketListRead: Content {
    let eventID: UUID
    let hashes: [String]
}
