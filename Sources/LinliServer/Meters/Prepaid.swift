import Fluent
import Foundation
import LinliCore
import SQLKit
import Vapor

/// A household on prepaid meters (rental homes, Weitang's case): where operators turn it on, the
/// household's water and electricity are paid from a prepaid balance on the ledger (topped up online)
/// instead of the monthly bill's lines. A job charges what the meters read since its last look at the
/// first-tier price in force; below the low mark the household is told once; at zero a grace period
/// starts (told again), and only when it has passed with nothing topped up are the water valve closed
/// and the power relay opened by device commands — never for a household someone on the care watch
/// lives in (the property staff are told instead). A top-up that clears the debt restores supply.
enum Prepaid {
    static let purpose = "prepaid"
    static let job = "prepaid.meter"

    static func books(_ household: UUID) -> Ledger.Account { Books.prepaid(household) }

    static func read(_ row: PrepaidAccount, on app: Application, db: any Database) async throws -> PrepaidRead {
        let balance = try await Books.balance(books(row.householdID), on: db)
        var state = "ok"
        if row.cutAt != nil {
            state = "cut"
        } else if row.graceUntil != nil {
            state = try await app.supplyProtections.protects(row.householdID, on: db) ? "protected" : "grace"
        } else if balance < row.lowFen {
            state = "low"
        }
        return PrepaidRead(
            householdID: row.householdID, enabled: row.enabled, balanceFen: balance, debtFen: row.debtFen,
            lowBalanceFen: row.lowFen, graceHours: row.graceHours, state: state, graceUntil: row.graceUntil)
    }

    /// Operators turn prepaid on (from the meters' latest totals) or off for a household.
    static func configure(_ household: Household, _ input: PrepaidInput, on req: Request) async throws -> PrepaidRead {
        var v = Validation()
        if let low = input.lowBalanceFen { v.range(low, "lowBalanceFen", 0...1_000_000) }
        if let grace = input.graceHours { v.range(grace, "graceHours", 1...(14 * 24)) }
        try v.check()
        let id = try household.requireID()
        let now = req.clock.now()
        let row = try await PrepaidAccount.query(on: req.db).filter(\.$householdID == id).first() ?? {
            let row = PrepaidAccount()
            row.communityID = household.communityID
            row.householdID = id
            row.enabled = false
            row.lowFen = 2_000
            row.graceHours = 24
            row.debtFen = 0
            row.chargedTo = [:]
            row.chargedAt = 0
            row.lowTold = false
            return row
        }()
        if input.enabled == true, !row.enabled {
            // Charged from now on: the meters' latest totals are the start.
            row.chargedTo = try await latest(id, on: req.db)
            row.chargedAt = Int64(now.timeIntervalSince1970 * 1000)
        }
        row.enabled = input.enabled ?? row.enabled
        row.lowFen = input.lowBalanceFen ?? row.lowFen
        row.graceHours = input.graceHours ?? row.graceHours
        row.updatedAt = now
        try await req.db.writeTransaction { tx in
            try await row.save(on: tx)
            try await Audit.record(.update, "prepaid", id: row.id, community: household.communityID, after: input, by: req, on: tx)
        }
        return try await read(row, on: req.application, db: req.db)
    }

    /// Each kind's latest total of the household's meters (the sum over its meters of that kind).
    static func latest(_ household: UUID, on db: any Database) async throws -> [String: Double] {
        var out: [String: Double] = [:]
        for kind in Usage.Kind.allCases {
            let meters = try await Device.query(on: db).filter(\.$householdID == household).filter(\.$type == kind.deviceType)
                .all()
            guard !meters.isEmpty, let sql = db as? any SQLDatabase else { continue }
            var sum = 0.0
            for meter in meters {
                guard let id = meter.id,
                    let row = try await sql.select().column("last_value").from("telemetry_rollups")
                        .where("device_id", .equal, id).where("name", .equal, kind.key)
                        .orderBy("start", .descending).limit(1).first(),
                    let value = try? row.decode(column: "last_value", as: Double.self)
                else { continue }
                sum += value
            }
            out[kind.rawValue] = sum
        }
        return out
    }

    /// A resident tops up online (the `MoneyMovements` pattern: the charge pending before the provider
    /// is called, the ledger credit with its settling, once per request key).
    static func topUp(_ household: Household, _ input: TopUpInput, on req: Request) async throws -> PrepaidRead {
        let id = try household.requireID()
        guard let row = try await PrepaidAccount.query(on: req.db).filter(\.$householdID == id).first(), row.enabled else {
            throw LinliError(.notFound)
        }
        var v = Validation()
        let requestKey = v.text(input.requestKey, "requestKey", max: 64)
        if let amount = input.amountFen { v.range(amount, "amountFen", 100...500_000) } else { v.fail("amountFen", "missing_value") }
        try v.check()
        guard let requestKey, let amount = input.amountFen else { throw LinliError.invalid("amountFen", "missing_value") }
        let key = "prepaid:\(id):\(try req.user().principal.personID):\(requestKey)"
        let now = req.clock.now()
        _ = try await MoneyMovements.charge(
            key: key, cents: Int(amount), purpose: purpose, subject: id, community: household.communityID,
            provider: req.application.payments, now: now, on: req.db)
        try await check(id, now: now, app: req.application)
        guard let fresh = try await PrepaidAccount.query(on: req.db).filter(\.$householdID == id).first() else {
            throw LinliError(.notFound)
        }
        return try await read(fresh, on: req.application, db: req.db)
    }

    /// A settled top-up: the money onto the prepaid balance, the debt paid from it first.
    static let moneyPurpose = MoneyMovements.Purpose(
        settled: { movement, tx in
            guard movement.kind == .charge, let id = movement.id else { return }
            let household = movement.subjectID
            let at = movement.settledAt ?? movement.createdAt
            try await Books.post(
                .transfer(Int64(movement.amountCents), from: Books.provider(movement.communityID), to: books(household), cause: "top-up:\(id)"),
                community: movement.communityID, at: at, on: tx)
            try await payDebt(household, community: movement.communityID, cause: "top-up:\(id)", at: at, on: tx)
        },
        failed: { _, _ in })

    /// Takes what is owed from the balance, as far as it goes.
    static func payDebt(_ household: UUID, community: UUID, cause: String, at: Date, on tx: any Database) async throws {
        guard let row = try await PrepaidAccount.query(on: tx).filter(\.$householdID == household).first(), row.debtFen > 0
        else { return }
        let take = min(row.debtFen, try await Books.balance(books(household), on: tx))
        guard take > 0 else { return }
        try await Books.post(
            .transfer(take, from: books(household), to: Books.revenue(community), cause: cause + ":debt"), community: community,
            at: at, on: tx)
        row.debtFen -= take
        try await row.save(on: tx)
    }

    /// The job: charges every enabled household what its meters used since the last charge.
    static func run(now: Date, app: Application) async throws {
        for row in try await PrepaidAccount.query(on: app.db).filter(\.$enabled == true).all() {
            try await charge(row, now: now, app: app)
            try await check(row.householdID, now: now, app: app)
        }
    }

    static func charge(_ row: PrepaidAccount, now: Date, app: Application) async throws {
        let household = row.householdID
        let totals = try await latest(household, on: app.db)
        let tariffs = try await TariffRow.query(on: app.db).filter(\.$communityID == row.communityID).all()
        guard let today = CivilDate(Calendar.chinaDate(now)) else { return }
        var cost: Int64 = 0
        for kind in Usage.Kind.allCases {
            guard let total = totals[kind.rawValue] else { continue }
            let used = total - (row.chargedTo[kind.rawValue] ?? total)
            // A replaced or rolled-over meter starts again from its new total (nothing charged for the jump).
            guard used > 0, used < 1_000 else { continue }
            let item: BillItem = kind == .water ? .water : .electricity
            guard
                let version = tariffs.filter({ $0.item == item }).compactMap(\.version).filter({ $0.effectiveFrom <= today })
                    .max(by: { $0.effectiveFrom < $1.effectiveFrom }),
                let price = version.prices.first
            else { continue }
            // m³ or kWh × 1/100 fen a unit, half up.
            cost += (Int64((used * 1000).rounded()) * price + 50_000) / 100_000
        }
        let before = row.chargedAt
        let chargedTo = totals
        let owed = cost
        let ms = Int64(now.timeIntervalSince1970 * 1000)
        try await app.db.writeTransaction { tx in
            // Once, however many runs overlap: the charge moves `charged_at` on from what this run read.
            guard let sql = tx as? any SQLDatabase else { return }
            let moved = try await sql.update(PrepaidAccount.schema).set("charged_at", to: SQLBind(ms))
                .where("id", .equal, row.id).where("charged_at", .equal, before).returning("id").all()
            guard !moved.isEmpty, let fresh = try await PrepaidAccount.find(row.id, on: tx) else { return }
            fresh.chargedTo = chargedTo
            let balance = try await Books.balance(books(household), on: tx)
            let paid = min(balance, owed)
            if paid > 0 {
                try await Books.post(
                    .transfer(paid, from: books(household), to: Books.revenue(row.communityID), cause: "prepaid:\(household):\(ms)"),
                    community: row.communityID, at: now, on: tx)
            }
            fresh.debtFen += owed - paid
            fresh.updatedAt = now
            try await fresh.save(on: tx)
        }
    }

    /// Tells, starts the grace period, cuts or restores as the balance now says.
    static func check(_ household: UUID, now: Date, app: Application) async throws {
        let db = app.db
        guard let row = try await PrepaidAccount.query(on: db).filter(\.$householdID == household).first(), row.enabled
        else { return }
        let balance = try await Books.balance(books(household), on: db)
        var notes: [String] = []
        var commands: [String] = []
        if row.debtFen == 0 && balance > 0 {
            // Paid up: supply back, the next low balance told again.
            if row.cutAt != nil {
                commands = ["open_valve", "relay_on"]
                notes.append("prepaid.note.restored")
            }
            row.cutAt = nil
            row.graceUntil = nil
            row.protectedTold = nil
            if balance >= row.lowFen { row.lowTold = false } else if !row.lowTold {
                row.lowTold = true
                notes.append("prepaid.note.low")
            }
        } else if row.graceUntil == nil {
            row.graceUntil = now.addingTimeInterval(Double(row.graceHours) * 3600)
            row.lowTold = true
            notes.append("prepaid.note.grace")
        } else if let until = row.graceUntil, until <= now, row.cutAt == nil {
            if try await app.supplyProtections.protects(household, on: db) {
                if row.protectedTold == nil {
                    row.protectedTold = now
                    notes.append("prepaid.note.protected")
                }
            } else {
                row.cutAt = now
                commands = ["close_valve", "relay_off"]
                notes.append("prepaid.note.cut")
            }
        }
        let meters = commands.isEmpty ? [] : try await Device.query(on: db).filter(\.$householdID == household)
            .filter(\.$type ~~ Usage.Kind.allCases.map(\.deviceType)).all()
        let hub = app.deviceHub
        let methods = commands
        let titles = notes
        let queued = try await db.writeTransaction { tx -> [UUID] in
            var queued: [UUID] = []
            row.updatedAt = now
            try await row.save(on: tx)
            for meter in meters {
                let method = methods.first { DeviceCatalog.type(meter.type)?.command($0) != nil }
                guard let method else { continue }
                _ = try await CommandQueue.enqueue(
                    device: meter, method: method, params: .object(["reason": .string("prepaid")]), twoWay: false,
                    expiresIn: 7 * 86_400, maxRetries: 10, replyTimeout: 60, by: nil, rule: nil, now: now, hub: hub, on: tx,
                    announce: false)
                if let id = meter.id { queued.append(id) }
            }
            for title in titles {
                try await Notifier.send(
                    title, .bills, to: title == "prepaid.note.protected" ? .role(.propertyStaff) : .household(household),
                    community: row.communityID, now: now, on: tx)
            }
            return queued
        }
        for id in queued { await hub.signals.post(id, .commands) }
        if !notes.isEmpty { app.events.publish(NotificationsChanged(community: row.communityID)) }
    }
}
