import Fluent
import Foundation
import LinliCore
import Vapor

struct RecyclingPinInput: Content {
    let pin: String?
}

struct PriceListInput: Content {
    let effectiveFrom: Date?
    let prices: [RecyclingBoxPrice]?
}

struct PriceVersionRead: Content, Equatable {
    let box: String
    let pricePerKgFen: Int64
    let effectiveFrom: Date
}

struct PriceListRead: Content, Equatable {
    /// In force now, one per box that has a price.
    let current: [PriceVersionRead]
    /// Set for later, in order.
    let upcoming: [PriceVersionRead]
}

struct WalletRead: Content, Equatable {
    let householdID: UUID
    let balanceFen: Int64
    /// Since the reader moved in: kg and money per box.
    let recycling: [RecyclingTotal]
}

struct RecyclingTotal: Content, Equatable {
    let box: String
    let netGrams: Int64
    let creditedFen: Int64
}

struct WalletEntryRead: Content, Equatable {
    let at: Date
    /// Into the wallet (+) or out of it (−).
    let fen: Int64
    let balanceFen: Int64
    /// What caused it: `weighing`, `withdrawal`, `withdrawal_returned`, `bill`.
    let kind: String
}

extension Sorting {
    static let walletEntries = Sorting(keys: ["created_at"], defaultSort: "-created_at")
}

/// Residents' wallets and PINs, operators' prices, the bins' sign-in and weighings.
enum WalletAPI {
    static let home = "/api/v1/me/households/{householdID}/wallet"
    static let prices = RegistryAPI.c + "/recycling/prices"

    static func register(_ app: Application) {
        let (open, api) = app.api
        open.register(
            .init(
                method: .POST, path: "/api/v1/devices/recycling/sessions", operationID: "signInAtRecyclingBin",
                summary: "Recycling bin: sign a resident in by phone and PIN; the day's price per kg of each box (device token as bearer)",
                tag: "wallet", authority: .device, body: WalletSchemas.signIn, status: .created,
                response: Schema.ref("RecyclingSession")), in: app, signInAtRecyclingBin)
        open.register(
            .init(
                method: .POST, path: "/api/v1/devices/recycling/weighings", operationID: "reportRecyclingWeighing",
                summary: "Recycling bin: a weighing in a session; credits net × price once per event id (device token as bearer)",
                tag: "wallet", authority: .device, body: WalletSchemas.weighing, response: Schema.ref("WeighingResult")),
            in: app, reportRecyclingWeighing)
        api.register(
            .init(
                method: .PUT, path: "/api/v1/me/recycling-pin", operationID: "setRecyclingPin",
                summary: "Set or reset my PIN for the recycling bins (4–6 digits; never shown again)", tag: "wallet", authority: .signedIn,
                body: WalletSchemas.pin, status: .noContent), in: app, setRecyclingPin)
        api.register(
            .init(
                method: .GET, path: home, operationID: "getWallet",
                summary: "The household's wallet: balance and what recycling brought since I moved in", tag: "wallet", authority: .resident,
                response: Schema.ref("Wallet")), in: app, getWallet)
        api.register(
            .init(
                method: .GET, path: home + "/entries", operationID: "listWalletEntries",
                summary: "The wallet's history since I moved in, newest first", tag: "wallet", authority: .resident,
                response: Schema.page(of: "WalletEntry"), query: Endpoint.listQuery(.walletEntries)), in: app, listWalletEntries)
        api.register(
            .init(
                method: .POST, path: home + "/withdrawals", operationID: "withdrawFromWallet",
                summary: "Pay money out of the wallet to me (from 10 元; the same requestKey again answers the same withdrawal)",
                tag: "wallet", authority: .resident, body: WalletSchemas.withdrawal, status: .created, response: Schema.ref("WalletWithdrawal")),
            in: app, withdrawFromWallet)
        api.register(
            .init(
                method: .GET, path: RegistryAPI.c + "/recycling/reconciliations", operationID: "listRecyclingReconciliations",
                summary: "The daily reconciliation of each bin: expected (Σ net × price), credited and booked fen; differences",
                tag: "wallet", authority: .community { .manageFinance($0) }, response: Schema.page(of: "RecyclingReconciliation"),
                query: Endpoint.listQuery(.reconciliations)), in: app, listRecyclingReconciliations)
        api.register(
            .init(
                method: .GET, path: prices, operationID: "getRecyclingPrices",
                summary: "The recycling prices in force and those set for later", tag: "wallet", authority: .community { .viewDevices($0) },
                response: Schema.ref("RecyclingPriceList")), in: app, getRecyclingPrices)
        api.register(
            .init(
                method: .POST, path: prices, operationID: "setRecyclingPrices",
                summary: "A new price for some boxes from a moment on (now or later, never in the past)", tag: "wallet", authority: .community { .manageFinance($0) },
                body: WalletSchemas.priceList, status: .created, response: Schema.ref("RecyclingPriceList")), in: app, setRecyclingPrices)
    }

    static func setPIN(_ input: RecyclingPinInput, on req: Request) async throws {
        guard let pin = input.pin, Recycling.validPIN(pin) else { throw LinliError.invalid("pin", "invalid_pin") }
        let person = try req.user().principal.personID
        let now = req.clock.now()
        let row = try await RecyclingPin.query(on: req.db).filter(\.$personID == person).first() ?? RecyclingPin()
        row.personID = person
        row.pinHash = try await req.password.async.hash(pin)
        row.updatedAt = now
        row.failedAttempts = 0
        try await row.save(on: req.db)
    }

    static func since(_ household: UUID, _ req: Request) throws -> Date {
        try req.user().principal.residentSince[household] ?? .distantPast
    }

    static func wallet(_ household: Household, on req: Request) async throws -> WalletRead {
        let id = try household.requireID()
        let since = try since(id, req)
        let weighings = try await RecyclingWeighing.query(on: req.db).filter(\.$householdID == id)
            .filter(\.$createdAt >= since).all()
        var totals: [RecyclingCredit.Box: (Int64, Int64)] = [:]
        for row in weighings { totals[row.box, default: (0, 0)].0 += row.netGrams; totals[row.box]?.1 += row.creditedFen }
        return WalletRead(
            householdID: id, balanceFen: try await Books.balance(Books.wallet(id), on: req.db),
            recycling: RecyclingCredit.Box.allCases.compactMap { box in
                totals[box].map { RecyclingTotal(box: box.rawValue, netGrams: $0.0, creditedFen: $0.1) }
            })
    }

    static func entries(_ household: Household, on req: Request) async throws -> ListPage<WalletEntryRead> {
        let id = try household.requireID()
        let options = try req.listOptions(.walletEntries)
        let page = try await Books.statement(Books.wallet(id), since: try since(id, req), options, on: req.db)
        return ListPage(
            items: page.items.map {
                WalletEntryRead(at: $0.at, fen: $0.fen, balanceFen: $0.balanceAfter, kind: kind(of: $0.cause))
            }, metadata: page.metadata)
    }

    /// `weighing:<id>` → weighing; `withdrawal:<id>:returned` → withdrawal_returned.
    static func kind(of cause: String) -> String {
        let parts = cause.split(separator: ":")
        guard let first = parts.first else { return "other" }
        return parts.count > 2 ? "\(first)_\(parts[2])" : String(first)
    }

    static func priceList(_ community: UUID, now: Date, on db: any Database) async throws -> PriceListRead {
        let current = try await Recycling.inForce(community, at: now, on: db)
        let later = try await RecyclingPrice.query(on: db).filter(\.$communityID == community)
            .filter(\.$effectiveFrom > now).sort(\.$effectiveFrom).all()
        func read(_ row: RecyclingPrice) -> PriceVersionRead {
            PriceVersionRead(box: row.box.rawValue, pricePerKgFen: row.pricePerKgFen, effectiveFrom: row.effectiveFrom)
        }
        return PriceListRead(current: current.map(read), upcoming: later.map(read))
    }

    /// A price list from `effectiveFrom` (default now). A moment already past is refused: a weighing
    /// already credited keeps its price.
    static func setPrices(_ community: UUID, _ input: PriceListInput, on req: Request) async throws -> PriceListRead {
        let now = req.clock.now()
        let from = input.effectiveFrom ?? now
        var v = Validation()
        if from < now.addingTimeInterval(-60) { v.fail("effectiveFrom", "in_the_past") }
        let prices = input.prices ?? []
        if prices.isEmpty { v.fail("prices", "missing_value") }
        if prices.count > RecyclingCredit.Box.allCases.count { v.fail("prices", "too_many") }
        var seen: Set<String> = []
        for (index, price) in prices.enumerated() {
            if RecyclingCredit.Box(rawValue: price.box) == nil { v.fail("prices[\(index)].box", "unknown_box") }
            if !seen.insert(price.box).inserted { v.fail("prices[\(index)].box", "duplicate") }
            v.range(price.pricePerKgFen, "prices[\(index)].pricePerKgFen", 0...100_000)
        }
        try v.check()
        let by = try req.user().principal.personID
        try await req.db.writeTransaction { tx in
            for price in prices {
                guard let box = RecyclingCredit.Box(rawValue: price.box) else { continue }
                let row = RecyclingPrice()
                row.communityID = community
                row.box = box
                row.pricePerKgFen = price.pricePerKgFen
                row.effectiveFrom = max(from, now)
                row.createdBy = by
                row.createdAt = now
                try await row.create(on: tx)
            }
            try await Audit.record(
                .create, "recycling_prices", id: nil, community: community, after: prices, by: req, on: tx)
        }
        return try await priceList(community, now: now, on: req.db)
    }
}
