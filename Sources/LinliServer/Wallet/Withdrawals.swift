import Fluent
import Foundation
import LinliCore
import SQLKit
import Vapor

/// A resident taking money out of the household's wallet to their own account.
final class WalletWithdrawal: Model, @unchecked Sendable {
    static let schema = "wallet_withdrawals"

    enum Status: String, Codable, Sendable, CaseIterable { case pending, paid, failed }

    // managed
    @ID(key: .id) var id: UUID?

    // data
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "household_id") var householdID: UUID
    @Field(key: "person_id") var personID: UUID
    @Field(key: "amount_fen") var amountFen: Int64
    /// The app's key for this one request: the same key again answers the same withdrawal.
    @Field(key: "request_key") var requestKey: String
    @Enum(key: "status") var status: Status
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "settled_at") var settledAt: Date?

    init() {}
}

struct WithdrawalInput: Content {
    let amountFen: Int64?
    let requestKey: String?
}

struct WithdrawalRead: Content, Equatable {
    let id: UUID
    let amountFen: Int64
    let status: String
    let createdAt: Date
    let balanceFen: Int64
}

/// Withdrawals, exactly once: the withdrawal, its debit of the wallet (a conditional write: never below
/// zero) and its payout movement are written in one transaction; the payout provider is then called
/// with the movement's key. A payout refused for good returns the money to the wallet, once.
enum Withdrawals {
    static let purpose = "withdrawal"
    /// 小黄狗 and the Jinan kiosks pay out from 10 元.
    static let minimumFen: Int64 = 1_000

    static let moneyPurpose = MoneyMovements.Purpose(
        settled: { movement, db in
            try await db.conditionalUpdate(WalletWithdrawal.schema) {
                $0.set("status", to: WalletWithdrawal.Status.paid.rawValue).set("settled_at", to: movement.settledAt)
                    .where("id", .equal, movement.subjectID)
                    .where("status", .equal, WalletWithdrawal.Status.pending.rawValue)
            }
        },
        failed: { movement, db in
            guard let row = try await WalletWithdrawal.find(movement.subjectID, on: db) else { return }
            let changed = try await db.conditionalUpdate(WalletWithdrawal.schema) {
                $0.set("status", to: WalletWithdrawal.Status.failed.rawValue).set("settled_at", to: movement.settledAt)
                    .where("id", .equal, movement.subjectID)
                    .where("status", .equal, WalletWithdrawal.Status.pending.rawValue)
            }
            guard changed == 1 else { return }
            try await Books.post(
                .transfer(
                    row.amountFen, from: Books.provider(row.communityID), to: Books.wallet(row.householdID),
                    cause: "withdrawal:\(movement.subjectID):returned"),
                community: row.communityID, at: movement.settledAt ?? row.createdAt, on: db)
        })

    static func withdraw(_ household: Household, _ input: WithdrawalInput, on req: Request) async throws
        -> WithdrawalRead
    {
        var v = Validation()
        let key = v.text(input.requestKey, "requestKey", max: 64)
        if let amount = input.amountFen {
            if amount < minimumFen { v.fail("amountFen", "below_minimum") } else if amount > 10_000_000 {
                v.fail("amountFen", "out_of_range")
            }
        } else {
            v.fail("amountFen", "missing_value")
        }
        try v.check()
        guard let key, let amount = input.amountFen else { throw LinliError.invalid("amountFen", "missing_value") }
        let householdID = try household.requireID()
        let community = household.communityID
        let person = try req.user().principal.personID
        let now = req.clock.now()
        let provider = req.application.payments
        let made = try await req.db.writeTransaction { tx in
            try await book(
                amount, from: householdID, in: community, to: person, key: key, provider: provider.name, at: now, on: tx)
        }
        guard let (row, movement) = made else {
            // The same request again: the first answer, nothing moved twice.
            guard let first = try await WalletWithdrawal.query(on: req.db).filter(\.$householdID == householdID)
                .filter(\.$requestKey == key).first()
            else { throw LinliError(.unavailable) }
            guard first.amountFen == amount else {
                throw LinliError(.conflict, issues: [FieldIssue(field: "requestKey", reason: "used_for_another_amount")])
            }
            return try await read(first, on: req.db)
        }
        // The provider's answer; when it cannot be reached the movement stays pending for the sweep.
        do {
            try await MoneyMovements.settle(movement, provider: provider, now: now, on: req.db)
        } catch is PaymentDeclined {
        } catch let error as LinliError where error.code == .unavailable {}
        return try await read(try await WalletWithdrawal.find(try row.requireID(), on: req.db) ?? row, on: req.db)
    }

    /// The withdrawal, the wallet's debit and the pending payout movement, in the caller's transaction;
    /// nil when the household already has a withdrawal under `key`.
    static func book(
        _ amount: Int64, from householdID: UUID, in community: UUID, to person: UUID, key: String, provider: String,
        at now: Date, on tx: any Database
    ) async throws -> (WalletWithdrawal, MoneyMovement)? {
        guard let sql = tx as? any SQLDatabase else { throw LinliError(.unavailable) }
        let id = UUID()
        let inserted = try await sql.insert(into: WalletWithdrawal.schema)
            .columns("id", "community_id", "household_id", "person_id", "amount_fen", "request_key", "status", "created_at")
            .values(
                SQLBind(id), SQLBind(community), SQLBind(householdID), SQLBind(person), SQLBind(amount), SQLBind(key),
                SQLBind(WalletWithdrawal.Status.pending.rawValue), SQLBind(now)
            )
            .ignoringConflicts(with: ["household_id", "request_key"]).returning("id").all()
        guard !inserted.isEmpty, let row = try await WalletWithdrawal.find(id, on: tx) else { return nil }
        try await Books.post(
            .transfer(amount, from: Books.wallet(householdID), to: Books.provider(community), cause: "withdrawal:\(id)"),
            community: community, at: now, on: tx)
        let movement = MoneyMovement(
            community: community, purpose: purpose, subject: id, kind: .payout, cents: Int(amount),
            key: "payout:\(id)", provider: provider, at: now)
        try await movement.create(on: tx)
        return (row, movement)
    }

    /// A home left empty: its wallet's whole balance goes with the last resident — into their other home's
    /// wallet in the community if they have one, otherwise paid out to them (whatever the amount: the
    /// minimum is for withdrawals a resident chooses). The payout is settled by the money sweep.
    static func settle(_ vacancy: Vacancy, provider: String, on db: any Database) async throws {
        let balance = try await Books.balance(Books.wallet(vacancy.household), on: db)
        guard balance > 0 else { return }
        let otherHome = try await Membership.query(on: db).filter(\.$personID == vacancy.lastResident)
            .filter(\.$communityID == vacancy.community).filter(\.$householdID != vacancy.household).all()
            .first { $0.isCurrent(on: vacancy.day) }
        if let otherHome {
            try await Books.post(
                .transfer(
                    balance, from: Books.wallet(vacancy.household), to: Books.wallet(otherHome.householdID),
                    cause: "vacated:\(vacancy.household):\(vacancy.day)"),
                community: vacancy.community, at: vacancy.at, on: db)
        } else {
            _ = try await book(
                balance, from: vacancy.household, in: vacancy.community, to: vacancy.lastResident,
                key: "vacated:\(vacancy.day)", provider: provider, at: vacancy.at, on: db)
        }
    }

    static func read(_ row: WalletWithdrawal, on db: any Database) async throws -> WithdrawalRead {
        WithdrawalRead(
            id: try row.requireID(), amountFen: row.amountFen, status: row.status.rawValue, createdAt: row.createdAt,
            balanceFen: try await Books.balance(Books.wallet(row.householdID), on: db))
    }
}
