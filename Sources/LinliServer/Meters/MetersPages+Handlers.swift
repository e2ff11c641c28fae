import Fluent
import Foundation
import LinliCore
import Vapor

extension MetersPages {
    @Sendable static func usagePage(_ req: Request) async throws -> Response {
        let kind = Usage.Kind(rawValue: req.query[String.self, at: "kind"] ?? "water") ?? .water
        let homesNamed = try await RegistryAPI.myHomes(req)
        var homes: [UsageHome] = []
        for (household, name) in homesNamed {
            let read = try await Usage.read(household, kind, now: req.clock.now(), on: req.db)
            homes.append(usageHome(household, name, read, kind, req))
        }
        let kinds = Usage.Kind.allCases.map {
            Layout.Link(href: MetersRoute.usage.path + "?kind=" + $0.rawValue, label: req.t("usage.kind.\($0.rawValue)"), current: $0 == kind)
        }
        return try await req.render("meters/usage", title: req.t("usage.title"), UsagePage(kinds: kinds, homes: homes))
    }

    @Sendable static func billsPage(_ req: Request) async throws -> Response {
        let user = try req.user()
        let homesNamed = try await RegistryAPI.myHomes(req)
        var homes: [BillsHome] = []
        for (household, name) in homesNamed {
            let id = try household.requireID()
            let since = user.principal.residentSince[id] ?? .distantPast
            let bills = try await Bill.query(on: req.db).filter(\.$householdID == id).filter(\.$issuedAt >= since)
                .sort(\.$period, .descending).limit(12).all()
            let balance = try await Books.balance(Books.wallet(id), on: req.db)
            let today = CivilDate(req.today)?.description ?? ""
            let rows = try await BillingAPI.reads(bills, on: req.db).map { b in
                let owed = b.totalFen - b.paidFen
                return BillRow(
                    id: b.id, period: b.period, total: yuan(b.totalFen), paid: yuan(b.paidFen), owed: yuan(owed),
                    status: req.t("bill.status.\(b.status)"), open: owed > 0, dueOn: b.dueOn,
                    late: owed > 0 && b.dueOn < today,
                    lines: b.lines.map { line in
                        let tier = line.item == "property_fee" ? "" : " · " + req.t("bill.tier", ["n": "\(line.tier)"])
                        return req.t("bill.item.\(line.item)") + tier + " · "
                            + String(format: "%.3f", Double(line.quantityMilli) / 1000) + " × "
                            + price(line) + " = " + yuan(line.amountFen)
                    },
                    payOnline: MetersRoute.payOnline(id, b.id).path,
                    payFromWallet: owed > 0 && balance >= owed ? MetersRoute.payFromWallet(id, b.id).path : nil,
                    requestKey: RequestKey.make())
            }
            var prepaid: PrepaidPanel?
            if let row = try await PrepaidAccount.query(on: req.db).filter(\.$householdID == id).first(), row.enabled {
                let read = try await Prepaid.read(row, on: req.application, db: req.db)
                prepaid = PrepaidPanel(
                    balance: yuan(read.balanceFen), debt: read.debtFen > 0 ? yuan(read.debtFen) : nil,
                    state: req.t(
                        "prepaid.state.\(read.state)",
                        ["until": read.graceUntil.map { ConsolePages.time($0, req) } ?? ""]),
                    warn: read.state != "ok", action: MetersRoute.topUp(id).path, requestKey: RequestKey.make())
            }
            homes.append(
                BillsHome(
                    id: id, home: name, wallet: yuan(balance), owed: yuan(bills.reduce(0) { $0 + $1.totalFen - $1.paidFen }),
                    prepaid: prepaid, bills: rows))
        }
        return try await req.render("meters/bills", title: req.t("bill.title"), BillsPage(homes: homes))
    }

    /// A bill paid online (`…/online`) or from the wallet (`…/wallet`).
    @Sendable static func payBill(_ req: Request) async throws -> Response {
        let online = req.url.path.hasSuffix("/online")
        let household = try req.scope.home()
        let input = try req.content.decode(WalletBillPaymentInput.self)
        let billID = try req.id("billID")
        let paid =
            online
            ? try await OnlinePayments.pay(household, billID: billID, input, on: req)
            : try await BillingAPI.payFromWallet(household, billID: billID, input, on: req)
        req.flash(req.t("bill.paid", ["amount": yuan(paid.amountFen), "receipt": paid.receiptNo]))
        return req.redirect(to: MetersRoute.bills.path)
    }

    @Sendable static func postTopUp(_ req: Request) async throws -> Response {
        let household = try req.scope.home()
        let form = try req.content.decode(MoneyForm.self)
        let fen = try form.fen()
        let read = try await Prepaid.topUp(household, TopUpInput(amountFen: fen, requestKey: form.requestKey), on: req)
        req.flash(req.t("prepaid.toppedUp", ["amount": yuan(fen), "balance": yuan(read.balanceFen)]))
        return req.redirect(to: MetersRoute.bills.path)
    }

    @Sendable static func deskPage(_ req: Request) async throws -> Response {
        let header = try await ConsolePages.header(req, current: "billing")
        try req.authorize(.dispatchWorkOrders(header.id))
        return try await req.render("meters/desk", title: req.t("console.tab.billing"), try await deskPage(header, req))
    }

    @Sendable static func postDeskPayment(_ req: Request) async throws -> Response {
        let id = try req.id("communityID")
        try req.authorize(.dispatchWorkOrders(id))
        let form = try req.content.decode(MoneyForm.self)
        let fen = try form.fen()
        let paid = try await BillingAPI.pay(
            try req.id("billID"), in: id, DeskPaymentInput(amountFen: fen, channel: form.channel, requestKey: form.requestKey),
            on: req)
        req.flash(req.t("bill.recorded", ["amount": yuan(paid.amountFen), "receipt": paid.receiptNo]))
        return req.redirect(to: MetersRoute.desk(id).path)
    }
}
