import Fluent
import Foundation
import LinliCore
import Vapor

/// Fills an empty database with 礼嘉智慧小区 (6 buildings, 480 households, about 1,200 residents),
/// its staff, and a second community that shows the tenancy boundary. Deterministic: same data every run.
enum DemoSeed {
    static let password = "linli-demo"

    struct Login {
        let phone: String
        let name: String
        let what: String
    }

    static let logins: [Login] = [
        .init(phone: "13800000000", name: "陈志强", what: "operator / 运营管理员"),
        .init(phone: "13800000001", name: "刘芳", what: "property staff / 物业人员"),
        .init(phone: "13800000002", name: "张伟", what: "guard / 保安"),
        .init(phone: "13800000003", name: "赵丽", what: "community worker / 社区工作者"),
        .init(phone: "13900000001", name: "王建华", what: "resident, owner with family / 业主（有家人）"),
        .init(phone: "13900000002", name: "李秀英", what: "elderly resident living alone / 独居老人"),
        .init(phone: "13900000003", name: "周杰", what: "resident of another household / 另一户居民"),
        .init(phone: "13800000100", name: "孙磊", what: "operator of 嘉园社区 (the other community)"),
    ]

    static func banner(hostname: String, port: Int, simulate: Bool = false) -> String {
        var lines = [
            "", "邻里 Linli demo is serving at http://\(hostname):\(port)/", "Demo logins (password \(password)):",
        ]
        for login in logins { lines.append("  \(login.phone)  \(login.name)  \(login.what)") }
        lines.append(
            "Devices: \(DemoDevices.specs.count) of every type; token of the first is \(DemoDevices.token(1)), e.g.")
        lines.append("  curl -d '{\"passages\":3}' http://\(hostname):\(port)/api/v1/\(DemoDevices.token(1))/telemetry")
        lines.append(
            "Provisioning key \(DemoDevices.provisionKey), secret \(DemoDevices.provisionSecret)"
                + (simulate ? "; the simulator drives the demo devices (--no-simulate to stop it)." : "."))
        lines.append("")
        return lines.joined(separator: "\n")
    }

    static func seedIfEmpty(_ db: any Database, reset: Bool, logger: Logger, today: String) async throws {
        if try await Community.query(on: db).count() > 0 { return }
        let started = Date()
        let hash = try Bcrypt.hash(password, cost: 12)
        var rng = SeededRandom(seed: 20_261_126)
        let lijia = Community(id: UUID(), name: "礼嘉智慧小区", address: "重庆市渝北区礼嘉街道礼嘉大道 88 号")
        let jiayuan = Community(id: UUID(), name: "嘉园社区", address: "重庆市渝北区礼嘉街道嘉园路 6 号")
        var buildings: [Building] = []
        var households: [Household] = []
        var people: [Person] = []
        var memberships: [Membership] = []
        var staff: [StaffAssignment] = []
        let lijiaID = lijia.id ?? UUID()
        let jiayuanID = jiayuan.id ?? UUID()

        for number in 1...6 {
            let building = Building(id: UUID(), communityID: lijiaID, name: "\(number)栋", floors: 20)
            buildings.append(building)
            for floor in 1...20 {
                for unit in 1...4 {
                    households.append(
                        Household(
                            id: UUID(), communityID: lijiaID, buildingID: building.id ?? UUID(), floor: floor,
                            room: "\(floor)\(String(format: "%02d", unit))",
                            areaM2: [68.5, 89.2, 105.0, 126.8][unit - 1]))
                }
            }
        }
        let otherBuilding = Building(id: UUID(), communityID: jiayuanID, name: "A栋", floors: 6)
        buildings.append(otherBuilding)
        for room in ["101", "102", "201", "202"] {
            households.append(
                Household(
                    id: UUID(), communityID: jiayuanID, buildingID: otherBuilding.id ?? UUID(),
                    floor: Int(room.prefix(1)) ?? 1, room: room, areaM2: 75))
        }

        func login(_ index: Int, birthYear: Int? = nil, elderly: Bool = false, alone: Bool = false) -> Person {
            let l = logins[index]
            let person = Person(
                id: UUID(), name: l.name, phone: l.phone, birthYear: birthYear, isElderly: elderly,
                livesAlone: alone, passwordHash: hash)
            people.append(person)
            return person
        }
        let roles: [StaffRole] = [.operator_, .propertyStaff, .guard_, .communityWorker]
        for (index, role) in roles.enumerated() {
            staff.append(
                StaffAssignment(id: UUID(), communityID: lijiaID, personID: login(index).id ?? UUID(), role: role))
        }
        let otherOperator = login(7, birthYear: 1979)
        staff.append(
            StaffAssignment(id: UUID(), communityID: jiayuanID, personID: otherOperator.id ?? UUID(), role: .operator_))

        func place(_ building: Int, _ room: String) -> Household? {
            let buildingID = buildings[building - 1].id
            return households.first { $0.buildingID == buildingID && $0.room == room }
        }
        var taken = Set<UUID>()
        func join(_ person: Person, _ household: Household?, _ relation: HouseholdRelation, since: String) {
            guard let household, let hid = household.id, let pid = person.id else { return }
            taken.insert(hid)
            memberships.append(
                Membership(
                    id: UUID(), communityID: household.communityID, householdID: hid,
                    personID: pid, relation: relation, movedIn: since))
        }
        var phoneCounter = 0
        func newPhone() -> String {
            phoneCounter += 1
            return "137" + String(format: "%08d", 10_000_000 + phoneCounter * 7)
        }
        func resident(_ name: String, year: Int, elderly: Bool = false, alone: Bool = false) -> Person {
            let person = Person(
                id: UUID(), name: name, phone: newPhone(), birthYear: year, isElderly: elderly,
                livesAlone: alone, isChild: year >= 2012)
            people.append(person)
            return person
        }

        // The fixed resident logins.
        let owner = login(4, birthYear: 1982)
        join(owner, place(1, "101"), .owner, since: "2019-06-01")
        join(resident("陈静", year: 1985), place(1, "101"), .family, since: "2019-06-01")
        join(resident("王子涵", year: 2015), place(1, "101"), .family, since: "2019-06-01")
        join(resident("王德明", year: 1952, elderly: true), place(1, "101"), .family, since: "2021-03-15")
        join(login(5, birthYear: 1942, elderly: true, alone: true), place(2, "302"), .owner, since: "2016-09-01")
        join(login(6, birthYear: 1990), place(3, "503"), .tenant, since: "2024-02-20")
        join(resident("吴桂兰", year: 1958, elderly: true), place(3, "503"), .family, since: "2024-02-20")
        join(otherOperator, households.first { $0.buildingID == otherBuilding.id }, .owner, since: "2018-01-01")

        // Everyone else: families, couples, tenants, elderly people living alone.
        for household in households where household.communityID == lijiaID && !taken.contains(household.id ?? UUID()) {
            let surname = Names.surnames[rng.next(Names.surnames.count)]
            let since =
                "20\(String(format: "%02d", 12 + rng.next(13)))-\(String(format: "%02d", 1 + rng.next(12)))-\(String(format: "%02d", 1 + rng.next(28)))"
            let roll = rng.next(100)
            if roll < 9 {
                join(
                    resident(Names.full(surname, &rng), year: 1935 + rng.next(20), elderly: true, alone: true),
                    household, .owner, since: since)
            } else if roll < 16 {
                join(resident(Names.full(surname, &rng), year: 1990 + rng.next(12)), household, .tenant, since: since)
            } else if roll < 24 {
                // Vacant: bought but not lived in yet.
                continue
            } else {
                let parentYear = 1960 + rng.next(35)
                join(resident(Names.full(surname, &rng), year: parentYear), household, .owner, since: since)
                join(
                    resident(
                        Names.full(Names.surnames[rng.next(Names.surnames.count)], &rng), year: parentYear + rng.next(5)
                    ),
                    household, .family, since: since)
                for _ in 0..<rng.next(3) {
                    join(
                        resident(Names.full(surname, &rng), year: max(parentYear + 22, 2008 + rng.next(17))), household,
                        .family, since: since)
                }
                if rng.next(100) < 30 {
                    join(
                        resident(Names.full(surname, &rng), year: parentYear - 25 - rng.next(8), elderly: true),
                        household, .family, since: since)
                }
            }
        }
        // A little history: one family moved out last year.
        if let first = memberships.first(where: { $0.relation == .tenant && $0.movedIn < "2023-01-01" }) {
            first.movedOut = "2025-08-31"
        }

        let all = (lijia, jiayuan, buildings, households, people, memberships, staff)
        try await db.writeTransaction { db in
            try await all.0.create(on: db)
            try await all.1.create(on: db)
            try await all.2.create(on: db)
            try await all.3.create(inChunksOn: db)
            try await all.4.create(inChunksOn: db)
            try await all.5.create(inChunksOn: db)
            try await all.6.create(on: db)
            // Each feature adds its part (devices, gates, contacts, notices, services, work orders).
            let world = DemoWorld(
                community: lijiaID, buildings: all.2, households: all.3, memberships: all.5, staff: all.6,
                passwordHash: hash, now: Date())
            for feature in Features.all { try await feature.seedDemo(world, on: db) }
        }
        logger.info(
            "demo seeded",
            metadata: [
                "households": "\(households.count)", "people": "\(people.count)", "memberships": "\(memberships.count)",
                "seconds": "\(String(format: "%.1f", Date().timeIntervalSince(started)))",
            ])
    }
}

enum Names {
    static let surnames = [
        "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
        "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    ]
    static let given = [
        "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
        "明", "超", "秀兰", "霞", "平", "刚", "桂英", "建国", "建华", "志强", "晓燕", "婷", "欣怡", "子轩",
        "浩然", "雨涵", "梓萱", "俊杰", "玉兰", "德华", "淑珍", "红梅", "海燕", "宇航",
    ]

    static func full(_ surname: String, _ rng: inout SeededRandom) -> String {
        surname + given[rng.next(given.count)]
    }
}

extension Array where Element: Model {
    /// Inserts the rows 500 at a time (one statement each), for seeds and imports of many rows.
    func create(inChunksOn db: any Database) async throws {
        for start in stride(from: 0, to: count, by: 500) {
            try await Array(self[start..<Swift.min(start + 500, count)]).create(on: db)
        }
    }
}
