import Foundation
import LinliCore

/// The OpenAPI shapes of community life's bodies and answers (bodies are checked against them).
enum LifeSchemas {
    static let eventInput = Schema.object(
        [
            ("title", Schema.string(min: 1, max: 60)), ("description", Schema.string(max: 2000)),
            ("place", Schema.string(min: 1, max: 60)), ("startsAt", Schema.dateTime), ("endsAt", Schema.dateTime),
            ("capacity", Schema.integer(min: 1, max: 10_000)), ("seatsPerSignup", Schema.integer(min: 1, max: 10)),
            ("feeFen", Schema.integer(min: 0, max: 1_000_000)), ("waitlist", Schema.enumeration(WaitlistMode.allCases.map(\.rawValue))),
            ("offerHours", Schema.integer(min: 1, max: 168)), ("signupOpensAt", Schema.dateTime),
            ("signupClosesAt", Schema.dateTime), ("cancelBy", Schema.dateTime), ("drawMinutes", Schema.integer(min: 1, max: 1440)),
            (
                "audience",
                Schema.object([
                    ("buildings", Schema.array(Schema.uuid)),
                    ("groups", Schema.array(Schema.enumeration(Audience.groups.sorted()))),
                ])
            ),
            ("repeatWeeks", Schema.integer(min: 1, max: 52)),
        ], required: ["title", "place", "startsAt", "endsAt", "capacity"])
    static let registrationInput = Schema.object([
        ("seats", Schema.integer(min: 1, max: 10)), ("memberIDs", Schema.array(Schema.uuid)),
    ])
    static let onBehalfInput = Schema.object(
        [("personID", Schema.uuid), ("seats", Schema.integer(min: 1, max: 10)), ("memberIDs", Schema.array(Schema.uuid))],
        required: ["personID"])
    static let venueInput = Schema.object(
        [("name", Schema.string(min: 1, max: 60)), ("capacity", Schema.integer(min: 1, max: 100_000))], required: ["name"])
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
                    ("feeFen", Schema.integer()), ("waitlist", Schema.string()),
                    ("signupOpensAt", Schema.nullable(Schema.dateTime)), ("signupClosesAt", Schema.nullable(Schema.dateTime)),
                    ("clubID", Schema.nullable(Schema.uuid)), ("seriesID", Schema.nullable(Schema.uuid)),
                    ("audience", Schema.object([("buildings", Schema.array(Schema.string())), ("groups", Schema.array(Schema.string()))])),
                    (
                        "draw",
                        Schema.nullable(Schema.object([
                            ("until", Schema.dateTime), ("drawnAt", Schema.nullable(Schema.dateTime)),
                            ("seed", Schema.nullable(Schema.string())),
                        ]))
                    ),
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
                    ("checkedInAt", Schema.nullable(Schema.dateTime)), ("offerEndsAt", Schema.nullable(Schema.dateTime)),
                    ("feeFen", Schema.integer()), ("refunded", Schema.bool),
                ], required: ["eventID", "status", "seats"])
        ),
        (
            "EventCheckIn",
            Schema.object(
                [("registrationSeats", Schema.integer()), ("direction", Schema.string()), ("at", Schema.dateTime)],
                required: ["registrationSeats", "direction", "at"])
        ),
        (
            "EventRosterLine",
            Schema.object(
                [
                    ("id", Schema.uuid), ("personID", Schema.uuid), ("name", Schema.string()), ("seats", Schema.integer()),
                    ("status", Schema.string()), ("signedUpAt", Schema.dateTime), ("checkedInAt", Schema.nullable(Schema.dateTime)),
                    ("onBehalf", Schema.bool), ("noShow", Schema.bool),
                ], required: ["id", "personID", "status"])
        ),
        ("EventTickets", Schema.object([("eventID", Schema.uuid), ("hashes", Schema.array(Schema.string()))])),
        ("Venue", Schema.object([("id", Schema.uuid), ("name", Schema.string()), ("capacity", Schema.nullable(Schema.integer()))])),
        (
            "LifeFigures",
            Schema.object([
                ("signUps", Schema.integer()), ("confirmed", Schema.integer()), ("waitlisted", Schema.integer()),
                ("cancelled", Schema.integer()), ("promotions", Schema.integer()), ("attended", Schema.integer()),
                ("noShows", Schema.integer()), ("attendanceRate", Schema.nullable(Schema.number)),
                ("byAgeGroup", JSONValue.object([("type", "object")])),
            ])
        ),
        ("CalendarFeed", Schema.object([("url", Schema.string())], required: ["url"])),
    ] + ClubSchemas.all
}
