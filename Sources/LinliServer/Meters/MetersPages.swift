import Fluent
import Foundation
import LinliCore
import Vapor

/// The pages of water, electricity and bills: the resident's use (`/usage`, phone and TV) and bills
/// (`/bills`, paid online or from the wallet), and the service desk's bills and arrears in the console.
enum MetersRoute: PageRoute {
    /// The name of the id after each collection segment of these pages (`req.id("billID")`).
    static let parameterNames: [String: String] = ["bills": "billID", "households": "householdID"]

    case usage
    case bills
    case payOnline(UUID, UUID)
    case payFromWallet(UUID, UUID)
    case desk(UUID)
    case deskPayment(UUID, UUID)
    case topUp(UUID)

    var path: String {
        switch self {
        case .usage: "/usage"
        case .bills: "/bills"
        case .payOnline(let h, let b): "/bills/households/\(h)/bills/\(b)/online"
        case .payFromWallet(let h, let b): "/bills/households/\(h)/bills/\(b)/wallet"
        case .desk(let c): "/console/\(c)/billing"
        case .deskPayment(let c, let b): "/console/\(c)/bills/\(b)/payments"
        case .topUp(let h): "/bills/households/\(h)/prepaid"
        }
    }
}

enum MetersPages {
    struct UsageHome: Encodable {
        let id: UUID
        let home: String
        let hasMeters: Bool
        let figures: [ConsolePages.Option]
        let daysChart: String
        let days: [ConsolePages.Option]
        let hoursChart: String
        let comparison: String?
        let leaks: [String]
        let tips: [String]
    }

    struct UsagePage: Encodable {
        let kinds: [Layout.Link]
        let homes: [UsageHome]
    }

    struct BillRow: Encodable {
        let id: UUID
        let period: String
        let total: String
        let paid: String
        let owed: String
        let status: String
        let open: Bool
        let dueOn: String
        let late: Bool
        let lines: [String]
        let payOnline: String
        let payFromWallet: String?
        let requestKey: String
    }

    struct PrepaidPanel: Encodable {
        let balance: String
        let debt: String?
        let state: String
        let warn: Bool
        let action: String
        let requestKey: String
    }

    struct BillsHome: Encodable {
        let id: UUID
        let home: String
        let wallet: String
        let owed: String
        let prepaid: PrepaidPanel?
        let bills: [BillRow]
    }

    struct BillsPage: Encodable {
        let homes: [BillsHome]
    }

    struct DeskBill: Encodable {
        let home: String
        let period: String
        let total: String
        let owed: String
        let owedFen: Int64
        let dueOn: String
        let action: String
        let requestKey: String
    }

    struct DeskPage: Encodable {
        let header: ConsolePages.Header
        /// Operators only: the meters that need a look, and last month's public network.
        let meters: [[String]]?
        let network: String?
        let arrears: [[String]]
        let bills: [DeskBill]
        let channels: [ConsolePages.Option]
        let query: String
    }

    static func yuan(_ fen: Int64) -> String { MoneyText.yuan(fen) }

    /// A line's unit price: water and electricity in 1/100 fen a unit, the property fee in fen a m².
    static func price(_ line: BillLineRead) -> String {
        line.item == BillItem.propertyFee.rawValue
            ? String(format: "¥%.2f", Double(line.price) / 100) : String(format: "¥%.4f", Double(line.price) / 10_000)
    }

    static func amount(_ value: Double?, _ unit: String, complete: Bool = true, _ req: Request) -> String {
        guard let value else { return req.t("usage.missing") }
        return String(format: "%.2f", value) + " " + unit + (complete ? "" : " " + req.t("usage.partial"))
    }

    static func register(_ web: any RoutesBuilder) {
        Web.route(web, .GET, { _, _, _ in MetersRoute.usage }, authority: .signedIn, usagePage)
        Web.route(web, .GET, { _, _, _ in MetersRoute.bills }, authority: .signedIn, billsPage)
        for online in [true, false] {
            Web.route(web, .POST, { h, b, _ in online ? MetersRoute.payOnline(h, b) : MetersRoute.payFromWallet(h, b) }, authority: .resident, payBill)
        }
        Web.route(web, .POST, { h, _, _ in MetersRoute.topUp(h) }, authority: .resident, postTopUp)
        Web.route(web, .GET, { c, _, _ in MetersRoute.desk(c) }, authority: .community { .dispatchWorkOrders($0) }, deskPage)
        Web.route(web, .POST, { c, b, _ in MetersRoute.deskPayment(c, b) }, authority: .community { .dispatchWorkOrders($0) }, postDeskPayment)
    }

    static func usageHome(
        _ household: Household, _ name: String, _ read: UsageRead, _ kind: Usage.Kind, _ req: Request
    ) -> UsageHome {
        let unit = read.unit
        let figures: [ConsolePages.Option] = [
            .init(value: req.t("usage.thisMonth"), label: amount(read.thisMonth.usage, unit, complete: read.thisMonth.complete, req)),
            .init(value: req.t("usage.lastMonth"), label: amount(read.lastMonth.usage, unit, complete: read.lastMonth.complete, req)),
            .init(
                value: req.t("usage.sameMonthLastYear"),
                label: amount(read.sameMonthLastYear.usage, unit, complete: read.sameMonthLastYear.complete, req)),
        ]
        func day(_ date: Date) -> String { "\(Calendar.china.component(.day, from: date))" }
        func hour(_ date: Date) -> String { String(format: "%02d:00", Calendar.china.component(.hour, from: date)) }
        var tips: [String] = []
        if read.aboveUsual { tips += ["usage.aboveUsual", "usage.tip.\(kind.rawValue)"].map { req.t($0) } }
        return UsageHome(
            id: (try? household.requireID()) ?? UUID(), home: name,
            hasMeters: read.meters > 0, figures: figures,
            daysChart: BarChart(
                title: req.t("usage.daysChart", ["unit": unit]), unit: unit, labels: read.days.map { day($0.start) },
                values: read.days.map(\.usage), fontSize: req.chartFontSize
            ).svg(),
            days: read.days.map {
                .init(value: req.t("usage.day", ["day": day($0.start)]), label: amount($0.usage, unit, req))
            },
            hoursChart: BarChart(
                title: req.t("usage.hoursChart", ["unit": unit, "from": read.hours.first.map { hour($0.start) } ?? ""]), unit: unit,
                labels: read.hours.map { String(hour($0.start).prefix(2)) }, values: read.hours.map(\.usage), fontSize: req.chartFontSize
            ).svg(),
            comparison: read.comparison.map {
                req.t("usage.comparison", ["rank": "\($0.rank)", "peers": "\($0.peers)", "median": amount($0.median, unit, req)])
            },
            leaks: read.leaks.map { req.t("usage.leak.\($0)") }, tips: tips)
    }
}
