import Fluent
import Foundation
import LinliCore
import Vapor

/// The demo's recycling and wallets: prices for the five paid boxes (paper went from 0.80 to 0.90 元/kg
/// 45 days ago), a bin PIN 2468 for every resident who owns a home, three months of weighings at
/// 中心广场回收箱 by a quarter of the households (王建华's among them), credited through the ledger like the live ones, and a
/// withdrawal by each household that reached 10 元.
enum DemoWallet {
    static let pin = "2468"

    static func seed(_ world: DemoWorld, on db: any Database) async throws {
        guard
            let binID = try await Device.query(on: db).filter(\.$communityID == world.community)
                .filter(\.$type == "recycling_bin").first()?.id
        else { return }
        let community = world.community
        let now = world.now
        let start = now.addingTimeInterval(-92 * 86_400)
        let operatorID = world.staffMember(.operator_)
        func price(_ box: RecyclingCredit.Box, _ fen: Int64, from: Date) async throws -> RecyclingPrice {
            let row = RecyclingPrice()
            row.id = UUID()
            row.communityID = community
            row.box = box
            row.pricePerKgFen = fen
            row.effectiveFrom = from
            row.createdBy = operatorID
            row.createdAt = from
            try await row.create(on: db)
            return row
        }
        var first: [RecyclingCredit.Box: RecyclingPrice] = [:]
        for (box, fen) in [(RecyclingCredit.Box.textile, Int64(40)), (.metal, 150), (.plastic, 60), (.bottles, 50), (.paper, 80), (.glass, 0)] {
            first[box] = try await price(box, fen, from: start)
        }
        let change = now.addingTimeInterval(-45 * 86_400)
        let paper2 = try await price(.paper, 90, from: change)
        // Owners get the demo PIN.
        // One bcrypt hash for all of them: a demo shares its PIN anyway, and a few hundred hashes would
        // cost the demo's start minutes.
        let owners = world.communityMemberships.filter { $0.relation == .owner && $0.movedOut == nil }
        let pinHash = try Bcrypt.hash(pin, cost: 10)
        for owner in owners {
            let row = RecyclingPin()
            row.personID = owner.personID
            row.pinHash = pinHash
            row.failedAttempts = 0
            row.updatedAt = start
            try await row.create(on: db)
        }
        var rng = SeededRandom(seed: 20_261_214)
        var sessions: [RecyclingSession] = []
        var weighings: [RecyclingWeighing] = []
        let boxes: [RecyclingCredit.Box] = [.paper, .paper, .plastic, .bottles, .metal, .textile, .glass]
        for (index, owner) in owners.enumerated() where index % 4 == 0 {
            var at = start.addingTimeInterval(Double(rng.next(7 * 86_400)))
            var event = 0
            let wallet = Books.wallet(owner.householdID)
            var balance: Int64 = 0
            while at < now.addingTimeInterval(-3600) {
                // One visit to the bin: a sign-in and one weighing.
                let session = RecyclingSession()
                session.id = UUID()
                session.communityID = community
                session.deviceID = binID
                session.personID = owner.personID
                session.householdID = owner.householdID
                session.createdAt = at
                session.expiresAt = at.addingTimeInterval(Recycling.sessionLength)
                sessions.append(session)
                let box = boxes[rng.next(boxes.count)]
                let row = box == .paper && at >= change ? paper2 : (first[box] ?? paper2)
                let net = Int64(300 + rng.next(box == .textile ? 4_000 : 2_500))
                let weighing = RecyclingWeighing()
                weighing.id = UUID()
                weighing.communityID = community
                weighing.deviceID = binID
                event += 1
                weighing.eventID = "demo-\(index)-\(event)"
                weighing.sessionID = try session.requireID()
                weighing.householdID = owner.householdID
                weighing.personID = owner.personID
                weighing.box = box
                weighing.tareGrams = 0
                weighing.grossGrams = net
                weighing.netGrams = net
                weighing.scaleID = "demo-scale-1"
                weighing.priceID = row.id
                weighing.pricePerKgFen = row.pricePerKgFen
                weighing.creditedFen = RecyclingCredit.fen(netGrams: net, pricePerKgFen: row.pricePerKgFen)
                weighing.createdAt = at
                if weighing.creditedFen > 0 {
                    let after = try await Books.post(
                        .transfer(
                            weighing.creditedFen, from: Books.recyclingPayouts(community), to: wallet,
                            cause: "weighing:\(try weighing.requireID())"),
                        community: community, at: at, on: db)
                    balance = after?[wallet] ?? balance
                }
                weighing.balanceFen = balance
                weighings.append(weighing)
                at = at.addingTimeInterval(Double(5 * 86_400 + rng.next(7 * 86_400)))
            }
            // A withdrawal of whole yuan once the wallet reached 10 元 (paid by the test provider).
            guard balance >= Withdrawals.minimumFen else { continue }
            let withdrawal = WalletWithdrawal()
            withdrawal.id = UUID()
            withdrawal.communityID = community
            withdrawal.householdID = owner.householdID
            withdrawal.personID = owner.personID
            withdrawal.amountFen = balance / 100 * 100
            withdrawal.requestKey = "demo"
            withdrawal.status = .paid
            withdrawal.createdAt = now.addingTimeInterval(-1800)  // after the last weighing
            withdrawal.settledAt = withdrawal.createdAt
            try await withdrawal.create(on: db)
            let id = try withdrawal.requireID()
            try await Books.post(
                .transfer(withdrawal.amountFen, from: Books.wallet(owner.householdID), to: Books.provider(community), cause: "withdrawal:\(id)"),
                community: community, at: withdrawal.createdAt, on: db)
            let movement = MoneyMovement(
                community: community, purpose: Withdrawals.purpose, subject: id, kind: .payout,
                cents: Int(withdrawal.amountFen), key: "payout:\(id)", provider: "test", at: withdrawal.createdAt)
            movement.status = .succeeded
            movement.reference = "test-payout-demo-\(index)"
            movement.settledAt = withdrawal.createdAt
            try await movement.create(on: db)
        }
        try await sessions.create(inChunksOn: db)
        try await weighings.create(inChunksOn: db)
    }
}

extension Wallet {
    static var deviceTypes: [DeviceType] { RecyclingDevices.types }

    static var demoDevices: [DemoDevices.Spec] {
        [
            DemoDevices.Spec(27, "中心广场回收箱", "recycling_bin", zone: "中心广场"),
        ]
    }
}
