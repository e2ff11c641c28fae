import Fluent
import Foundation
import LinliCore
import Vapor

extension Services {
    static func register(_ app: Application) {
        app.migrations.add(CreateServices())
        MoneyMovements.register(Bookings.purpose, Bookings.moneyPurpose)
        let api = app.api.authenticated
        let object: JSONValue = .object([("type", "object")])
        let serviceInput = Schema.object(
            [
                ("name", Schema.string(min: 1, max: 50)), ("description", Schema.string(max: 500)),
                ("priceCents", Schema.integer(min: 0, max: 1_000_000)),
                ("durationMinutes", Schema.integer(min: 10, max: 480)), ("capacity", Schema.integer(min: 1, max: 100)),
                ("hours", Schema.string(pattern: "^([01]?[0-9]|2[0-4]):[0-5][0-9]-([01]?[0-9]|2[0-4]):[0-5][0-9]$")),
                ("active", Schema.bool),
            ], required: ["name", "priceCents", "durationMinutes", "capacity", "hours"])
        api.register(
            .init(
                method: .GET, path: c + "/services", operationID: "listServices",
                summary: "The community's services (a search with no result is recorded as a demand signal)",
                tag: "property", authority: .community { .viewCommunity($0) }, response: Schema.page(object), query: Endpoint.listQuery(.services)),
            in: app, listServices)
        api.register(
            .init(
                method: .POST, path: c + "/services", operationID: "createService",
                summary: "Add a service: price, duration, capacity per slot, hours", tag: "property", authority: .community { .manageCommunity($0) },
                body: serviceInput, status: .created, response: object), in: app, createService)
        api.register(
            .init(
                method: .GET, path: c + "/services/{serviceID}/slots", operationID: "listServiceSlots",
                summary: "A day's slots of a service with the places left", tag: "property", authority: .community { .viewCommunity($0) },
                response: Schema.array(object), query: [.init(name: "day", schema: Schema.date)]), in: app, listServiceSlots)
        api.register(
            .init(
                method: .POST, path: c + "/services/{serviceID}/bookings", operationID: "bookService",
                summary: "Book a slot for my household, paying at the door or online (409 when the slot is full)",
                tag: "property", authority: .community { .viewCommunity($0) },
                body: Schema.object(
                    [
                        ("householdID", Schema.uuid), ("day", Schema.date),
                        ("start", Schema.string(pattern: "^[0-9]{1,2}:[0-9]{2}$")),
                        ("payment", Schema.enumeration(["door", "online"])),
                    ], required: ["householdID", "day", "start", "payment"]), status: .created, response: object),
            in: app, bookService)
        api.register(
            .init(
                method: .GET, path: "/api/v1/me/bookings", operationID: "listMyBookings",
                summary: "My households' bookings, newest slot first", tag: "property", authority: .signedIn, response: Schema.page(object),
                query: Endpoint.listQuery(.bookings)),
            in: app, listMyBookings)
        api.register(
            .init(
                method: .POST, path: "/api/v1/bookings/{bookingID}/cancel", operationID: "cancelBooking",
                summary: "Cancel a booking until two hours before it (an online payment is refunded)", tag: "property", authority: .object("bookingID"),
                response: object), in: app, cancelBooking)
        api.register(
            .init(
                method: .POST, path: "/api/v1/bookings/{bookingID}/fulfil", operationID: "fulfilBooking",
                summary: "Staff: the service was delivered (paid at the door is recorded then)", tag: "property", authority: .object("bookingID"),
                response: object), in: app, fulfilBooking)
        api.register(
            .init(
                method: .GET, path: c + "/services/revenue", operationID: "serviceRevenue",
                summary: "Revenue per service per week or month (paid, not refunded)", tag: "property", authority: .community { .manageCommunity($0) },
                response: Schema.array(object),
                query: [.init(name: "period", schema: Schema.enumeration(["week", "month"]))]),
            in: app, serviceRevenue)
    }
}

extension Sorting {
    static let services = Sorting(keys: ["name"], defaultSort: "name")
    static let bookings = Sorting(keys: ["slot_start", "created_at"], defaultSort: "-slot_start")
}
