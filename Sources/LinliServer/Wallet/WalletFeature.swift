import Fluent
import Foundation
import LinliCore
import Vapor

/// The strings of this feature (`WalletStrings` tables beside it).
enum WalletStrings: LocalizedStrings {}

/// The household wallet on Linli's one double-entry ledger (`LinliCore.Ledger`, booked by `Books`), fed
/// by the recycling bins: a resident signs in at a bin with phone and PIN, the bin reports each
/// weighing, and net × the price in force is credited once per event id.
enum Wallet: Feature {
    static var strings: (any LocalizedStrings.Type)? { WalletStrings.self }

    static func register(_ app: Application) {
        // The self-service PIN (set on the wallet page) with the phone signs in at any of the community's
        // terminals; wrong tries count towards its lock.
        app.terminalCredentials.addPin { phone, pin, req in
            guard Recycling.validPIN(pin), let person = try await Person.query(on: req.db).filter(\.$phone == phone).first(),
                let personID = person.id,
                let stored = try await RecyclingPin.query(on: req.db).filter(\.$personID == personID).first()
            else { return nil }
            guard stored.failedAttempts < Recycling.pinLockAfter else { throw LinliError(.pinLocked) }
            return try await Recycling.checkPIN(pin, against: stored, on: req) ? personID : nil
        }
        // The household PIN the TV asks for: any current resident's self-service PIN (a locked one is
        // skipped; each wrong try counts towards the PINs tried).
        app.householdPINs.add { household, pin, req in
            guard Recycling.validPIN(pin) else { return nil }
            let people = try await Membership.query(on: req.db).filter(\.$householdID == household).all()
                .filter { $0.isCurrent(on: req.today) }.map(\.personID)
            guard !people.isEmpty else { return nil }
            for stored in try await RecyclingPin.query(on: req.db).filter(\.$personID ~~ people).all()
            where stored.failedAttempts < Recycling.pinLockAfter {
                if try await Recycling.checkPIN(pin, against: stored, on: req) { return stored.personID }
            }
            return nil
        }
        app.migrations.add(CreateWallet())
        RecyclingUse.register(app)
        app.migrations.add(CreateRecyclingCollections())
        app.migrations.add(AddRecyclingPinFailures())
        app.departures.onVacancy { [weak app] vacancy, db in
            try await Withdrawals.settle(vacancy, provider: app?.payments.name ?? "", on: db)
        }
        app.jobs.every(Collections.job, seconds: 600) { app, job in try await Collections.run(now: job.now, app: app) }
        let recycling = RegistryAPI.c + "/recycling"
        app.api.authenticated.register(
            .init(
                method: .POST, path: recycling + "/collections", operationID: "recordRecyclingCollection",
                summary: "The collector's reweighing of a box at pick-up: checked against what the bin credited for the box since its last collection (more than 5 % apart: flagged); closes the bin's collection task; the same requestKey records once",
                tag: "wallet", authority: .community { .dispatchWorkOrders($0) }, body: WalletSchemas.collection, status: .created, response: Schema.ref("RecyclingCollection")), in: app, recordRecyclingCollection)
        app.api.authenticated.register(
            .init(
                method: .GET, path: recycling + "/collections", operationID: "listRecyclingCollections",
                summary: "The collections, newest first, the flagged ones marked", tag: "wallet", authority: .community { .dispatchWorkOrders($0) },
                response: Schema.page(of: "RecyclingCollection"), query: Endpoint.listQuery(.recyclingCollections)), in: app, listRecyclingCollections)
        app.api.authenticated.register(
            .init(
                method: .GET, path: recycling + "/figures", operationID: "getRecyclingFigures",
                summary: "Kg and money per box and the payouts, per week (by=week, the last 8) or month (by=month, the last 6), China time",
                tag: "wallet", authority: .community { .manageFinance($0) }, response: Schema.array(Schema.ref("RecyclingFigures")),
                query: [.init(name: "by", schema: Schema.enumeration(["week", "month"]))]), in: app, getRecyclingFigures)
        MoneyMovements.register(Withdrawals.purpose, Withdrawals.moneyPurpose)
        WalletAPI.register(app)
        for (name, route) in [
            ("wallet", WalletRoute.myWallet), ("walletPin", .pin), ("kiosk", .kiosk), ("kioskSetup", .kioskSetup),
            ("kioskSignIn", .kioskSignIn), ("kioskOpen", .kioskOpen),
        ] { app.pageLinks.add(name, route) }
        app.homeTiles.add("wallet", order: 90, WalletRoute.myWallet)
        WalletPages.register(app.pages)
        app.openAPIComponents.add(WalletSchemas.all)
        // Catches up on every day of the last week not yet checked, so a day the server was down is not lost.
        app.jobs.every(Reconciliation.job, seconds: 3600) { app, job in try await Reconciliation.run(now: job.now, on: app.db) }
    }

    static func seedDemo(_ world: DemoWorld, on db: any Database) async throws {
        try await DemoWallet.seed(world, on: db)
    }
}

enum WalletSchemas {
    static let boxes = Schema.enumeration(RecyclingCredit.Box.allCases.map(\.rawValue))
    static let fen = Schema.integer(min: 0)
    static let collection = Schema.object(
        [
            ("deviceID", Schema.uuid), ("box", Schema.enumeration(RecyclingCredit.Box.allCases.map(\.rawValue))),
            ("grams", Schema.integer(min: 0, max: 10_000_000)), ("requestKey", Schema.string(min: 1, max: 64)),
        ], required: ["deviceID", "box", "grams", "requestKey"])
    /// Phone and PIN, or a card alone.
    static let signIn = Schema.object(
        [
            ("phone", Schema.string(min: 1, max: 20)), ("pin", Schema.string(pattern: "^[0-9]{4,6}$")),
            ("card", Schema.string(min: 1, max: 128)),
        ], required: [])
    static let weighing = Schema.object(
        [
            ("sessionID", Schema.uuid), ("eventId", Schema.string(min: 1, max: 100)), ("box", boxes),
            ("grossGrams", Schema.integer(min: 0, max: 500_000)), ("tareGrams", Schema.integer(min: 0, max: 500_000)),
            ("netGrams", Schema.integer(min: 1, max: 500_000)), ("scaleID", Schema.string(min: 1, max: 64)),
        ], required: ["sessionID", "eventId", "box", "grossGrams", "tareGrams", "netGrams", "scaleID"])
    static let withdrawal = Schema.object(
        [("amountFen", Schema.integer(min: 1_000, max: 10_000_000)), ("requestKey", Schema.string(min: 1, max: 64))],
        required: ["amountFen", "requestKey"])
    static let pin = Schema.object([("pin", Schema.string(pattern: "^[0-9]{4,6}$"))], required: ["pin"])
    static let boxPrice = Schema.object(
        [("box", boxes), ("pricePerKgFen", Schema.integer(min: 0, max: 100_000))], required: ["box", "pricePerKgFen"])
    static let priceList = Schema.object(
        [("effectiveFrom", Schema.dateTime), ("prices", Schema.array(boxPrice))], required: ["prices"])
    static let priceVersion = Schema.object(
        [("box", boxes), ("pricePerKgFen", fen), ("effectiveFrom", Schema.dateTime)],
        required: ["box", "pricePerKgFen", "effectiveFrom"])
    static var all: [(String, JSONValue)] {
        [
            (
                "RecyclingCollection",
                Schema.object(
                    [
                        ("id", Schema.uuid), ("deviceID", Schema.uuid), ("box", Schema.string()),
                        ("weighedGrams", Schema.integer(min: 0)), ("expectedGrams", Schema.integer(min: 0)),
                        ("flagged", Schema.bool), ("collectedAt", Schema.dateTime),
                    ], required: ["id", "deviceID", "box", "weighedGrams", "expectedGrams", "flagged", "collectedAt"])
            ),
            (
                "RecyclingFigures",
                Schema.object(
                    [
                        ("period", Schema.string()),
                        (
                            "boxes",
                            Schema.array(
                                Schema.object(
                                    [("box", Schema.string()), ("netGrams", Schema.integer(min: 0)), ("creditedFen", Schema.integer(min: 0))],
                                    required: ["box", "netGrams", "creditedFen"]))
                        ),
                        ("payoutsFen", Schema.integer(min: 0)),
                    ], required: ["period", "boxes", "payoutsFen"])
            ),
            (
                "RecyclingSession",
                Schema.object(
                    [
                        ("sessionID", Schema.uuid), ("maskedName", Schema.string()), ("expiresAt", Schema.dateTime),
                        ("prices", Schema.array(boxPrice)),
                    ], required: ["sessionID", "maskedName", "expiresAt", "prices"])
            ),
            (
                "WeighingResult",
                Schema.object([("creditedFen", fen), ("balanceFen", fen)], required: ["creditedFen", "balanceFen"])
            ),
            (
                "RecyclingPriceList",
                Schema.object(
                    [("current", Schema.array(priceVersion)), ("upcoming", Schema.array(priceVersion))],
                    required: ["current", "upcoming"])
            ),
            (
                "Wallet",
                Schema.object(
                    [
                        ("householdID", Schema.uuid), ("balanceFen", fen),
                        (
                            "recycling",
                            Schema.array(
                                Schema.object(
                                    [("box", boxes), ("netGrams", fen), ("creditedFen", fen)],
                                    required: ["box", "netGrams", "creditedFen"]))
                        ),
                    ], required: ["householdID", "balanceFen", "recycling"])
            ),
            (
                "WalletWithdrawal",
                Schema.object(
                    [
                        ("id", Schema.uuid), ("amountFen", fen),
                        ("status", Schema.enumeration(WalletWithdrawal.Status.allCases.map(\.rawValue))),
                        ("createdAt", Schema.dateTime), ("balanceFen", fen),
                    ], required: ["id", "amountFen", "status", "createdAt", "balanceFen"])
            ),
            (
                "RecyclingReconciliation",
                Schema.object(
                    [
                        ("deviceID", Schema.uuid), ("day", Schema.date), ("weighings", Schema.integer(min: 0)),
                        ("netGrams", fen), ("expectedFen", fen), ("creditedFen", fen), ("ledgerFen", fen),
                        ("differenceFen", Schema.integer()),
                    ],
                    required: [
                        "deviceID", "day", "weighings", "netGrams", "expectedFen", "creditedFen", "ledgerFen", "differenceFen",
                    ])
            ),
            (
                "WalletEntry",
                Schema.object(
                    [("at", Schema.dateTime), ("fen", Schema.integer()), ("balanceFen", fen), ("kind", Schema.string())],
                    required: ["at", "fen", "balanceFen", "kind"])
            ),
        ]
    }
}

extension Wallet {
    static var css: String? { "wallet/wallet.css" }
}
