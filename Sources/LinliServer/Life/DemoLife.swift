import Fluent
import Foundation
import LinliCore

/// The demo community's events: one past with its check-ins, and upcoming ones — the choir's rehearsal
/// full with a waitlist — where the demo resident (13900000001) holds a ticket for tai chi.
enum DemoLife {
    static func seed(_ world: DemoWorld, on db: any Database) async throws {
        let community = world.community
        let worker = world.staffMember(.communityWorker)
        let day = 86_400.0
        let noon = Calendar.china.startOfDay(for: world.now).addingTimeInterval(9 * 3600)
        let specs: [(String, String, Double, Int, Int)] = [
            // title, place, days from today, seats, sign-ups
            ("重阳节敬老茶话会", "社区活动中心", -14, 40, 36),
            ("太极拳体验课", "中心广场", 2, 20, 12),
            ("合唱团排练", "社区活动中心二楼", 3, 10, 13),
            ("书画社作品展", "社区图书室", 6, 50, 8),
            ("志愿者清洁家园", "东区草坪", 9, 30, 5),
        ]
        var seen = Set<UUID>()
        let residents = world.communityMemberships.map(\.personID).filter { seen.insert($0).inserted }
        let demoResident = try await Person.query(on: db).filter(\.$phone == "13900000001").first()?.id
        for (title, place, offset, capacity, signups) in specs {
            let event = LifeEvent()
            event.id = UUID()
            event.communityID = community
            event.title = title
            event.details = "\(title)，欢迎邻里报名参加。"
            event.place = place
            event.startsAt = noon.addingTimeInterval(offset * day)
            event.endsAt = event.startsAt.addingTimeInterval(2 * 3600)
            event.capacity = capacity
            event.seatsPerSignup = 2
            event.confirmedSeats = 0
            event.waiting = 0
            event.createdBy = worker
            event.createdAt = world.now.addingTimeInterval(-30 * day)
            try await event.create(on: db)
            var people = Array(residents.prefix(signups))
            if title == "太极拳体验课", let demoResident, !people.contains(demoResident) { people[0] = demoResident }
            for (n, person) in people.enumerated() {
                let row = Registration()
                let ticket = Registrations.newTicket()
                let confirmed = n < capacity
                row.communityID = community
                row.eventID = event.id!
                row.personID = person
                row.seats = 1
                row.status = confirmed ? .confirmed : .waitlisted
                row.signedUpAt = event.createdAt.addingTimeInterval(Double(n) * 600)
                row.ticketCode = ticket.code
                row.ticketHash = ticket.hash
                // The past event: most came, some did not.
                if offset < 0, confirmed, n % 6 != 5 { row.checkedInAt = event.startsAt.addingTimeInterval(Double(n % 20) * 30) }
                try await row.create(on: db)
                if confirmed { event.confirmedSeats += 1 } else { event.waiting += 1 }
            }
            try await event.save(on: db)
        }
    }
}

extension CommunityLife {
    static func seedDemo(_ world: DemoWorld, on db: any Database) async throws {
        try await DemoLife.seed(world, on: db)
    }
}
