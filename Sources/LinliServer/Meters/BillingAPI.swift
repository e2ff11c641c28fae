import Fluent
import Foundation
import LinliCore
import SQLKit
import Vapor

struct TariffInput: Content {
    let item: String?
    /// `2026-10-01`: today or later, China time.
    let effectiveFrom: String?
    let tierLimits: [Int64]?
    let prices: [Int64]?
}

struct TariffRead: Content, Equatable {
    let id: UUID
    let item: String
    let effectiveFrom: String
    let tierLimits: [Int64]
    let prices: [Int64]
}

struct IssueInput: Content {
    let period: String?
}

struct BillLineRead: Content, Equatable {
    let item: String
    let versionID: UUID
    let tier: Int
    let quantityMilli: Int64
    let price: Int64
    let amountFen: Int64
}

struct BillRead: Content, Equatable {
    let id: UUID
    let householdID: UUID
    let period: String
    let totalFen: Int64
    let paidFen: Int64
    let status: String
    let dueOn: String
    let lines: [BillLineRead]
}

struct DeskPaymentInput: Content {
    let amountFen: Int64?
    let channel: String?
    let requestKey: String?
}

struct WalletBillPaymentInput: Content {
    let amountFen: Int64?
    let requestKey: String?
}

struct DeskPaymentRead: Content, Equatable {
    let receiptNo: String
    let amountFen: Int64
    let bill: BillRead
}

extension Sorting {
    static let bills = Sorting(keys: ["period"], defaultSort: "-period")
    static let tariffs = Sorting(keys: ["effective_from"], defaultSort: "effective_from")
}

/// Tariffs (operators), bills (residents read theirs; staff list and take payments at the desk).
enum BillingAPI {
    static let c = RegistryAPI.c

    static func register(_ app: Application) {
        let api = app.api.authenticated
        api.register(
            .init(
                method: .POST, path: c + "/tariffs", operationID: "addTariffVersion",
                summary: "A new price version of water, electricity or the property fee from a day on (today or later; never edits an old one)",
                tag: "billing", authority: .community { .manageFinance($0) }, body: BillingSchemas.tariffInput, status: .created, response: Schema.ref("Tariff")), in: app, addTariffVersion)
        api.register(
            .init(
                method: .GET, path: c + "/tariffs", operationID: "listTariffVersions",
                summary: "The price versions, oldest first", tag: "billing", authority: .community { .viewRegistry($0) }, response: Schema.page(of: "Tariff"),
                query: Endpoint.listQuery(.tariffs)), in: app, listTariffVersions)
        api.register(
            .init(
                method: .POST, path: c + "/bills/issue", operationID: "issueBills",
                summary: "Issue a finished month's bills now (the job does it on its own; a month issued again changes nothing)",
                tag: "billing", authority: .community { .manageFinance($0) }, body: BillingSchemas.issueInput, response: Schema.object([("issued", Schema.integer(min: 0))])),
            in: app, issueBills)
        api.register(
            .init(
                method: .GET, path: "/api/v1/me/households/{householdID}/bills", operationID: "listMyBills",
                summary: "The household's bills since I moved in, newest first, with their lines", tag: "billing", authority: .resident,
                response: Schema.page(of: "Bill"), query: Endpoint.listQuery(.bills)), in: app, listMyBills)
        api.register(
            .init(
                method: .POST, path: "/api/v1/me/households/{householdID}/bills/{billID}/payments",
                operationID: "payBillFromWallet",
                summary: "Pay a bill of my household from its wallet (the rest of it unless amountFen; the same requestKey again pays nothing more)",
                tag: "billing", authority: .resident, body: BillingSchemas.walletPayment, status: .created, response: Schema.ref("DeskPayment")),
            in: app, payBillFromWallet)
        api.register(
            .init(
                method: .POST, path: "/api/v1/me/households/{householdID}/bills/{billID}/online-payments",
                operationID: "payBillOnline",
                summary: "Pay a bill of my household online through the payment provider (the rest of it unless amountFen; the same requestKey again charges nothing more; declined: 409 payment_declined)",
                tag: "billing", authority: .resident, body: BillingSchemas.walletPayment, status: .created, response: Schema.ref("DeskPayment")),
            in: app, payBillOnline)
        api.register(
            .init(
                method: .POST, path: c + "/bills/{billID}/payments", operationID: "recordDeskPayment",
                summary: "Record a payment at the service desk (cash, card, transfer); partial payments; a receipt number; the same requestKey again records nothing more",
                tag: "billing", authority: .community { .dispatchWorkOrders($0) }, body: BillingSchemas.deskPayment, status: .created, response: Schema.ref("DeskPayment")),
            in: app, recordDeskPayment)
    }

    static func read(_ row: TariffRow) throws -> TariffRead {
        TariffRead(
            id: try row.requireID(), item: row.item.rawValue, effectiveFrom: row.effectiveFrom, tierLimits: row.tierLimits,
            prices: row.prices)
    }

    static func addTariff(_ community: UUID, _ input: TariffInput, on req: Request) async throws -> TariffRead {
        var v = Validation()
        let item = input.item.flatMap(BillItem.init(rawValue:))
        if item == nil { v.fail("item", "invalid_value") }
        let from = input.effectiveFrom.flatMap(CivilDate.init)
        let today = CivilDate(req.today)
        if from == nil { v.fail("effectiveFrom", "invalid_date") } else if let from, let today, from < today {
            v.fail("effectiveFrom", "in_the_past")
        }
        let limits = input.tierLimits ?? []
        let prices = input.prices ?? []
        if limits.count > 5 { v.fail("tierLimits", "too_many") }
        if item?.isFee == true, !limits.isEmpty || prices.count != 1 { v.fail("prices", "one_price") }
        if item == .lateFee, let rate = prices.first, rate > 100 { v.fail("prices", "out_of_range") }
        if let from, let problem = TariffVersion(id: "new", effectiveFrom: from, tierLimits: limits, prices: prices).check() {
            v.fail(problem == .tiersNotIncreasing ? "tierLimits" : "prices", problem.rawValue)
        }
        if prices.contains(where: { $0 > 100_000_000 }) || limits.contains(where: { $0 > 1_000_000_000_000 }) {
            v.fail("prices", "out_of_range")
        }
        try v.check()
        guard let item, let from else { throw LinliError.invalid("item", "invalid_value") }
        let row = TariffRow()
        row.communityID = community
        row.item = item
        row.effectiveFrom = from.description
        row.tierLimits = limits
        row.prices = prices
        row.createdBy = try req.user().principal.personID
        row.createdAt = req.clock.now()
        try await req.db.writeTransaction { tx in
            try await row.create(on: tx)
            try await Audit.record(.create, "tariff", id: row.id, community: community, after: try read(row), by: req, on: tx)
        }
        return try read(row)
    }

    static func reads(_ bills: [Bill], on db: any Database) async throws -> [BillRead] {
        let lines = try await BillLine.query(on: db).filter(\.$billID ~~ bills.compactMap(\.id)).all()
        return try bills.map { bill in
            let id = try bill.requireID()
            return BillRead(
                id: id, householdID: bill.householdID, period: bill.period, totalFen: bill.totalFen, paidFen: bill.paidFen,
                status: bill.status.rawValue, dueOn: bill.dueOn,
                lines: lines.filter { $0.billID == id }.map {
                    BillLineRead(
                        item: $0.item.rawValue, versionID: $0.versionID, tier: $0.tier, quantityMilli: $0.quantityMilli,
                        price: $0.price, amountFen: $0.amountFen)
                })
        }
    }

    /// A desk payment: one conditional write adds it to the bill unless that would pay more than the
    /// bill, with the payment's row (unique per bill and request key) in the same transaction.
    static func pay(_ billID: UUID, in community: UUID, _ input: DeskPaymentInput, on req: Request) async throws
        -> DeskPaymentRead
    {
        guard let bill = try await Bill.find(billID, on: req.db), bill.communityID == community else {
            throw LinliError(.notFound)
        }
        var v = Validation()
        let key = v.text(input.requestKey, "requestKey", max: 64)
        let channel = input.channel.flatMap(BillPayment.Channel.init(rawValue:))
        if channel == nil || channel?.atTheDesk == false { v.fail("channel", "invalid_value") }
        if let amount = input.amountFen { v.range(amount, "amountFen", 1...100_000_000) } else { v.fail("amountFen", "missing_value") }
        try v.check()
        guard let key, let channel, let amount = input.amountFen else { throw LinliError.invalid("amountFen", "missing_value") }
        return try await record(bill, amount: amount, channel: channel, key: key, on: req)
    }

    /// A resident pays a bill of their household from its wallet (the whole rest unless `amountFen`).
    static func payFromWallet(_ household: Household, billID: UUID, _ input: WalletBillPaymentInput, on req: Request)
        async throws -> DeskPaymentRead
    {
        let householdID = try household.requireID()
        guard let bill = try await Bill.find(billID, on: req.db), bill.householdID == householdID else {
            throw LinliError(.notFound)
        }
        var v = Validation()
        let key = v.text(input.requestKey, "requestKey", max: 64)
        // The same request again (a double tap that lost the race): the first answer, before asking
        // what is still owed.
        if let key, let done = try await BillPayment.query(on: req.db).filter(\.$billID == billID)
            .filter(\.$requestKey == key).first()
        {
            return try await answer(done, on: req.db)
        }
        let amount = input.amountFen ?? (bill.totalFen - bill.paidFen)
        if amount < 1 { v.fail("amountFen", bill.status == .paid ? "already_paid" : "out_of_range") }
        try v.check()
        guard let key else { throw LinliError.invalid("requestKey", "missing_value") }
        let community = bill.communityID
        return try await record(bill, amount: amount, channel: .wallet, key: key, on: req) { tx, payment in
            try await Books.post(
                .transfer(amount, from: Books.wallet(householdID), to: Books.revenue(community), cause: "bill-payment:\(payment)"),
                community: community, at: req.clock.now(), on: tx)
        }
    }

    static func answer(_ payment: BillPayment, on db: any Database) async throws -> DeskPaymentRead {
        guard let bill = try await Bill.find(payment.billID, on: db) else { throw LinliError(.notFound) }
        return DeskPaymentRead(receiptNo: payment.receiptNo, amountFen: payment.amountFen, bill: try await reads([bill], on: db)[0])
    }
}
