import Fluent
import Foundation
import LinliCore
import Vapor

/// Six months of the demo community's requests: repairs, help, cleaning, complaints, suggestions,
/// handled by property staff with their skills and shifts, most confirmed with a rating, a few reopened,
/// some late; the last two days still open.
enum DemoWorkOrders {
    /// Property staff besides the demo login (13800000001, a generalist): name, phone, skills, shift.
    static let crew: [(String, String, Set<String>, String?)] = [
        ("张师傅", "13800000011", ["water", "electricity"], "08:00-20:00"),
        ("李师傅", "13800000012", ["door", "lift", "public_area"], "08:00-20:00"),
        ("赵师傅", "13800000013", ["water", "electricity", "door"], "20:00-08:00"),
        ("王阿姨", "13800000014", ["cleaning", "help"], "07:00-19:00"),
        ("客服小刘", "13800000015", ["service", "help"], "08:30-17:30"),
    ]

    static let weights: [(WorkCategory, Int)] = [
        (.repairWater, 15), (.repairElectricity, 10), (.repairDoor, 10), (.repairLift, 5), (.repairPublic, 10),
        (.helpLaundry, 8), (.helpParcel, 10), (.helpMoving, 2), (.cleaning, 15), (.complaint, 8), (.suggestion, 7),
    ]

    static let texts: [WorkCategory: [String]] = [
        .repairWater: ["厨房水龙头漏水", "卫生间下水道堵了", "热水器不出热水", "阳台地漏反味"],
        .repairElectricity: ["客厅灯不亮", "插座跳闸", "楼道声控灯坏了"],
        .repairDoor: ["入户门锁不好用", "单元门关不上", "窗户把手松了"],
        .repairLift: ["电梯按钮失灵", "电梯运行有异响"],
        .repairPublic: ["小区路灯不亮", "健身器材损坏", "楼道扶手松动"],
        .helpLaundry: ["下雨了，请帮忙收阳台的衣服", "出差在外，帮忙收一下被子"],
        .helpParcel: ["快递放门卫，请帮忙送上楼", "帮忙代收一个大件快递"],
        .helpMoving: ["周末搬家，需要借用推车"],
        .cleaning: ["1小时家庭保洁", "厨房深度清洁", "楼道有垃圾需要清理"],
        .complaint: ["楼上夜里噪音大", "车位被占用", "宠物粪便没人清理"],
        .suggestion: ["建议增加电动车充电桩", "建议设置洗衣房", "希望有桶装水配送"],
    ]

    static func seed(
        _ db: any Database, community: UUID, households: [Household], memberships: [Membership],
        generalist: UUID, passwordHash: String, now: Date
    ) async throws {
        var rng = SeededRandom(seed: 5_005)
        var staff: [(id: UUID, skills: Set<String>, shift: Shift?)] = [(generalist, [], nil)]
        for (name, phone, skills, shift) in crew {
            let person = Person(id: UUID(), name: name, phone: phone, birthYear: 1975, passwordHash: passwordHash)
            try await person.create(on: db)
            let role = StaffAssignment(id: UUID(), communityID: community, personID: person.id!, role: .propertyStaff)
            role.skills = skills
            role.shift = shift.flatMap(Shift.init(text:))
            try await role.create(on: db)
            staff.append((person.id!, skills, role.shift))
        }
        let residents = Dictionary(grouping: memberships.filter { $0.movedOut == nil }, by: \.householdID)
        let homes = households.filter { residents[$0.id!] != nil }
        guard !homes.isEmpty else { return }
        let total = weights.map(\.1).reduce(0, +)
        func category() -> WorkCategory {
            var pick = rng.next(total)
            for (category, weight) in weights {
                if pick < weight { return category }
                pick -= weight
            }
            return .cleaning
        }
        var orders: [WorkOrder] = []
        var events: [WorkOrderEvent] = []
        var signals: [DemandSignal] = []
        func event(_ order: WorkOrder, _ action: String, _ actor: UUID?, _ note: String, _ at: Date) {
            let row = WorkOrderEvent()
            row.id = UUID()
            row.orderID = order.id!
            row.action = action
            row.actorID = actor
            row.note = note
            row.at = at
            events.append(row)
        }
        let today = Calendar.china.startOfDay(for: now)
        for day in stride(from: 180, through: 0, by: -1) {
            let start = today.addingTimeInterval(-Double(day) * 86_400)
            for _ in 0..<(5 + rng.next(8)) {
                let created = start.addingTimeInterval(Double(7 * 3600 + rng.next(14 * 3600)))
                guard created < now else { continue }
                let home = homes[rng.next(homes.count)]
                let people = residents[home.id!] ?? []
                let kind = category()
                let order = WorkOrder()
                order.id = UUID()
                order.communityID = community
                order.householdID = home.id!
                order.filedBy = people[rng.next(people.count)].personID
                order.channel = ["app", "app", "app", "phone", "tv", "kiosk"][rng.next(6)]
                order.category = kind
                let lines = texts[kind] ?? ["需要帮助"]
                order.description = lines[rng.next(lines.count)]
                order.place = ""
                (order.respondBy, order.completeBy) = WorkOrderRules.deadlines(kind, from: created)
                order.createdAt = created
                let fits = staff.filter { $0.skills.contains(kind.skill) }
                let assignee = (fits.isEmpty ? staff : fits)[rng.next(fits.isEmpty ? staff.count : fits.count)].id
                order.assigneeID = assignee
                event(order, "filed", order.filedBy, order.channel, created)
                event(order, "assigned", nil, assignee.uuidString, created)
                signals.append(
                    {
                        let s = DemandSignal()
                        s.communityID = community
                        s.kind = .request
                        s.subject = kind.rawValue
                        s.householdID = home.id
                        s.buildingID = home.buildingID
                        s.at = created
                        return s
                    }())
                let late = rng.next(10) == 0
                let accepted = created.addingTimeInterval(
                    Double(kind.responseMinutes * 60) * (late ? 1.5 : Double(1 + rng.next(8)) / 10))
                let finished = created.addingTimeInterval(
                    Double(kind.completionMinutes * 60) * (late ? 1.3 : Double(2 + rng.next(7)) / 10))
                var status = WorkStatus.submitted
                if accepted < now {
                    status = .accepted
                    event(order, "accept", assignee, "", accepted)
                    if late { order.escalatedAt = order.respondBy }
                }
                if status == .accepted, accepted.addingTimeInterval(600) < now, kind.rawValue.hasPrefix("repair") {
                    status = .onTheWay
                    event(order, "depart", assignee, "", accepted.addingTimeInterval(600))
                }
                if status != .submitted, finished < now {
                    status = .done
                    order.doneAt = finished
                    event(order, "complete", assignee, "", finished)
                    let rated = finished.addingTimeInterval(Double(600 + rng.next(20_000)))
                    if rated < now, rng.next(10) < 8 {
                        let stars = [5, 5, 5, 5, 5, 5, 4, 4, 4, 3, 2][rng.next(11)] - (late ? 1 : 0)
                        order.rating = max(1, stars)
                        order.ratingComment = stars >= 5 ? ["师傅很专业", "很及时，谢谢", "态度好"][rng.next(3)] : nil
                        status = .confirmed
                        event(order, "rated", order.filedBy, "\(order.rating!)", rated)
                        event(order, "confirm", order.filedBy, "", rated)
                    } else if finished.addingTimeInterval(WorkOrderRules.autoConfirmAfter) < now {
                        status = .confirmed
                        event(
                            order, "confirm", nil, "auto", finished.addingTimeInterval(WorkOrderRules.autoConfirmAfter))
                    }
                }
                order.status = status
                order.updatedAt = events.last?.at ?? created
                orders.append(order)
            }
        }
        try await orders.create(inChunksOn: db)
        try await events.create(inChunksOn: db)
        try await signals.create(inChunksOn: db)
    }
}
