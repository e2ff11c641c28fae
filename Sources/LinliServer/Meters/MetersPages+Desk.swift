import Fluent
import Foundation
import LinliCore
import Vapor

/// The service desk's billing tab: unpaid bills with a payment form, the arrears, and for operators the
/// meters that need a look and last month's public network.
extension MetersPages {
    static func deskPage(_ header: ConsolePages.Header, _ req: Request) async throws -> DeskPage {
        let id = header.id
        let arrears = try await Arrears.list(id, now: req.clock.now(), on: req.db)
        let query = (req.query[String.self, at: "q"] ?? "").trimmingCharacters(in: .whitespaces)
        let shown = arrears.filter { query.isEmpty || "\($0.building) \($0.room)".contains(query) || $0.room == query }
        let homes = Array(shown.prefix(query.isEmpty ? 10 : 50))
        let bills = try await Bill.query(on: req.db).filter(\.$communityID == id).filter(\.$status != .paid)
            .filter(\.$householdID ~~ homes.map(\.householdID)).sort(\.$period).all()
        let names = Dictionary(uniqueKeysWithValues: homes.map { ($0.householdID, "\($0.building) \($0.room)") })
        var meters: [[String]]?
        var network: String?
        if req.can(.manageFinance(id)) {
            meters = try await CommunityMeters.states(id, now: req.clock.now(), on: req.db).filter { $0.state != "ok" }.map {
                [$0.name, req.t("meter.state.\($0.state)"), $0.lastReadingAt.map { ConsolePages.time($0, req) } ?? "—"]
            }
            let period = Billing.period(of: TimeBuckets.start(of: Int64(req.clock.now().timeIntervalSince1970 * 1000), .month) - 1)
            let balance = try await CommunityMeters.balance(id, kind: .water, period: period, on: req.db)
            network = req.t(
                "meter.network",
                [
                    "period": period, "community": balance.communityUsage.map { String(format: "%.2f m³", $0) } ?? "—",
                    "homes": balance.homesUsage.map { String(format: "%.2f m³", $0) } ?? "—",
                    "read": "\(balance.homesRead)", "metered": "\(balance.homesMetered)",
                    "loss": balance.lossPercent.map { String(format: "%.1f %%", $0) } ?? "—",
                ])
        }
        return DeskPage(
            header: header, meters: meters, network: network,
            arrears: Array(arrears.prefix(20)).map {
                [
                    "\($0.building) \($0.room)", yuan($0.owedFen), yuan($0.notDueFen), yuan($0.days1To30Fen),
                    yuan($0.days31To90Fen), yuan($0.over90Fen), $0.oldestDueOn,
                ]
            },
            bills: try bills.map { b in
                DeskBill(
                    home: names[b.householdID] ?? "", period: b.period, total: yuan(b.totalFen), owed: yuan(b.totalFen - b.paidFen),
                    owedFen: b.totalFen - b.paidFen, dueOn: b.dueOn, action: MetersRoute.deskPayment(id, try b.requireID()).path,
                    requestKey: RequestKey.make())
            },
            channels: BillPayment.Channel.allCases.filter(\.atTheDesk).map {
                .init(value: $0.rawValue, label: req.t("bill.channel.\($0.rawValue)"))
            }, query: query)
    }
}
