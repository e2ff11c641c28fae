import Fluent
import Foundation
import LinliCore
import Vapor

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
                    booking.payment = rng.next(3) == 0 ? .door : .online
                    booking.amountCents = price
                    booking.createdAt = slot.addingTimeInterval(-Double(3600 + rng.next(72 * 3600)))
                    guard booking.createdAt < now else { continue }
                    let cancelled = rng.next(15) == 0
                    booking.status = cancelled ? .cancelled : (slot < now ? .fulfilled : .booked)
                    func pay(_ kind: MoneyMovement.Kind, _ at: Date) {
                        let p = Payment()
                        p.bookingID = booking.id!
                        p.kind = kind
                        p.provider = booking.payment == .door ? "door" : "test"
                        p.reference = "\(kind.rawValue)-\(booking.id!.uuidString.prefix(8))"
                        p.amountCents = price
                        p.at = at
                        payments.append(p)
                    }
                    if booking.payment == .online {
                        booking.paidAt = booking.createdAt
                        pay(.charge, booking.createdAt)
                        if cancelled {
                            booking.refundedAt = booking.createdAt.addingTimeInterval(1800)
                            pay(.refund, booking.refundedAt!)
                        }
                    } else if booking.status == .fulfilled {
                        booking.paidAt = slot.addingTimeInterval(Double(minutes) * 60)
                        pay(.charge, booking.paidAt!)
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
                    signal.kind = .order
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
