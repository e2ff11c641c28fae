import Fluent
import Foundation
import LinliCore
import Vapor

/// The strings of this feature (`MetersStrings` tables beside it).
enum MetersStrings: LocalizedStrings {}

/// Water and electricity meters: a household's usage from its meters' roll-ups (`Usage`), with the
/// rules of `LinliCore/Meters` (usage from cumulative readings, leaks, the comparison with similar
/// households), and the monthly bills priced by tariff versions (`Billing`, `BillingAPI`).
enum Meters: Feature {
    static var strings: (any LocalizedStrings.Type)? { MetersStrings.self }

    static func register(_ app: Application) {
        app.notificationTopics.add(.bills)
        app.notificationTopics.add(.usage)
        MetersTV.register(app)
        FeeFiguresSource.register(app)
        EnergyFigures.register(app)
        app.api.authenticated.register(
            .init(
                method: .GET, path: "/api/v1/me/households/{householdID}/usage", operationID: "getUsage",
                summary: "The household's water or electricity: this month so far, last month, the same month last year, days, the last 24 hours, how it compares with similar households of the building, leaks",
                tag: "meters", authority: .resident, response: Schema.ref("Usage"),
                query: [.init(name: "kind", schema: Schema.enumeration(Usage.Kind.allCases.map(\.rawValue)))]), in: app, getUsage)
        app.openAPIComponents.add(MeterSchemas.all)
        app.pageLinks.add("usage", MetersRoute.usage)
        app.pageLinks.add("bills", MetersRoute.bills)
        app.homeTiles.add("usage", order: 70, MetersRoute.usage)
        app.homeTiles.add("bills", order: 80, MetersRoute.bills)
        app.consoleTabs.add("billing", order: 125, shown: { .dispatchWorkOrders($0) }) { MetersRoute.desk($0) }
        MetersPages.register(app.pages)
        app.migrations.add(CreateBilling())
        app.migrations.add(CreateBillReminders())
        app.migrations.add(CreatePrepaid())
        app.migrations.add(MeterWatch.Migration())
        MoneyMovements.register(Prepaid.purpose, Prepaid.moneyPurpose)
        registerPrepaid(app)
        CommunityMeters.register(app)
        app.migrations.add(CreateMeterReplacements())
        app.migrations.add(IndexBillsByDueDay())
        Replacements.register(app)
        BillingAPI.register(app)
        MoneyMovements.register(OnlinePayments.purpose, OnlinePayments.moneyPurpose)
        Arrears.register(app)
        app.openAPIComponents.add(BillingSchemas.all)
        // Last month's bills, on any day of this one: a month whose first day the server missed is issued
        // when it is back; a household already billed is left alone.
        app.jobs.every(Billing.job, seconds: 6 * 3600) { app, job in try await Billing.run(now: job.now, on: app.db) }
        app.jobs.every(Reminders.job, seconds: 3600) { app, job in try await Reminders.run(now: job.now, app: app) }
        app.jobs.every(Prepaid.job, seconds: 900) { app, job in try await Prepaid.run(now: job.now, app: app) }
        app.jobs.every(MeterWatch.job, seconds: 3600) { app, job in try await MeterWatch.run(now: job.now, app: app) }
    }

    static func registerPrepaid(_ app: Application) {
        let mine = "/api/v1/me/households/{householdID}/prepaid"
        app.api.authenticated.register(
            .init(
                method: .PUT, path: RegistryAPI.c + "/households/{householdID}/prepaid", operationID: "setPrepaid",
                summary: "Turn prepaid water and electricity on or off for a household (from the meters' latest totals), with its low-balance mark and grace period",
                tag: "billing", authority: .household, body: BillingSchemas.prepaidInput, response: Schema.ref("Prepaid")), in: app, setPrepaid)
        app.api.authenticated.register(
            .init(
                method: .GET, path: mine, operationID: "getPrepaid",
                summary: "My household's prepaid balance, debt and state (ok, low, grace, cut, protected)", tag: "billing", authority: .resident,
                response: Schema.ref("Prepaid")), in: app, getPrepaid)
        app.api.authenticated.register(
            .init(
                method: .POST, path: mine + "/top-ups", operationID: "topUpPrepaid",
                summary: "Top up the household's prepaid balance online (the same requestKey again charges nothing more); supply cut for want of money comes back once the debt is paid",
                tag: "billing", authority: .resident, body: BillingSchemas.topUp, status: .created, response: Schema.ref("Prepaid")), in: app, topUpPrepaid)
    }

    static func seedDemo(_ world: DemoWorld, on db: any Database) async throws {
        try await DemoBilling.seed(world, on: db)
        try await DemoMeters.seed(world, on: db)
    }
}

enum MeterSchemas {
    static let figure = Schema.object(
        [("usage", Schema.nullable(Schema.number)), ("complete", Schema.bool)], required: ["usage", "complete"])
    static let point = Schema.object(
        [("start", Schema.dateTime), ("usage", Schema.nullable(Schema.number))], required: ["start", "usage"])
    static var all: [(String, JSONValue)] {
        [
            (
                "Usage",
                Schema.object(
                    [
                        ("kind", Schema.enumeration(Usage.Kind.allCases.map(\.rawValue))), ("unit", Schema.string()),
                        ("meters", Schema.integer(min: 0)), ("thisMonth", figure), ("lastMonth", figure),
                        ("sameMonthLastYear", figure), ("days", Schema.array(point)), ("hours", Schema.array(point)),
                        (
                            "comparison",
                            Schema.nullable(
                                Schema.object(
                                    [("peers", Schema.integer(min: 1)), ("median", Schema.number), ("rank", Schema.integer(min: 1))],
                                    required: ["peers", "median", "rank"]))
                        ),
                        ("leaks", Schema.array(Schema.enumeration(["continuous_flow", "high_flow", "night_flow"]))),
                        ("aboveUsual", Schema.bool),
                    ],
                    required: [
                        "kind", "unit", "meters", "thisMonth", "lastMonth", "sameMonthLastYear", "days", "hours", "leaks",
                        "aboveUsual",
                    ])
            )
        ]
    }
}

extension NotificationTopic {
    static let bills = NotificationTopic("bills")
    /// Leaks and unusual use: a leak is damage under way.
    static let usage = NotificationTopic("usage", safety: true)
}

extension Meters {
    static var css: String? { "meters/meters.css" }
}
