import Fluent
import Foundation
import LinliCore
import Vapor

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
            householdID: b.householdID, slotStart: b.slotStart, status: b.status.rawValue, payment: b.payment.rawValue,
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
        try req.authorize(.actForHousehold(input.householdID))
        guard user.principal.households[input.householdID] == service.communityID, service.active else {
            throw LinliError(.notFound)
        }
        guard let method = PaymentMethod(rawValue: input.payment) else {
            throw LinliError.invalid("payment", "invalid_value")
        }
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
            booking.status = .booked
            booking.payment = method
            booking.amountCents = service.priceCents
            booking.createdAt = now
            let row = BookingSeat()
            row.serviceID = serviceID
            row.slotStart = slotStart
            row.seat = seat
            row.bookingID = booking.id!
            // An online charge is recorded as pending with the booking, before the provider is called.
            let charge =
                method == .online
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
                .order, service.name, community: service.communityID, household: input.householdID,
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
        guard booking.status == .booked else {
            throw LinliError(.conflict, issues: [FieldIssue(field: "status", reason: "wrong_status")])
        }
        let now = req.clock.now()
        guard ServiceSlots.mayCancel(slotStart: booking.slotStart, now: now) else {
            throw LinliError(.conflict, issues: [FieldIssue(field: "slotStart", reason: "too_late_to_cancel")])
        }
        let bookingID = try booking.requireID()
        let provider = req.application.payments
        let refund = try await req.db.writeTransaction { db -> MoneyMovement? in
            guard try await Bookings.transition(bookingID, from: .booked, to: .cancelled, on: db) else {
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
            guard try await Bookings.transition(bookingID, from: .booked, to: .fulfilled, on: db) else {
                throw LinliError(.conflict, issues: [FieldIssue(field: "status", reason: "wrong_status")])
            }
            if unpaid {
                try await Bookings.recordPayment(
                    bookingID, .charge, "door", "door-\(bookingID.uuidString.prefix(8))", booking.amountCents,
                    at: now, on: db)
            }
        }
        try await Bookings.reload(booking, on: req.db)
    }

}
