import Fluent
import Foundation
import LinliCore
import Vapor

struct ServiceInput: Content {
    let name: String
    let description: String?
    let priceCents: Int
    let durationMinutes: Int
    let capacity: Int
    /// `HH:MM-HH:MM`, China time.
    let hours: String
    let active: Bool?
}

struct ServiceOut: Content, Equatable {
    let id: UUID
    let name: String
    let description: String
    let priceCents: Int
    let durationMinutes: Int
    let capacity: Int
    let hours: String
    let active: Bool
}

struct BookingInput: Content {
    let householdID: UUID
    /// `YYYY-MM-DD` and `HH:MM`, China time: one of the service's slots.
    let day: String
    let start: String
    let payment: String
}

struct BookingOut: Content, Equatable {
    let id: UUID
    let serviceID: UUID
    let service: String
    let householdID: UUID
    let slotStart: Date
    let status: String
    let payment: String
    let amountCents: Int
    let paid: Bool
    let refunded: Bool
}

struct SlotOut: Content, Equatable {
    let start: Date
    let left: Int
}

/// Value-added services: the catalogue, slots with capacity, bookings that can never overbook, cancelling
/// within the rules with a refund record, payment at the door or online, fulfilment, revenue.
enum Services {
    static let c = RegistryAPI.c

    static func out(_ s: Service) throws -> ServiceOut {
        ServiceOut(
            id: try s.requireID(), name: s.name, description: s.description, priceCents: s.priceCents,
            durationMinutes: s.durationMinutes, capacity: s.capacity,
            hours: Shift(start: s.openMinute, end: s.closeMinute).text, active: s.active)
    }

    static func out(_ b: Booking, _ services: [UUID: Service]) throws -> BookingOut {
        BookingOut(
            id: try b.requireID(), serviceID: b.serviceID, service: services[b.serviceID]?.name ?? "",
            householdID: b.householdID, slotStart: b.slotStart, status: b.status, payment: b.payment,
            amountCents: b.amountCents, paid: b.paidAt != nil, refunded: b.refundedAt != nil)
    }

    static func apply(_ input: ServiceInput, to row: Service) throws {
        var v = Validation()
        let name = v.text(input.name, "name", max: 50) ?? ""
        let description = v.text(input.description?.nilIfEmpty, "description", max: 500, required: false) ?? ""
        v.range(input.priceCents, "priceCents", 0...1_000_000)
        v.range(input.durationMinutes, "durationMinutes", 10...480)
        v.range(input.capacity, "capacity", 1...100)
        let hours = Shift(text: input.hours)
        if hours == nil || hours!.start > hours!.end { v.fail("hours", "invalid_value") }
        try v.check()
        row.name = name
        row.description = description
        row.priceCents = input.priceCents
        row.durationMinutes = input.durationMinutes
        row.capacity = input.capacity
        row.openMinute = hours!.start
        row.closeMinute = hours!.end
        row.active = input.active ?? true
    }

    /// Seats left in each of a day's slots.
    static func slots(_ service: Service, day: CivilDate, now: Date, on db: any Database) async throws -> [SlotOut] {
        let midnight = Calendar.chinaStart(of: day)
        let starts = ServiceSlots.starts(
            open: service.openMinute, close: service.closeMinute, duration: service.durationMinutes
        ).map { midnight.addingTimeInterval(Double($0) * 60) }
        let taken = try await BookingSeat.query(on: db).filter(\.$serviceID == service.requireID())
            .filter(\.$slotStart >= midnight).filter(\.$slotStart < midnight.addingTimeInterval(86_400)).all(
                \.$slotStart)
        var used: [Date: Int] = [:]
        for start in taken { used[start, default: 0] += 1 }
        return starts.filter { $0 > now }.map { SlotOut(start: $0, left: max(0, service.capacity - (used[$0] ?? 0))) }
    }

    static func book(_ service: Service, _ input: BookingInput, on req: Request) async throws -> Booking {
        let user = try req.user()
        guard user.principal.households[input.householdID] == service.communityID, service.active else {
            throw LinliError(.notFound)
        }
        guard ["door", "online"].contains(input.payment) else { throw LinliError.invalid("payment", "invalid_value") }
        guard let day = CivilDate(input.day) else { throw LinliError.invalid("day", "invalid_date") }
        guard let minute = Shift(text: input.start + "-23:59")?.start,
            ServiceSlots.isSlot(
                minute, open: service.openMinute, close: service.closeMinute, duration: service.durationMinutes)
        else { throw LinliError.invalid("start", "not_a_slot") }
        let now = req.clock.now()
        let slotStart = Calendar.chinaStart(of: day).addingTimeInterval(Double(minute) * 60)
        guard slotStart > now else { throw LinliError.invalid("start", "in_the_past") }
        let serviceID = try service.requireID()
        // Try the seats in turn; the unique index refuses a taken one, so two residents never get the same.
        for seat in 0..<service.capacity {
            let booking = Booking()
            booking.id = UUID()
            booking.communityID = service.communityID
            booking.serviceID = serviceID
            booking.householdID = input.householdID
            booking.personID = user.principal.personID
            booking.slotStart = slotStart
            booking.status = "booked"
            booking.payment = input.payment
            booking.amountCents = service.priceCents
            booking.createdAt = now
            let row = BookingSeat()
            row.serviceID = serviceID
            row.slotStart = slotStart
            row.seat = seat
            row.bookingID = booking.id!
            // An online charge is recorded as pending with the booking, before the provider is called.
            let charge =
                input.payment == "online"
                ? MoneyMovement(
                    community: service.communityID, purpose: Bookings.purpose, subject: booking.id!, kind: .charge,
                    cents: booking.amountCents, key: "charge:\(booking.id!)", provider: req.application.payments.name,
                    at: now) : nil
            do {
                try await req.db.writeTransaction { db in
                    try await booking.create(on: db)
                    try await row.create(on: db)
                    try await charge?.create(on: db)
                }
            } catch let error as any DatabaseError where error.isConstraintFailure {
                continue
            }
            let household = try await Household.find(input.householdID, on: req.db)
            try await DemandSignal.record(
                "order", service.name, community: service.communityID, household: input.householdID,
                building: household?.buildingID, at: now, on: req.db)
            if let charge {
                do {
                    try await MoneyMovements.settle(charge, provider: req.application.payments, now: now, on: req.db)
                } catch is PaymentDeclined {
                    throw LinliError(.conflict, issues: [FieldIssue(field: "payment", reason: "payment_declined")])
                }
                if let settled = try await Booking.find(booking.id, on: req.db) { return settled }
            }
            return booking
        }
        throw LinliError(.conflict, issues: [FieldIssue(field: "start", reason: "slot_full")])
    }

    /// The household cancels: until two hours before the slot; an online payment is refunded.
    /// The cancellation is a conditional write (`booked` → `cancelled`) in one transaction with the
    /// seat's release and the pending refund: of parallel cancels one wins, the rest get 409, and
    /// exactly one refund is made.
    static func cancel(_ booking: Booking, on req: Request) async throws {
        try req.authorize(.viewHouseholdRecord(household: booking.householdID, madeAt: booking.createdAt))
        guard booking.status == "booked" else {
            throw LinliError(.conflict, issues: [FieldIssue(field: "status", reason: "wrong_status")])
        }
        let now = req.clock.now()
        guard ServiceSlots.mayCancel(slotStart: booking.slotStart, now: now) else {
            throw LinliError(.conflict, issues: [FieldIssue(field: "slotStart", reason: "too_late_to_cancel")])
        }
        let bookingID = try booking.requireID()
        let provider = req.application.payments
        let refund = try await req.db.writeTransaction { db -> MoneyMovement? in
            guard try await Bookings.transition(bookingID, from: "booked", to: "cancelled", on: db) else {
                throw LinliError(.conflict, issues: [FieldIssue(field: "status", reason: "wrong_status")])
            }
            try await BookingSeat.query(on: db).filter(\.$bookingID == bookingID).delete()
            return try await Bookings.queueRefund(of: bookingID, provider: provider.name, now: now, on: db)
        }
        if let refund {
            _ = try? await MoneyMovements.settle(refund, provider: provider, now: now, on: req.db)
        }
        try await Bookings.reload(booking, on: req.db)
    }

    /// Staff mark a booking done; paid at the door is recorded as paid then. A conditional write:
    /// fulfilling twice records one payment.
    static func fulfil(_ booking: Booking, on req: Request) async throws {
        try req.authorize(.dispatchWorkOrders(booking.communityID))
        let now = req.clock.now()
        let bookingID = try booking.requireID()
        let unpaid = booking.paidAt == nil
        try await req.db.writeTransaction { db in
            guard try await Bookings.transition(bookingID, from: "booked", to: "fulfilled", on: db) else {
                throw LinliError(.conflict, issues: [FieldIssue(field: "status", reason: "wrong_status")])
            }
            if unpaid {
                try await Bookings.recordPayment(
                    bookingID, "charge", "door", "door-\(bookingID.uuidString.prefix(8))", booking.amountCents,
                    at: now, on: db)
            }
        }
        try await Bookings.reload(booking, on: req.db)
    }

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
                tag: "property", response: Schema.array(object),
                query: [.init(name: "q", schema: Schema.string(max: 50))]),
            in: app
        ) { req in
            let id = try await RegistryAPI.communityID(req, { .viewCommunity($0) })
            var services = try await Service.scoped(to: id, on: req.db).filter(\.$active == true).sort(\.$name).all()
            if let q = req.query[String.self, at: "q"]?.trimmingCharacters(in: .whitespaces), !q.isEmpty {
                services = services.filter { $0.name.contains(q) || $0.description.contains(q) }
                if services.isEmpty {
                    let household = try req.user().principal.households.first { $0.value == id }?.key
                    try await DemandSignal.record(
                        "search_miss", q, community: id, household: household, building: nil, at: req.clock.now(),
                        on: req.db)
                }
            }
            return try services.map(out)
        }
        api.register(
            .init(
                method: .POST, path: c + "/services", operationID: "createService",
                summary: "Add a service: price, duration, capacity per slot, hours", tag: "property",
                body: serviceInput, status: .created, response: object), in: app
        ) { req in
            let id = try await RegistryAPI.communityID(req, { .manageCommunity($0) })
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
                summary: "A day's slots of a service with the places left", tag: "property",
                response: Schema.array(object), query: [.init(name: "day", schema: Schema.date)]), in: app
        ) { req in
            let id = try await RegistryAPI.communityID(req, { .viewCommunity($0) })
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
                tag: "property",
                body: Schema.object(
                    [
                        ("householdID", Schema.uuid), ("day", Schema.date),
                        ("start", Schema.string(pattern: "^[0-9]{1,2}:[0-9]{2}$")),
                        ("payment", Schema.enumeration(["door", "online"])),
                    ], required: ["householdID", "day", "start", "payment"]), status: .created, response: object),
            in: app
        ) { req in
            let id = try await RegistryAPI.communityID(req, { .viewCommunity($0) })
            let service = try await Service.find(try req.id("serviceID"), in: id, on: req.db)
            let booking = try await book(service, try req.decode(BookingInput.self), on: req)
            return Created(value: try out(booking, [try service.requireID(): service]))
        }
        api.register(
            .init(
                method: .GET, path: "/api/v1/me/bookings", operationID: "listMyBookings",
                summary: "My households' bookings, newest slot first", tag: "property", response: Schema.array(object)),
            in: app
        ) { req in
            let bookings = try await Booking.query(on: req.db).madeInHomes(of: try req.user().principal)
                .sort(\.$slotStart, .descending).limit(100).all()
            let services = Service.byID(
                try await Service.query(on: req.db).filter(\.$id ~~ bookings.map(\.serviceID)).all())
            return try bookings.map { try out($0, services) }
        }
        api.register(
            .init(
                method: .POST, path: "/api/v1/bookings/{bookingID}/cancel", operationID: "cancelBooking",
                summary: "Cancel a booking until two hours before it (an online payment is refunded)", tag: "property",
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
                summary: "Staff: the service was delivered (paid at the door is recorded then)", tag: "property",
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
                summary: "Revenue per service per week or month (paid, not refunded)", tag: "property",
                response: Schema.array(object),
                query: [.init(name: "period", schema: Schema.enumeration(["week", "month"]))]),
            in: app
        ) { req in
            let id = try await RegistryAPI.communityID(req, { .manageCommunity($0) })
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

extension Services {
    /// The demo's services (cleaning, water delivery, laundry machines) with eight weeks of orders: most
    /// done and paid, some cancelled and refunded, and bookings for today and tomorrow.
    static func seedDemo(
        _ db: any Database, community: UUID, households: [Household], memberships: [Membership], now: Date
    ) async throws {
        var rng = SeededRandom(seed: 6_006)
        let catalogue: [(String, String, Int, Int, Int, String, Int)] = [
            ("1小时家庭保洁", "保洁阿姨上门，工具自带", 3900, 60, 3, "09:00-18:00", 5),
            ("桶装水配送", "18.9 升饮用水，送水上楼", 1800, 30, 4, "08:00-20:00", 8),
            ("洗衣房洗衣机", "1栋架空层共享洗衣机，一次 60 分钟", 500, 60, 4, "07:00-22:00", 10),
        ]
        let people = Dictionary(grouping: memberships.filter { $0.movedOut == nil }, by: \.householdID)
        let homes = households.filter { people[$0.id!] != nil }
        guard !homes.isEmpty else { return }
        var bookings: [Booking] = []
        var seats: [BookingSeat] = []
        var payments: [Payment] = []
        var signals: [DemandSignal] = []
        let today = Calendar.china.startOfDay(for: now)
        for (name, description, price, minutes, capacity, hours, perDay) in catalogue {
            let service = Service()
            service.id = UUID()
            service.communityID = community
            service.name = name
            service.description = description
            service.priceCents = price
            service.durationMinutes = minutes
            service.capacity = capacity
            let window = Shift(text: hours)!
            service.openMinute = window.start
            service.closeMinute = window.end
            service.active = true
            try await service.create(on: db)
            let starts = ServiceSlots.starts(open: window.start, close: window.end, duration: minutes)
            for day in stride(from: 56, through: -1, by: -1) {
                var used: [Int: Int] = [:]
                for _ in 0..<(perDay / 2 + rng.next(perDay)) {
                    let minute = starts[rng.next(starts.count)]
                    guard (used[minute] ?? 0) < capacity else { continue }
                    let slot = today.addingTimeInterval(Double(-day) * 86_400 + Double(minute) * 60)
                    let home = homes[rng.next(homes.count)]
                    let booking = Booking()
                    booking.id = UUID()
                    booking.communityID = community
                    booking.serviceID = service.id!
                    booking.householdID = home.id!
                    booking.personID = people[home.id!]![0].personID
                    booking.slotStart = slot
                    booking.payment = rng.next(3) == 0 ? "door" : "online"
                    booking.amountCents = price
                    booking.createdAt = slot.addingTimeInterval(-Double(3600 + rng.next(72 * 3600)))
                    guard booking.createdAt < now else { continue }
                    let cancelled = rng.next(15) == 0
                    booking.status = cancelled ? "cancelled" : (slot < now ? "fulfilled" : "booked")
                    func pay(_ kind: String, _ at: Date) {
                        let p = Payment()
                        p.bookingID = booking.id!
                        p.kind = kind
                        p.provider = booking.payment == "door" ? "door" : "test"
                        p.reference = "\(kind)-\(booking.id!.uuidString.prefix(8))"
                        p.amountCents = price
                        p.at = at
                        payments.append(p)
                    }
                    if booking.payment == "online" {
                        booking.paidAt = booking.createdAt
                        pay("charge", booking.createdAt)
                        if cancelled {
                            booking.refundedAt = booking.createdAt.addingTimeInterval(1800)
                            pay("refund", booking.refundedAt!)
                        }
                    } else if booking.status == "fulfilled" {
                        booking.paidAt = slot.addingTimeInterval(Double(minutes) * 60)
                        pay("charge", booking.paidAt!)
                    }
                    if !cancelled {
                        used[minute, default: 0] += 1
                        let seat = BookingSeat()
                        seat.serviceID = service.id!
                        seat.slotStart = slot
                        seat.seat = used[minute]! - 1
                        seat.bookingID = booking.id!
                        seats.append(seat)
                    }
                    let signal = DemandSignal()
                    signal.communityID = community
                    signal.kind = "order"
                    signal.subject = name
                    signal.householdID = home.id
                    signal.buildingID = home.buildingID
                    signal.at = booking.createdAt
                    signals.append(signal)
                    bookings.append(booking)
                }
            }
        }
        try await bookings.create(inChunksOn: db)
        try await seats.create(inChunksOn: db)
        try await payments.create(inChunksOn: db)
        try await signals.create(inChunksOn: db)
    }
}
