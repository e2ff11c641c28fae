import Fluent
import Foundation
import LinliCore

/// The demo community's life: five venues, four clubs with their leaders and members, three months of
/// past events with attendance and no-shows (the tai chi team's weekly practice as one series), and
/// upcoming ones — the choir's rehearsal full with a waitlist, a paid parents' workshop, a lecture for
/// the elderly that 李秀英 was signed up for by the community worker, and a drawn New Year party. The
/// demo resident (13900000001) holds a tai chi ticket.
enum DemoLife {
    struct Spec {
        let title: String
        let place: String
        let days: Double
        let hour: Double
        let capacity: Int
        let signups: Int
        var club: String? = nil
        var feeFen = 0
        var groups = ""
        var series: UUID? = nil
    }

    static func seed(_ world: DemoWorld, on db: any Database) async throws {
        let community = world.community
        let worker = world.staffMember(.communityWorker)
        let day = 86_400.0
        let midnight = Calendar.china.startOfDay(for: world.now)
        var seen = Set<UUID>()
        let residents = world.communityMemberships.map(\.personID).filter { seen.insert($0).inserted }
        let people = try await Person.byID(residents, on: db)
        let demoResident = try await Person.query(on: db).filter(\.$phone == "13900000001").first()?.id
        let elder = try await Person.query(on: db).filter(\.$phone == "13900000002").first()?.id
        var venues: [String: UUID] = [:]
        for name in ["社区活动中心", "社区活动中心二楼", "中心广场", "社区图书室", "东区草坪"] {
            let venue = Venue()
            venue.id = UUID()
            venue.communityID = community
            venue.name = name
            venue.bookings = 0
            try await venue.create(on: db)
            venues[name] = venue.id
        }
        // Clubs: leaders and members from the residents, the first clubs the largest.
        var clubs: [String: UUID] = [:]
        var members: [String: [UUID]] = [:]
        for (n, (name, about, policy, size)) in [
            ("太极拳队", "每周二清晨在中心广场练习，欢迎零基础。", Club.JoinPolicy.open, 24),
            ("合唱团", "每周排练，节日演出。加入需负责人同意。", .approval, 18),
            ("书画社", "书法、国画交流，定期办展。", .open, 10),
            ("志愿者服务队", "清洁家园、助老助残、活动保障。", .open, 16),
        ].enumerated() {
            let club = Club()
            club.id = UUID()
            club.communityID = community
            club.name = name
            club.details = about
            club.joinPolicy = policy
            club.status = .active
            club.proposedBy = worker
            club.createdAt = world.now.addingTimeInterval(-200 * day)
            try await club.create(on: db)
            clubs[name] = club.id
            let chosen = Array(residents.dropFirst(n * 7).prefix(size))
            members[name] = chosen
            for (k, person) in chosen.enumerated() {
                _ = try await Clubs.add(
                    person, to: club, role: k == 0 ? .leader : .member, status: .active, showName: k % 3 != 2,
                    now: club.createdAt, on: db)
            }
        }
        let taiChi = UUID()
        var specs: [Spec] = (1...12).map {
            Spec(title: "太极拳队晨练", place: "中心广场", days: -7 * Double($0) + 1, hour: 7.5, capacity: 30, signups: 18, club: "太极拳队", series: taiChi)
        }
        specs += [
            Spec(title: "合唱团月度排练", place: "社区活动中心二楼", days: -75, hour: 19, capacity: 20, signups: 16, club: "合唱团"),
            Spec(title: "合唱团月度排练", place: "社区活动中心二楼", days: -45, hour: 19, capacity: 20, signups: 17, club: "合唱团"),
            Spec(title: "志愿者清洁家园", place: "东区草坪", days: -30, hour: 9, capacity: 30, signups: 14, club: "志愿者服务队"),
            Spec(title: "重阳节敬老茶话会", place: "社区活动中心", days: -14, hour: 14, capacity: 40, signups: 36),
            Spec(title: "太极拳体验课", place: "中心广场", days: 2, hour: 9, capacity: 20, signups: 12),
            Spec(title: "合唱团排练", place: "社区活动中心二楼", days: 3, hour: 19, capacity: 10, signups: 13),
            Spec(title: "老年人健康讲座", place: "社区活动中心", days: 5, hour: 9.5, capacity: 40, signups: 6, groups: "elderly"),
            Spec(title: "书画社作品展", place: "社区图书室", days: 6, hour: 10, capacity: 50, signups: 8),
            Spec(title: "志愿者清洁家园", place: "东区草坪", days: 9, hour: 9, capacity: 30, signups: 5),
            Spec(title: "亲子手工课", place: "社区活动中心", days: 12, hour: 15, capacity: 16, signups: 4, feeFen: 2000, groups: "parents"),
            Spec(title: "新春联欢会", place: "社区活动中心", days: 20, hour: 19, capacity: 60, signups: 0),
        ]
        for (index, spec) in specs.enumerated() {
            let event = LifeEvent()
            event.id = UUID()
            event.communityID = community
            event.title = spec.title
            event.details = "\(spec.title)，欢迎邻里报名参加。"
            event.place = spec.place
            event.venueID = venues[spec.place]
            event.startsAt = midnight.addingTimeInterval(spec.days * day + spec.hour * 3600)
            event.endsAt = event.startsAt.addingTimeInterval(spec.club == "太极拳队" ? 3600 : 2 * 3600)
            event.capacity = spec.capacity
            event.seatsPerSignup = 2
            event.confirmedSeats = 0
            event.waiting = 0
            event.createdBy = worker
            event.createdAt = event.startsAt.addingTimeInterval(-14 * day)
            event.clubID = spec.club.flatMap { clubs[$0] }
            event.seriesID = spec.series
            event.feeFen = spec.feeFen
            event.audienceGroups = spec.groups
            if spec.title == "新春联欢会" { event.drawUntil = world.now.addingTimeInterval(2 * day) }
            let past = spec.days < 0
            if past { event.closedAt = event.endsAt }
            event.reminded = past ? 3 : 0
            try await event.create(on: db)
            let year = Calendar.china.component(.year, from: world.now)
            // A community event's sign-ups come from past the demo's sign-in people, so they have events to sign up for.
            var pool = spec.club.flatMap { members[$0] } ?? Array(residents.dropFirst(10 + index * 3))
            if spec.groups == "elderly" {
                pool = pool.filter { people[$0]?.isElderly == true || (people[$0]?.birthYear.map { year - $0 >= 60 } ?? false) }
            }
            // The demo resident holds one ticket only (tai chi), so the page shows what's on to sign up for.
            pool = pool.filter { $0 != demoResident }
            var chosen = Array(pool.prefix(spec.signups))
            if spec.title == "太极拳体验课", let demoResident, !chosen.contains(demoResident) { chosen[0] = demoResident }
            if spec.groups == "elderly", let elder, !chosen.contains(elder) { chosen.insert(elder, at: 0) }
            for (n, person) in chosen.enumerated() {
                let row = Registration()
                let ticket = Registrations.newTicket()
                let confirmed = n < spec.capacity
                row.communityID = community
                row.eventID = event.id!
                row.personID = person
                row.householdID = world.communityMemberships.first { $0.personID == person }?.householdID
                row.seats = 1
                row.status = confirmed ? .confirmed : .waitlisted
                row.signedUpAt = event.createdAt.addingTimeInterval(Double(n) * 600)
                row.lineAt = row.signedUpAt
                row.ticketCode = ticket.code
                row.ticketHash = ticket.hash
                row.signedUpBy = person == elder && spec.groups == "elderly" ? worker : person
                // Past events: most came; every sixth (by a fixed pattern) did not.
                if past, confirmed {
                    if (n + Int(-spec.days)) % 6 == 5 { row.noShow = true } else {
                        row.checkedInAt = event.startsAt.addingTimeInterval(Double(n % 20) * 30)
                    }
                }
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
