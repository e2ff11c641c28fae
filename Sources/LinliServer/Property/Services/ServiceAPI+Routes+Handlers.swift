import Fluent
import Foundation
import LinliCore
import Vapor

extension Services {
    @Sendable static func listServices(_ req: Request) async throws -> some AsyncResponseEncodable {
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

    @Sendable static func createService(_ req: Request) async throws -> some AsyncResponseEncodable {
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

    @Sendable static func listServiceSlots(_ req: Request) async throws -> some AsyncResponseEncodable {
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

    @Sendable static func bookService(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        let service = try await Service.find(try req.id("serviceID"), in: id, on: req.db)
        let booking = try await book(service, try req.decode(BookingInput.self), on: req)
        return Created(value: try out(booking, [try service.requireID(): service]))
    }

    @Sendable static func listMyBookings(_ req: Request) async throws -> some AsyncResponseEncodable {
        let page = try await Booking.query(on: req.db).madeInHomes(of: try req.user().principal)
            .page(try req.listOptions(.bookings)) { $0 }
        let services = Service.byID(
            try await Service.query(on: req.db).filter(\.$id ~~ page.items.map(\.serviceID)).all())
        return ListPage(items: try page.items.map { try out($0, services) }, metadata: page.metadata)
    }

    @Sendable static func cancelBooking(_ req: Request) async throws -> some AsyncResponseEncodable {
        guard let booking = try await Booking.find(try req.id("bookingID"), on: req.db) else {
            throw LinliError(.notFound)
        }
        try await cancel(booking, on: req)
        return try out(booking, [:])
    }

    @Sendable static func fulfilBooking(_ req: Request) async throws -> some AsyncResponseEncodable {
        guard let booking = try await Booking.find(try req.id("bookingID"), on: req.db) else {
            throw LinliError(.notFound)
        }
        try await fulfil(booking, on: req)
        return try out(booking, [:])
    }

    @Sendable static func serviceRevenue(_ req: Request) async throws -> some AsyncResponseEncodable {
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
