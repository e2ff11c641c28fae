import Fluent
import Foundation
import LinliCore
import SQLKit

/// The demo's household meters: water and electricity meters in ten homes of 1栋 (101 keeps its
/// own two, the others get theirs here), each with six months of hourly readings of a household's
/// life — a family, a couple, someone elderly living alone who uses little, and one home (1栋202) whose
/// toilet has been running for ten days. Then three months of bills (the job's own `Billing.issue`),
/// mostly paid at the desk, online or from the wallet; a few homes are behind (the arrears list).
enum DemoMeters {
    static let rooms = ["101", "102", "103", "104", "201", "202", "203", "204", "301", "302"]
    static let runningToilet = "202"
    /// A rental home on prepaid meters (a balance of 36.50 元 topped up last week).
    static let prepaidHome = "302"
    /// A home of 1栋 that never pays (besides the few others the demo's numbers pick).
    static let neverPays: Set<String> = ["204"]

    static func seed(_ world: DemoWorld, on db: any Database) async throws {
        guard let building = world.communityBuildings.first(where: { $0.name == "1栋" }) else { return }
        let homes = world.communityHouseholds.filter { $0.buildingID == building.id && rooms.contains($0.room) }
            .sorted { $0.room < $1.room }
        let existing = try await Device.query(on: db).filter(\.$householdID ~~ homes.compactMap(\.id))
            .filter(\.$type ~~ ["water_meter", "electricity_meter"]).all()
        let now = Int64(world.now.timeIntervalSince1970 * 1000)
        let end = TimeBuckets.start(of: now, .hour)
        let start = end - 183 * 86_400_000
        var batches: [TelemetryBatch] = []
        var latest: [UUID: [String: Double]] = [:]
        var created: [Device] = []
        for (index, home) in homes.enumerated() {
            guard let id = home.id else { continue }
            let people = world.communityMemberships.filter { $0.householdID == id && $0.movedOut == nil }.count
            for kind in Usage.Kind.allCases {
                let device =
                    existing.first { $0.householdID == id && $0.type == kind.deviceType }
                    ?? {
                        let d = Device()
                        d.id = UUID()
                        d.communityID = world.community
                        d.type = kind.deviceType
                        d.name = "1栋\(home.room)" + (kind == .water ? "水表" : "电表")
                        d.serial = String(format: "LJ-M%03d", index * 2 + (kind == .water ? 1 : 2))
                        d.buildingID = building.id
                        d.householdID = id
                        d.attributes = #"{"installer":"重庆礼嘉物业","installed":"2025-06-01"}"#
                        d.clientAttributes = "{}"
                        d.sharedAttributes = "{}"
                        d.tokenHash = Secret.hash(Secret.alphanumeric(32))
                        d.disabled = false
                        d.provisioned = false
                        created.append(d)
                        return d
                    }()
                var rng = SeededRandom(seed: UInt64(index + 1) * 7_919 + (kind == .water ? 0 : 104_729))
                let life = Life(people: max(people, 1), elderlyAlone: people == 1, toiletFrom: home.room == runningToilet ? now - 10 * 86_400_000 : nil)
                let readings = life.readings(kind, from: start, to: end, using: &rng)
                if case .number(let total)? = readings.last?.value { latest[id, default: [:]][kind.rawValue] = total }
                batches.append(TelemetryBatch(device: try DeviceRef(device), readings: readings, receivedAt: end))
            }
        }
        try await created.create(on: db)
        // The batches as they would have come, a meter at a time.
        for batch in batches { _ = try await TelemetryStore.insert([batch], on: db) }
        try await bills(world, on: db)
        if let home = homes.first(where: { $0.room == prepaidHome }), let id = home.id {
            let account = PrepaidAccount()
            account.communityID = world.community
            account.householdID = id
            account.enabled = true
            account.lowFen = 2_000
            account.graceHours = 24
            account.debtFen = 0
            account.chargedTo = latest[id] ?? [:]
            account.chargedAt = end
            account.lowTold = false
            account.updatedAt = world.now
            try await account.create(on: db)
            try await Books.post(
                .transfer(3_650, from: Books.provider(world.community), to: Prepaid.books(id), cause: "top-up:demo-\(id)"),
                community: world.community, at: world.now.addingTimeInterval(-7 * 86_400), on: db)
        }
    }

    /// How a home lives, hour by hour.
    struct Life {
        let people: Int
        let elderlyAlone: Bool
        let toiletFrom: Int64?

        /// Share of a day's use in each hour (China time): mornings and evenings.
        static let waterShape: [Double] = [
            0.005, 0, 0, 0, 0, 0.01, 0.06, 0.12, 0.09, 0.05, 0.04, 0.05, 0.07, 0.04, 0.03, 0.03, 0.03, 0.04, 0.07,
            0.09, 0.08, 0.06, 0.03, 0.015,
        ]
        static let powerShape: [Double] = [
            0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.03, 0.05, 0.05, 0.04, 0.04, 0.04, 0.05, 0.04, 0.04, 0.04, 0.04, 0.05,
            0.07, 0.08, 0.08, 0.07, 0.05, 0.03,
        ]

        func readings(_ kind: Usage.Kind, from start: Int64, to end: Int64, using rng: inout SeededRandom) -> [Reading] {
            var total = Double.random(in: 200...2_000, using: &rng).rounded()
            var out: [Reading] = []
            out.reserveCapacity(Int((end - start) / 3_600_000) + 1)
            var ts = start
            while ts <= end {
                out.append(Reading(key: kind.key, ts: ts, value: .number((total * 1000).rounded() / 1000)))
                let hour = Int(((ts + TimeBuckets.offset) % 86_400_000) / 3_600_000)
                let month = TimeBuckets.yearMonth(ts).1
                switch kind {
                case .water:
                    // 120 L a person a day (70 for someone elderly alone); some hours nobody runs a tap.
                    let perDay = Double(people) * (elderlyAlone ? 0.07 : 0.12)
                    var used = rng.chance(0.8) ? perDay * Self.waterShape[hour] * Double.random(in: 0.4...1.6, using: &rng) : 0
                    if let toiletFrom, ts >= toiletFrom { used += 0.008 }
                    total += used
                case .electricity:
                    // A fridge all day; air conditioning in summer, heating in winter.
                    let season = (6...9).contains(month) ? 1.7 : [12, 1, 2].contains(month) ? 1.3 : 1.0
                    let perDay = (elderlyAlone ? 2.0 : 2.5 + 1.5 * Double(people)) * season
                    total += 0.04 + perDay * Self.powerShape[hour] * Double.random(in: 0.5...1.5, using: &rng)
                }
                ts += 3_600_000
            }
            return out
        }
    }

    /// The last three finished months billed; the older two mostly paid (desk, online, wallet), the
    /// last paid by some; 1栋204 never pays and 1栋101's last bill is left for its owner to pay.
    static func bills(_ world: DemoWorld, on db: any Database) async throws {
        let now = Int64(world.now.timeIntervalSince1970 * 1000)
        var monthStart = TimeBuckets.start(of: now, .month)
        var periods: [String] = []
        for _ in 0..<3 {
            monthStart = TimeBuckets.start(of: monthStart - 1, .month)
            periods.insert(Billing.period(of: monthStart), at: 0)
        }
        for period in periods {
            // Issued on the next month's first morning, as the job would have.
            guard let (_, end) = Billing.bounds(period) else { continue }
            try await Billing.issue(world.community, period: period, now: Date(timeIntervalSince1970: Double(end) / 1000 + 7_200), on: db)
        }
        let homes = Dictionary(uniqueKeysWithValues: world.communityHouseholds.compactMap { h in h.id.map { ($0, h) } })
        let buildings = Dictionary(uniqueKeysWithValues: world.communityBuildings.compactMap { b in b.id.map { ($0, b.name) } })
        let bills = try await Bill.query(on: db).filter(\.$communityID == world.community).all()
        let desk = world.staffMember(.propertyStaff)
        var payments: [BillPayment] = []
        var paid: [UUID] = []
        var halves: [UUID] = []
        let channels: [BillPayment.Channel] = [.online, .online, .cash, .transfer, .card, .online]
        for bill in bills {
            guard let id = bill.id, let home = homes[bill.householdID] else { continue }
            let where_ = "\(buildings[home.buildingID] ?? "") \(home.room)"
            // A stable number per home (FNV-1a of its name), so every demo is the same.
            let seed = Int(where_.utf8.reduce(UInt64(14_695_981_039_346_656_037)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 } % 1_000_003)
            let last = bill.period == periods.last
            let behind = seed % 29 == 0 || (where_.hasPrefix("1栋") && neverPays.contains(home.room))
            if behind || (last && (seed % 5 < 3 || where_ == "1栋 101")) { continue }
            // Some of the older ones paid in part (the rest is still owed).
            let part = !last && seed % 37 == 0
            let amount = part ? bill.totalFen / 2 : bill.totalFen
            guard amount > 0 else { continue }
            let payment = BillPayment()
            payment.id = UUID()
            payment.communityID = world.community
            payment.billID = id
            payment.amountFen = amount
            payment.channel = channels[seed % channels.count]
            payment.requestKey = "demo"
            payment.receiptNo = "R" + bill.period.replacingOccurrences(of: "-", with: "") + "-" + Secret.alphanumeric(8).uppercased()
            payment.recordedBy = payment.channel.atTheDesk ? desk : (try? world.personID(in: bill.householdID)) ?? desk
            payment.createdAt = bill.issuedAt.addingTimeInterval(Double(seed % 15 + 1) * 86_400)
            payments.append(payment)
            if part { halves.append(id) } else { paid.append(id) }
        }
        try await payments.create(inChunksOn: db)
        // The bills' paid amounts, a few statements for all of them.
        for (ids, paidFen, status) in [(paid, "total_fen", "paid"), (halves, "total_fen / 2", "partial")] {
            for chunk in stride(from: 0, to: ids.count, by: 400).map({ Array(ids[$0..<min($0 + 400, ids.count)]) }) {
                guard let sql = db as? any SQLDatabase else { continue }
                try await sql.update(Bill.schema).set("paid_fen", to: SQLRaw(paidFen)).set("status", to: SQLBind(status))
                    .where(SQLIdentifier("id"), .in, SQLGroupExpression(SQLList(chunk.map { SQLBind($0) }))).run()
            }
        }
    }
}

extension DemoWorld {
    /// Someone living in the household (for a payment the household made itself).
    func personID(in household: UUID) throws -> UUID? {
        communityMemberships.first { $0.householdID == household && $0.movedOut == nil }?.personID
    }
}

extension Meters {
    static var deviceTypes: [DeviceType] { MeterDevices.types }

    static var demoDevices: [DemoDevices.Spec] {
        [
            // 1栋101's meters have six months of a household's life from the meters' own demo (`DemoMeters`).
            DemoDevices.Spec(28, "1栋101水表", "water_meter", building: "1栋", room: "101", idle: true),
            DemoDevices.Spec(29, "2栋302水表", "water_meter", building: "2栋", room: "302"),
            DemoDevices.Spec(30, "泵房总水表", "water_meter", zone: "泵房"),
            DemoDevices.Spec(31, "1栋101电表", "electricity_meter", building: "1栋", room: "101", idle: true),
            DemoDevices.Spec(32, "公共照明电表", "electricity_meter", zone: "配电房"),
        ]
    }
}
