import Fluent
import Foundation
import LinliCore

/// The demo community's applications: a dozen in every state — one due in two working days, one overdue,
/// one in publicity now, a refusal whose written notice is due — taken by the community worker.
enum DemoGovernment {
    static func seed(_ world: DemoWorld, on db: any Database) async throws {
        let worker = world.staffMember(.communityWorker)
        let calendar = WorkingCalendar.china2026
        let clock = ApplicationClock(calendar: calendar)
        let today = CivilApplications.today(world.now)
        // The received day whose decision is due `left` working days from today.
        func received(left: Int) -> CivilDate {
            for back in 0..<120 {
                guard let day = today.adding(days: -back) else { break }
                if calendar.workingDaysLeft(today: today, due: clock.decisionDue(acceptedOn: day, extended: false)) == left { return day }
            }
            return today
        }
        var seen = Set<UUID>()
        let stays = world.communityMemberships.filter { seen.insert($0.personID).inserted }.dropFirst(20)
        let plans: [(String, Applications.Status, Int, [String])] = [
            // kind, status, working days left, steps taken after receiving
            ("dibao", .received, 28, []),
            ("dibao", .incomplete, 25, ["incomplete"]),
            ("dibao", .accepted, 2, ["accept"]),
            ("dibao", .investigated, 12, ["accept", "investigate"]),
            ("dibao", .reviewed, 8, ["accept", "investigate", "review"]),
            ("dibao", .publicized, 6, ["accept", "investigate", "review", "publicize"]),
            ("dibao", .approved, -20, ["accept", "investigate", "review", "publicize", "approve"]),
            ("dibao", .refused, -5, ["accept", "investigate", "refuse"]),
            ("dibao", .accepted, -3, ["accept"]),
            ("temporary_relief", .accepted, 15, ["help_first", "accept"]),
            ("elderly_allowance", .withdrawn, 18, ["withdraw"]),
            ("residence_certificate", .approved, -10, ["accept", "approve"]),
        ]
        for (n, (stay, plan)) in zip(stays, plans).enumerated() {
            let (kind, status, left, steps) = plan
            let start = received(left: left)
            let row = CivilApplication()
            row.id = UUID()
            row.communityID = world.community
            row.householdID = stay.householdID
            row.personID = stay.personID
            row.kind = kind
            row.status = status
            row.channel = n % 3 == 0 ? "online" : "office"
            row.receivedOn = start.description
            row.decisionDueOn = clock.decisionDue(acceptedOn: start, extended: false).description
            row.createdBy = worker
            row.createdAt = world.now.addingTimeInterval(-Double(today.dayNumber - start.dayNumber) * 86_400)
            if status == .incomplete { row.missing = "income_proof,property_declaration" }
            if steps.contains("review") {
                row.familySize = 2 + n % 3
                row.amountFen = 60_000 + n * 5_000
            }
            if status == .publicized {
                row.publicityStart = today.adding(days: -2)?.description
                row.publicityEnd = clock.publicityEnds(start: today.adding(days: -2) ?? today).description
            }
            if status == .approved || status == .refused {
                row.decidedOn = today.adding(days: -3)?.description
                row.decidedBy = worker
            }
            if status == .refused {
                row.reasons = "家庭人均收入高于当地低保标准"
                row.refusalNoticeDueOn = clock.refusalNoticeDue(decidedOn: today.adding(days: -3) ?? today).description
            }
            row.helpedFirst = steps.contains("help_first")
            if status == .approved, let months = Applications.kind(kind)?.recheckMonths {
                row.recheckDueOn = today.adding(days: -3)?.adding(months: months)?.description
            }
            try await row.create(on: db)
            if status == .incomplete {
                // The id card came with the application; the rest is missing.
                _ = try await Materials.add(
                    row, material: "id_card", type: "application/pdf", bytes: Data("%PDF-1.4\n% 身份证复印件（演示）\n%%EOF\n".utf8), by: worker,
                    now: row.createdAt, on: db)
            }
            for (k, step) in (["receive"] + steps).enumerated() {
                try await CivilApplications.record(
                    row, step, note: "", visitors: step == "investigate" ? [worker, world.staffMember(.operator_)] : [], by: worker,
                    now: row.createdAt.addingTimeInterval(Double(k) * 86_400), on: db)
            }
        }
        // The demo resident asked online for a certificate of residence yesterday; the office wants the id card.
        if let owner = try await Person.query(on: db).filter(\.$phone == "13900000001").first(), let me = owner.id,
            let home = world.communityMemberships.first(where: { $0.personID == me })?.householdID
        {
            let row = try await CivilApplications.create(
                .init(kind: "residence_certificate", person: me, household: home, receivedOn: nil, channel: "online", by: me),
                community: world.community, now: world.now.addingTimeInterval(-86_400), today: Calendar.chinaDate(world.now), on: db)
            try await CivilApplications.take(
                row, StepInput(step: .incomplete, note: nil, missing: ["id_card"], visitors: nil, reasons: nil, amountFen: nil, familySize: nil, recheckMonths: nil),
                by: worker, now: world.now, on: db)
        }
    }
}

extension DemoGovernment {
    /// Two senior-university courses: 书法入门 drawn (45 applicants for 20 seats), 智能手机课 still open.
    static func courses(_ world: DemoWorld, on db: any Database) async throws {
        let day = 86_400.0
        var seen = Set<UUID>()
        let people = try await Person.byID(world.communityMemberships.map(\.personID).filter { seen.insert($0).inserted }, on: db)
        let year = Int(Calendar.chinaDate(world.now).prefix(4)) ?? 2026
        let elders = people.values.filter { ($0.birthYear.map { year - $0 >= 55 } ?? false) || $0.isElderly }
            .sorted { $0.phone < $1.phone }
        for (title, teacher, schedule, seats, applicants, drawn) in [
            ("书法入门", "陈老师", "周三 9:00–11:00", 20, 45, true), ("智能手机课", "社区志愿者小刘", "周五 14:30–16:00", 30, 12, false),
        ] {
            let course = try await Courses.create(
                CourseInput(
                    title: title, teacher: teacher, schedule: schedule, term: "2027 春季", seats: seats,
                    opensAt: world.now.addingTimeInterval(-20 * day), closesAt: world.now.addingTimeInterval((drawn ? -2 : 10) * day)),
                community: world.community, now: world.now.addingTimeInterval(-21 * day), on: db)
            for person in elders.prefix(applicants) {
                let row = CourseApplication()
                row.courseID = try course.requireID()
                row.communityID = world.community
                row.personID = try person.requireID()
                row.weight = CourseDraw.weight(neverAdmitted: true, age: person.birthYear.map { year - $0 })
                row.appliedAt = world.now.addingTimeInterval(-15 * day)
                row.appliedBy = row.personID
                try await row.create(on: db)
            }
            if drawn { _ = try await Courses.draw(course, now: world.now.addingTimeInterval(-day), on: db) }
        }
    }
}

extension DemoGovernment {
    /// 300 pensioners from the demo's older residents, authenticated on days spread over the last
    /// fourteen months: some due this month, some overdue, two bedridden.
    static func pensioners(_ world: DemoWorld, on db: any Database) async throws {
        var seen = Set<UUID>()
        let people = try await Person.byID(world.communityMemberships.map(\.personID).filter { seen.insert($0).inserted }, on: db)
        let chosen = people.values.sorted { ($0.birthYear ?? 3000, $0.phone) < ($1.birthYear ?? 3000, $1.phone) }.prefix(300)
        let today = CivilApplications.today(world.now)
        for (n, person) in chosen.enumerated() {
            let row = Pensioner()
            row.communityID = world.community
            row.personID = person.id
            row.name = person.name
            row.idLast4 = String(format: "%04d", (n * 7919) % 10_000)
            row.phone = person.phone
            row.lastAuthenticatedOn = (today.adding(days: -(n * 431) % 425) ?? today).description
            row.channel = ["self", "family", "home_visit"][n % 3]
            row.bedridden = n % 150 == 7
            row.createdAt = world.now
            try await row.create(on: db)
        }
    }
}

extension GovernmentServices {
    static func seedDemo(_ world: DemoWorld, on db: any Database) async throws {
        try await DemoGovernment.seed(world, on: db)
        try await DemoGovernment.courses(world, on: db)
        try await DemoGovernment.pensioners(world, on: db)
    }
}
