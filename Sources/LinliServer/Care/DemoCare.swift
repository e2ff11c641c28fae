import Fluent
import Foundation
import LinliCore

/// The demo's care watch: the elderly people living alone of the demo community (李秀英 of 2栋302, who
/// signs in as 13900000002, among them) with consent recorded, a week of signs of life and check-ins,
/// the week's closed checks, and one overdue check waiting for the community worker's visit.
enum DemoCare {
    static func seed(_ world: DemoWorld, on db: any Database) async throws {
        let members = world.communityMemberships
        let alone = try await Person.query(on: db).filter(\.$id ~~ members.map(\.personID))
            .filter(\.$isElderly == true).filter(\.$livesAlone == true).sort(\.$phone).all()
            .sorted { ($0.phone == "13900000002" ? 0 : 1) < ($1.phone == "13900000002" ? 0 : 1) }
        let now = world.now
        let worker = world.staffMember(.communityWorker)
        var rng = SeededRandom(seed: 20_261_203)
        for (index, person) in alone.prefix(8).enumerated() {
            guard let id = person.id, let home = members.first(where: { $0.personID == id })?.householdID else { continue }
            let watch = CareWatch()
            watch.communityID = world.community
            watch.personID = id
            watch.householdID = home
            watch.windowMinutes = 720
            watch.checkInBy = person.phone == "13900000002" ? 600 : nil
            watch.quietStart = 22 * 60
            watch.quietEnd = 7 * 60
            watch.consentBy = index % 3 == 0 ? "family" : "self"
            watch.consentRecordedBy = worker
            watch.consentAt = now.addingTimeInterval(-8 * 86_400)
            watch.watchedSince = now.addingTimeInterval(-8 * 86_400)
            watch.active = true
            let overdue = index == 1
            watch.lastSignAt = now.addingTimeInterval(overdue ? -15 * 3600 : -Double(600 + rng.next(7200)))
            watch.lastSignKind = ["door_contact", "water_meter", "motion", "tv_box"][index % 4]
            watch.lastCheckInAt = now.addingTimeInterval(-Double(3600 + rng.next(20 * 3600)))
            watch.nextLookAt = now
            watch.updatedAt = now
            try await watch.create(on: db)
            // The week: now and then a check, mostly answered by the person or found fine at the door.
            for day in stride(from: 6, through: 1, by: -3) where rng.next(2) == 0 || overdue {
                let opened = now.addingTimeInterval(-Double(day) * 86_400 + Double(rng.next(30_000)))
                let check = CareCheck()
                check.communityID = world.community
                check.watchID = try watch.requireID()
                check.personID = id
                check.householdID = home
                check.reason = rng.next(3) == 0 ? .missedCheckIn : .noSignOfLife
                check.since = opened.addingTimeInterval(-300)
                check.openedAt = opened
                let visited = rng.next(2) == 0
                check.step = visited ? .visited : .acknowledged
                check.familyAt = opened.addingTimeInterval(120)
                check.workerAt = visited ? opened.addingTimeInterval(900) : nil
                check.closedAt = opened.addingTimeInterval(visited ? 2400 : 400)
                check.closedBy = visited ? worker : id
                check.outcome = visited && day == 6 && index == 0 ? VisitOutcome.needsHelp.rawValue : VisitOutcome.fine.rawValue
                check.note = visited ? "上门看望，老人在午睡" : nil
                try await check.create(on: db)
            }
            if overdue {
                let check = CareCheck()
                check.communityID = world.community
                check.watchID = try watch.requireID()
                check.personID = id
                check.householdID = home
                check.reason = .noSignOfLife
                check.since = now.addingTimeInterval(-40 * 60)
                check.openedAt = now.addingTimeInterval(-20 * 60)
                check.step = .worker
                check.familyAt = now.addingTimeInterval(-18 * 60)
                check.workerAt = now.addingTimeInterval(-5 * 60)
                try await check.create(on: db)
                let contact = EmergencyContact()
                contact.communityID = world.community
                contact.householdID = home
                contact.name = "女儿"
                contact.phone = "13912345678"
                contact.relation = "女儿"
                contact.position = 0
                try await contact.create(on: db)
            }
        }
    }
}
