import Fluent
import Foundation
import LinliCore
import Vapor

/// The strings of this feature (`LifeStrings` tables beside it).
enum LifeStrings: LocalizedStrings {}

/// Community life (社区活动): clubs, and the community's events with seats, sign-up for oneself and
/// family (or by staff for someone), a waitlist that promotes itself or offers the seat, a fair draw for
/// popular events, fees through the ledger, reminders, tickets with a short code, check-in at the door,
/// a private calendar feed, and the figures.
enum CommunityLife: Feature {
    static var strings: (any LocalizedStrings.Type)? { LifeStrings.self }
    static var css: String? { "life/life.css" }

    static func register(_ app: Application) {
        app.migrations.add(CreateLife())
        app.migrations.add(ExtendLife())
        app.notificationTopics.add(.life)
        LifeTV.register(app)
        EventFigures.register(app)
        // An event the person was checked in at is a sign of life a worker may read beside a pensioner.
        app.activity.addEvidence("event") { person, db in
            try await Registration.query(on: db).filter(\.$personID == person).filter(\.$checkedInAt != nil)
                .sort(\.$checkedInAt, .descending).first()?.checkedInAt
        }
        registerAPI(app, app.api.authenticated)
        registerClubAPI(app, app.api.authenticated)
        app.api.open.register(
            .init(
                method: .GET, path: "/api/v1/calendars/{token}", operationID: "eventCalendar",
                summary: "A person's private iCalendar feed (RFC 5545) of the events meant for them", tag: "life",
                authority: .anyone, response: Schema.string(), responseContentType: "text/calendar",
                pathSchemas: ["token": Schema.string(min: 1, max: 64)]), in: app, calendarFeed)
        app.openAPIComponents.add(LifeSchemas.all)
        LifePages.register(app)
        app.jobs.every(LifeJobs.job, seconds: 60) { app, job in try await LifeJobs.run(now: job.now, app: app) }
    }

    static let c = RegistryAPI.c + "/events"

    static func registerAPI(_ app: Application, _ api: any RoutesBuilder) {
        let organise = Authority.community { .organiseEvents($0) }
        let event = Authority.community(object: "eventID") { .organiseEvents($0) }
        func add<R: AsyncResponseEncodable>(_ e: Endpoint, _ handler: @escaping @Sendable (Request) async throws -> R) {
            api.register(e, in: app, handler)
        }
        add(
            .init(
                method: .POST, path: c, operationID: "createEvent",
                summary: "Create an event (a weekly series with repeatWeeks): venue, times, seats, fee, waitlist, draw, audience",
                tag: "life", authority: organise, body: LifeSchemas.eventInput, status: .created, response: Schema.ref("LifeEvent")),
            createEvent)
        add(
            .init(
                method: .GET, path: c, operationID: "listEvents", summary: "The community's events, soonest first, with their seats",
                tag: "life", authority: organise, response: Schema.page(of: "LifeEvent"), query: Endpoint.listQuery(.lifeEvents)),
            listEvents)
        add(
            .init(
                method: .GET, path: c + "/{eventID}", operationID: "getEvent",
                summary: "One event with its seats: capacity, confirmed, waitlisted, checked in", tag: "life", authority: event,
                response: Schema.ref("LifeEvent")), getEvent)
        add(
            .init(
                method: .POST, path: c + "/{eventID}/cancellation", operationID: "cancelEvent",
                summary: "Cancel the event: everyone is told and every fee refunded", tag: "life", authority: event, status: .noContent),
            cancelEvent)
        add(
            .init(
                method: .GET, path: c + "/{eventID}/registrations", operationID: "listEventRegistrations",
                summary: "The roster: who signed up, their seats and status, checked in, no-shows", tag: "life", authority: event,
                response: Schema.page(of: "EventRosterLine"), query: Endpoint.listQuery(.registrations)), listRegistrations)
        add(
            .init(
                method: .POST, path: c + "/{eventID}/registrations", operationID: "registerOnBehalf",
                summary: "Sign a resident up on their behalf (a call, a visit): confirmed or waitlisted like any sign-up",
                tag: "life", authority: event, body: LifeSchemas.onBehalfInput, status: .created,
                response: Schema.ref("EventRegistration")), registerOnBehalf)
        add(
            .init(
                method: .GET, path: c + "/{eventID}/figures", operationID: "eventFigures",
                summary: "Sign-ups, waitlist, promotions, attendance, no-shows and age groups of the event", tag: "life",
                authority: event, response: Schema.ref("LifeFigures")), eventFigures)
        add(
            .init(
                method: .POST, path: c + "/{eventID}/check-ins", operationID: "checkInToEvent",
                summary: "Check a ticket in (or out) at the door: 201 the first time, 409 with the reason after (organisers, the club's leaders)",
                tag: "life", authority: .object("eventID"), body: LifeSchemas.checkInInput, status: .created,
                response: Schema.ref("EventCheckIn")), checkInToEvent)
        add(
            .init(
                method: .GET, path: c + "/{eventID}/tickets", operationID: "eventTickets",
                summary: "The hashes of the tickets that may come in, for checking in offline", tag: "life",
                authority: .object("eventID"), response: Schema.ref("EventTickets")), eventTickets)
        add(
            .init(
                method: .POST, path: RegistryAPI.c + "/venues", operationID: "createVenue",
                summary: "Add a venue where events take place", tag: "life", authority: organise, body: LifeSchemas.venueInput,
                status: .created, response: Schema.ref("Venue")), createVenue)
        add(
            .init(
                method: .GET, path: RegistryAPI.c + "/venues", operationID: "listVenues", summary: "The community's venues",
                tag: "life", authority: organise, response: Schema.page(of: "Venue"), query: Endpoint.listQuery(.venues)), listVenues)
        let registration = "/api/v1/events/{eventID}/registration"
        add(
            .init(
                method: .POST, path: registration, operationID: "registerForEvent",
                summary: "Sign up (with family members): confirmed with a ticket, waitlisted, or pending a draw; takes an offered seat",
                tag: "life", authority: .object("eventID"), body: LifeSchemas.registrationInput, status: .created,
                response: Schema.ref("EventRegistration")), registerForEvent)
        add(
            .init(
                method: .GET, path: registration, operationID: "getEventRegistration",
                summary: "My registration for the event and its ticket", tag: "life", authority: .object("eventID"),
                response: Schema.ref("EventRegistration")), getEventRegistration)
        add(
            .init(
                method: .DELETE, path: registration, operationID: "cancelEventRegistration",
                summary: "I can't come: the seat goes to the first in line at once", tag: "life",
                authority: .object("eventID"), status: .noContent), cancelEventRegistration)
        add(
            .init(
                method: .GET, path: "/api/v1/me/events", operationID: "listMyEvents",
                summary: "What's on for me in my communities, with my registration", tag: "life", authority: .signedIn,
                response: Schema.page(of: "LifeEvent"), query: Endpoint.listQuery(.lifeEvents)), listMyEvents)
        add(
            .init(
                method: .POST, path: "/api/v1/me/calendar", operationID: "createCalendarFeed",
                summary: "Make my private calendar URL (shown once; the previous one stops working)", tag: "life",
                authority: .signedIn, status: .created, response: Schema.ref("CalendarFeed")), createCalendarFeed)
    }
}

extension NotificationTopic {
    static let life = NotificationTopic("life")
}

extension Sorting {
    static let lifeEvents = Sorting(keys: ["starts_at"], defaultSort: "starts_at")
    static let registrations = Sorting(keys: ["signed_up_at"], defaultSort: "signed_up_at")
    static let venues = Sorting(keys: ["name"], defaultSort: "name")
    static let clubs = Sorting(keys: ["joined_at"], defaultSort: "joined_at")
}
