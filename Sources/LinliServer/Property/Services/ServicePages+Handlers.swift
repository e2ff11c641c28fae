import Fluent
import Foundation
import LinliCore
import Vapor

extension ServicePages {
    @Sendable static func myServicesPage(_ req: Request) async throws -> Response {
        let user = try req.user()
        let now = req.clock.now()
        let day = req.query[String.self, at: "day"].flatMap(CivilDate.init) ?? CivilDate(Calendar.chinaDate(now))!
        var cards: [Card] = []
        // One set of cards per community (booked for the first of my homes there).
        var shown: Set<UUID> = []
        for (household, community) in user.principal.households.sorted(by: { $0.key.uuidString < $1.key.uuidString }
        )
        where shown.insert(community).inserted {
            for service in try await Service.scoped(to: community, on: req.db).filter(\.$active == true)
                .sort(\.$name).all()
            {
                let open = try await Services.slots(service, day: day, now: now, on: req.db).filter { $0.left > 0 }
                let formatter = DateFormatter()
                formatter.timeZone = Calendar.china.timeZone
                formatter.dateFormat = "HH:mm"
                cards.append(
                    Card(
                        name: service.name, description: service.description, price: yuan(service.priceCents),
                        action: PropertyRoute.serviceBook(try service.requireID()).path, householdID: household.uuidString,
                        slots: open.map { s in
                            ConsolePages.Option(
                                value: formatter.string(from: s.start),
                                label: formatter.string(from: s.start) + " · "
                                    + req.t("service.left", ["n": "\(s.left)"]))
                        }))
            }
        }
        let bookings = try await Booking.query(on: req.db).madeInHomes(of: user.principal)
            .sort(\.$slotStart, .descending).limit(20).all()
        let services = Service.byID(
            try await Service.query(on: req.db).filter(\.$id ~~ bookings.map(\.serviceID)).all())
        return try await req.render(
            "property/services", title: req.t("service.title"),
            Page(
                day: day.description, cards: cards,
                mine: try bookings.map { b in
                    Mine(
                        service: services[b.serviceID]?.name ?? "", time: ConsolePages.time(b.slotStart, req),
                        status: req.t("service.status.\(b.status)")
                            + (b.refundedAt != nil ? " · " + req.t("service.refunded") : ""),
                        price: yuan(b.amountCents) + " · " + req.t("service.pay.\(b.payment.rawValue)"),
                        cancel: b.status == .booked && ServiceSlots.mayCancel(slotStart: b.slotStart, now: now)
                            ? PropertyRoute.bookingCancel(try b.requireID()).path : nil)
                }))
    }

    @Sendable static func postServiceBook(_ req: Request) async throws -> Response {
        struct Form: Content {
            var householdID: UUID
            var day: String
            var start: String
            var payment: String
        }
        let form = try req.content.decode(Form.self)
        guard let service = try await Service.find(try req.id("serviceID"), on: req.db) else {
            throw LinliError(.notFound)
        }
        _ = try await Services.book(
            service,
            BookingInput(householdID: form.householdID, day: form.day, start: form.start, payment: form.payment),
            on: req)
        req.flash(req.t("service.booked"))
        return req.redirect(to: PropertyRoute.myServices.path + "?day=\(form.day)")
    }

    @Sendable static func postBookingCancel(_ req: Request) async throws -> Response {
        guard let booking = try await Booking.find(try req.id("bookingID"), on: req.db) else {
            throw LinliError(.notFound)
        }
        try await Services.cancel(booking, on: req)
        req.flash(req.t("service.cancelled"))
        return req.redirect(to: PropertyRoute.myServices.path)
    }

    @Sendable static func servicesPage(_ req: Request) async throws -> Response {
        let header = try await ConsolePages.header(req, current: "services")
        try req.authorize(.dispatchWorkOrders(header.id))
        let services = try await Service.scoped(to: header.id, on: req.db).sort(\.$name).all()
        let byID = Service.byID(services)
        let now = req.clock.now()
        let start = Calendar.china.startOfDay(for: now)
        let bookings = try await Booking.scoped(to: header.id, on: req.db).filter(\.$slotStart >= start)
            .filter(\.$slotStart < start.addingTimeInterval(2 * 86_400)).filter(\.$status != .cancelled)
            .sort(\.$slotStart).all()
        let homes = try await Household.byID(bookings.map(\.householdID), on: req.db)
        let buildings = try await Building.byID(homes.values.map(\.buildingID), on: req.db)
        let paid = try await Booking.scoped(to: header.id, on: req.db).filter(\.$paidAt != nil)
            .filter(\.$refundedAt == nil).all()
        let revenue = ServiceRevenue.lines(
            paid.map {
                ServiceRevenue.Paid(service: $0.serviceID, at: $0.paidAt ?? $0.createdAt, cents: $0.amountCents)
            },
            by: .month)
        return try await req.render(
            "property/console-services", title: req.t("console.tab.services"),
            ConsolePage(
                header: header,
                services: services.map { s in
                    ServiceLine(
                        name: s.name, price: yuan(s.priceCents), minutes: s.durationMinutes,
                        hours: Shift(start: s.openMinute, end: s.closeMinute).text, capacity: s.capacity)
                },
                bookings: try bookings.map { b in
                    let home = homes[b.householdID]
                    return BookingRow(
                        service: byID[b.serviceID]?.name ?? "", time: ConsolePages.time(b.slotStart, req),
                        home: "\(home.flatMap { buildings[$0.buildingID]?.name } ?? "") \(home?.room ?? "")",
                        status: req.t("service.status.\(b.status)") + " · " + req.t("service.pay.\(b.payment.rawValue)"),
                        fulfil: b.status == .booked
                            ? PropertyRoute.bookingFulfil(header.id, try b.requireID()).path : nil)
                },
                revenue: revenue.prefix(24).map { line in
                    RevenueRow(
                        service: byID[line.service]?.name ?? "", period: line.period, bookings: line.bookings,
                        yuan: yuan(line.cents))
                }))
    }

    @Sendable static func postBookingFulfil(_ req: Request) async throws -> Response {
        let id = try req.id("communityID")
        guard let booking = try await Booking.find(try req.id("bookingID"), on: req.db), booking.communityID == id else {
            throw LinliError(.notFound)
        }
        try await Services.fulfil(booking, on: req)
        req.flash(req.t("console.saved"))
        return req.redirect(to: PropertyRoute.services(id).path)
    }
}
