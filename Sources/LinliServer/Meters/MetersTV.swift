import Fluent
import Foundation
import LinliCore
import Vapor

/// The meters' TV screens: the household's bills (this month's, and any still owed), each paid from the
/// household's wallet with the household PIN on the number pad, or sent to the family to pay; and this
/// month's water and electricity against last month's, with any leak.
enum MetersTV {
    static func register(_ app: Application) {
        app.tvScreens.add("bills", order: 30, show: bills, act: pay)
        app.tvScreens.add("usage", order: 40, show: usage)
    }

    static func owed(_ bill: Bill) -> Int64 { bill.totalFen - bill.paidFen }

    /// The household's bills since the viewer lived there: the unpaid ones, then the paid ones of the
    /// last three periods.
    static func visibleBills(_ req: Request, _ viewer: TVViewer) async throws -> [Bill] {
        let since = try req.user().principal.residentSince[viewer.household] ?? .distantPast
        let rows = try await Bill.query(on: req.db).filter(\.$householdID == viewer.household).filter(\.$issuedAt >= since)
            .sort(\.$period, .descending).limit(24).all()
        let recent = Set(rows.prefix(3).compactMap(\.id))
        return rows.filter { $0.status != .paid } + rows.filter { $0.status == .paid && recent.contains($0.id ?? UUID()) }
    }

    @Sendable static func bills(_ req: Request, _ viewer: TVViewer, _ item: String?) async throws -> TVScreen {
        let all = try await visibleBills(req, viewer)
        let wallet = try await Books.balance(Books.wallet(viewer.household), on: req.db)
        if let item {
            guard let bill = all.first(where: { $0.id?.uuidString == item }), let id = bill.id else { throw LinliError(.notFound) }
            var screen = TVScreen(name: "bills", title: req.t("bill.period", ["0": bill.period]))
            screen.back = TVPaths.screen("bills")
            screen.backFocus = "bill-\(item)"
            let lines = try await BillLine.query(on: req.db).filter(\.$billID == id).all()
            var byItem: [String: Int64] = [:]
            for line in lines { byItem[line.item.rawValue, default: 0] += line.amountFen }
            screen.items = byItem.sorted { $0.key < $1.key }.map {
                TVItem(id: "line-\($0.key)", label: req.t("bill.item.\($0.key)"), big: MoneyText.yuan($0.value))
            }
            if bill.status == .paid {
                screen.lead = req.t("bill.tv.paid")
            } else {
                screen.lead = req.t("bill.tv.owed", ["amount": MoneyText.yuan(owed(bill)), "due": bill.dueOn])
                let balance = req.t("bill.tv.wallet", ["amount": MoneyText.yuan(wallet)])
                screen.items.insert(
                    wallet >= owed(bill)
                        ? TVItem(id: "bill-pay", label: req.t("bill.tv.pay"), detail: balance, post: TVPaths.item("bills", id), action: "pay", needsPIN: true)
                        : TVItem(id: "bill-pay", label: req.t("bill.tv.short"), detail: balance), at: 0)
                screen.items.insert(
                    TVItem(id: "bill-family", label: req.t("bill.tv.family"), detail: req.t("bill.tv.familyHint"), post: TVPaths.item("bills", id), action: "family"),
                    at: 1)
            }
            return screen
        }
        var screen = TVScreen(name: "bills", title: req.t("tv.tile.bills"))
        let due = all.filter { $0.status != .paid }.reduce(Int64(0)) { $0 + owed($1) }
        screen.lead = due > 0 ? req.t("bill.tv.due", ["amount": MoneyText.yuan(due)]) : req.t("bill.tv.allPaid")
        screen.items = all.map { bill in
            TVItem(
                id: "bill-\(bill.id?.uuidString ?? "")", label: req.t("bill.period", ["0": bill.period]),
                detail: bill.status == .paid ? req.t("bill.tv.paidShort") : req.t("bill.tv.owedShort", ["due": bill.dueOn]),
                big: MoneyText.yuan(bill.status == .paid ? bill.totalFen : owed(bill)), href: TVPaths.item("bills", bill.id ?? UUID()),
                urgent: bill.status != .paid, done: bill.status == .paid)
        }
        return screen
    }

    /// Pays from the wallet (the PIN first; the request key makes a second press the same payment), or
    /// tells the household and its emergency contacts that a bill waits for them.
    @Sendable static func pay(_ req: Request, _ viewer: TVViewer, _ item: String?, _ form: TVForm) async throws -> TVScreen {
        guard let item, let id = UUID(uuidString: item), let bill = try await Bill.find(id, on: req.db), bill.householdID == viewer.household,
            let household = try await Household.find(viewer.household, on: req.db)
        else { throw LinliError(.notFound) }
        let message: String
        switch form.do {
        case "pay":
            _ = try await req.application.householdPINs.confirm(viewer, pin: form.pin, on: req)
            guard let key = form.key, !key.isEmpty, key.count <= 60 else { throw LinliError.invalid("key", "missing_value") }
            let paid = try await BillingAPI.payFromWallet(household, billID: id, WalletBillPaymentInput(amountFen: nil, requestKey: "tv:" + key), on: req)
            message = req.t("bill.tv.done", ["amount": MoneyText.yuan(paid.amountFen), "receipt": paid.receiptNo])
        case "family":
            let now = req.clock.now()
            try await req.db.writeTransaction { tx in
                try await EmergencyContacts.tell(household, "bill.note.askFamily", .bills, now: now, on: tx)
                try await Notifier.send("bill.note.askFamily", .bills, to: .household(viewer.household), community: viewer.community, now: now, on: tx)
            }
            req.application.events.publish(NotificationsChanged(community: viewer.community))
            message = req.t("bill.tv.familyDone")
        default:
            throw LinliError.invalid("do", "invalid_value")
        }
        var screen = try await bills(req, viewer, nil)
        screen.message = message
        screen.tone = "ok"
        return screen
    }

    @Sendable static func usage(_ req: Request, _ viewer: TVViewer, _ item: String?) async throws -> TVScreen {
        guard item == nil, let household = try await Household.find(viewer.household, on: req.db) else { throw LinliError(.notFound) }
        var screen = TVScreen(name: "usage", title: req.t("tv.tile.usage"))
        func figure(_ value: Double?, _ unit: String) -> String { value.map { String(format: "%.1f %@", $0, unit) } ?? "—" }
        var leaks: [String] = []
        for kind in Usage.Kind.allCases {
            let read = try await Usage.read(household, kind, now: req.clock.now(), on: req.db)
            guard read.meters > 0 else { continue }
            screen.items.append(
                TVItem(
                    id: "usage-\(kind.rawValue)", label: req.t("usage.kind.\(kind.rawValue)"),
                    detail: req.t("usage.tv.last", ["last": figure(read.lastMonth.usage, read.unit)]) + (read.aboveUsual ? " · " + req.t("usage.tv.above") : ""),
                    big: figure(read.thisMonth.usage, read.unit), urgent: read.aboveUsual))
            leaks += read.leaks.map { req.t("usage.leak.\($0)") }
        }
        for (index, leak) in leaks.enumerated() {
            screen.items.insert(TVItem(id: "leak-\(index)", label: req.t("usage.tv.leak"), detail: leak, urgent: true), at: index)
        }
        screen.lead = screen.items.isEmpty ? req.t("usage.tv.none") : (leaks.isEmpty ? req.t("usage.tv.lead") : req.t("usage.tv.leakLead"))
        return screen
    }
}
