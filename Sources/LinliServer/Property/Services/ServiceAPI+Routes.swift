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
            in: app
        ) { req in
            let id = try req.scope.communityID()
            var services = try await Service.scoped(to: id, on: req.db).filter(\.$active == true).sort(\.$name).all()
            if let q = try req.listOptions(.services).query {
                services = services.filter { $0.name.contains(q) || $0.description.contains(q) }
                if services.isEmpty {
                    let household = try req.user().principal.households.first { $0.value == id }?.key
                    try await DemandSignal.record(
                        .searchMiss, q, community: id, household: household, building: nil, at: req.clock.now(),
                        on: req.db)
                }
            }
            return try req.page(try services.map(out), .services)
        }
        api.register(
            .init(
                method: .POST, path: c + "/services", operationID: "createService",
                summary: "Add a service: price, duration, capacity per slot, hours", tag: "property", authority: .community { .manageCommunity($0) },
                body: serviceInput, status: .created, response: object), in: app
        ) { req in
            let id = try req.scope.communityID()
            let row = Service()
            row.communityID = id
            try apply(try req.decode(ServiceInput.self), to: row)
            try await req.db.writeTransaction { db in
                try await row.create(on: db)
                try await Audit.record(.create, "service", id: row.id, community: id, after: row.name, by: req, on: db)
            }
            return Created(value: try out(row))
        }
        api.register(
            .init(
                method: .GET, path: c + "/services/{serviceID}/slots", operationID: "listServiceSlots",
                summary: "A day's slots of a service with the places left", tag: "property", authority: .community { .viewCommunity($0) },
                response: Schema.array(object), query: [.init(name: "day", schema: Schema.date)]), in: app
        ) { req in
            let id = try req.scope.communityID()
            let service = try await Service.find(try req.id("serviceID"), in: id, on: req.db)
            let now = req.clock.now()
            let text = req.query[String.self, at: "day"] ?? Calendar.chinaDate(now)
            guard let day = CivilDate(text) else {
                throw LinliError(
                    .invalidListQuery, ["field": "day"], issues: [FieldIssue(field: "day", reason: "invalid_date")])
            }
            return try await slots(service, day: day, now: now, on: req.db)
        }
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
            in: app
        ) { req in
            let id = try req.scope.communityID()
            let service = try await Service.find(try req.id("serviceID"), in: id, on: req.db)
            let booking = try await book(service, try req.decode(BookingInput.self), on: req)
            return Created(value: try out(booking, [try service.requireID(): service]))
        }
        api.register(
            .init(
                method: .GET, path: "/api/v1/me/bookings", operationID: "listMyBookings",
                summary: "My households' bookings, newest slot first", tag: "property", authority: .signedIn, response: Schema.page(object),
                query: Endpoint.listQuery(.bookings)),
            in: app
        ) { req in
            let page = try await Booking.query(on: req.db).madeInHomes(of: try req.user().principal)
                .page(try req.listOptions(.bookings)) { $0 }
            let services = Service.byID(
                try await Service.query(on: req.db).filter(\.$id ~~ page.items.map(\.serviceID)).all())
            return ListPage(items: try page.items.map { try out($0, services) }, metadata: page.metadata)
        }
        api.register(
            .init(
                method: .POST, path: "/api/v1/bookings/{bookingID}/cancel", operationID: "cancelBooking",
                summary: "Cancel a booking until two hours before it (an online payment is refunded)", tag: "property", authority: .object("bookingID"),
                response: object), in: app
        ) { req in
            guard let booking = try await Booking.find(try req.id("bookingID"), on: req.db) else {
                throw LinliError(.notFound)
            }
            try await cancel(booking, on: req)
            return try out(booking, [:])
        }
        api.register(
            .init(
                method: .POST, path: "/api/v1/bookings/{bookingID}/fulfil", operationID: "fulfilBooking",
                summary: "Staff: the service was delivered (paid at the door is recorded then)", tag: "property", authority: .object("bookingID"),
                response: object), in: app
        ) { req in
            guard let booking = try await Booking.find(try req.id("bookingID"), on: req.db) else {
                throw LinliError(.notFound)
            }
            try await fulfil(booking, on: req)
            return try out(booking, [:])
        }
        api.register(
            .init(
                method: .GET, path: c + "/services/revenue", operationID: "serviceRevenue",
                summary: "Revenue per service per week or month (paid, not refunded)", tag: "property", authority: .community { .manageCommunity($0) },
                response: Schema.array(object),
                query: [.init(name: "period", schema: Schema.enumeration(["week", "month"]))]),
            in: app
        ) { req in
            let id = try req.scope.communityID()
            let period = ServiceRevenue.Period(rawValue: req.query[String.self, at: "period"] ?? "week") ?? .week
            let paid = try await Booking.scoped(to: id, on: req.db).filter(\.$paidAt != nil).filter(
                \.$refundedAt == nil
            ).all()
            let services = Service.byID(try await Service.scoped(to: id, on: req.db).all())
            return ServiceRevenue.lines(
                paid.map {
                    ServiceRevenue.Paid(service: $0.serviceID, at: $0.paidAt ?? $0.createdAt, cents: $0.amountCents)
                },
                by: period
            ).map { line in
                [
                    "service": services[line.service]?.name ?? "", "period": line.period,
                    "bookings": "\(line.bookings)",
                    "yuan": String(format: "%.2f", Double(line.cents) / 100),
                ]
            }
        }
    }
}

extension Sorting {
    static let services = Sorting(keys: ["name"], defaultSort: "name")
    static let bookings = Sorting(keys: ["slot_start", "created_at"], defaultSort: "-slot_start")
}
