import Fluent
import Foundation
import LinliCore
import Vapor

/// The strings of this feature (`LifeStrings` tables beside it).
enum LifeStrings: LocalizedStrings {}

/// Community life (社区活动): the community's events with seats, sign-up for oneself and family,
/// a waitlist that promotes itself when a seat frees, tickets with a short code, and check-in at the door.
enum CommunityLife: Feature {
    static var strings: (any LocalizedStrings.Type)? { LifeStrings.self }

    static func register(_ app: Application) {
        app.migrations.add(CreateLife())
        app.notificationTopics.add(.life)
        registerAPI(app, app.api.authenticated)
        app.openAPIComponents.add(LifeSchemas.all)
    }

    static let c = RegistryAPI.c + "/events"

    static func registerAPI(_ app: Application, _ api: any RoutesBuilder) {
        let organise = Authority.community { .organiseEvents($0) }
        api.register(
            .init(
                method: .POST, path: c, operationID: "createEvent",
                summary: "Create an event: title, place, start and end, seats, seats per sign-up",
                tag: "life", authority: organise, body: LifeSchemas.eventInput, status: .created,
                response: Schema.ref("LifeEvent")), in: app, createEvent)
        api.register(
            .init(
                method: .GET, path: c, operationID: "listEvents",
                summary: "The community's events, soonest first, with their seats", tag: "life", authority: organise,
                response: Schema.page(of: "LifeEvent"), query: Endpoint.listQuery(.lifeEvents)), in: app, listEvents)
        api.register(
            .init(
                method: .GET, path: c + "/{eventID}", operationID: "getEvent",
                summary: "One event with its seats: capacity, confirmed, waitlisted, checked in", tag: "life",
                authority: .community(object: "eventID") { .organiseEvents($0) }, response: Schema.ref("LifeEvent")), in: app, getEvent)
        api.register(
            .init(
                method: .POST, path: c + "/{eventID}/check-ins", operationID: "checkInToEvent",
                summary: "Check a ticket in (or out) at the door: 201 the first time, 409 with the reason after",
                tag: "life", authority: .community(object: "eventID") { .organiseEvents($0) },
                body: LifeSchemas.checkInInput, status: .created, response: Schema.ref("EventCheckIn")), in: app, checkInToEvent)
        let registration = "/api/v1/events/{eventID}/registration"
        api.register(
            .init(
                method: .POST, path: registration, operationID: "registerForEvent",
                summary: "Sign up (with seats for family): confirmed with a ticket, or waitlisted with a place in line",
                tag: "life", authority: .object("eventID"), body: LifeSchemas.registrationInput, status: .created,
                response: Schema.ref("EventRegistration")), in: app, registerForEvent)
        api.register(
            .init(
                method: .GET, path: registration, operationID: "getEventRegistration",
                summary: "My registration for the event and its ticket", tag: "life", authority: .object("eventID"),
                response: Schema.ref("EventRegistration")), in: app, getEventRegistration)
        api.register(
            .init(
                method: .DELETE, path: registration, operationID: "cancelEventRegistration",
                summary: "I can't come: the seat goes to the first in line at once", tag: "life",
                authority: .object("eventID"), status: .noContent), in: app, cancelEventRegistration)
        api.register(
            .init(
                method: .GET, path: "/api/v1/me/events", operationID: "listMyEvents",
                summary: "What's on in my communities, with my registration", tag: "life", authority: .signedIn,
                response: Schema.page(of: "LifeEvent"), query: Endpoint.listQuery(.lifeEvents)), in: app, listMyEvents)
    }
}

extension NotificationTopic {
    static let life = NotificationTopic("life")
}

extension Sorting {
    static let lifeEvents = Sorting(keys: ["starts_at"], defaultSort: "starts_at")
}
