import Fluent
import Foundation
import LinliCore
import SQLKit
import Vapor

/// How every payment of a bill is written — at the desk, from the wallet, online — whatever brought it.
extension BillingAPI {
    /// Records a payment of `bill`: its row (unique per bill and request key), the bill's one conditional
    /// write (never more than owed) and `alsoIn` (the wallet's debit) in one transaction; the same
    /// request key again answers the first receipt.
    static func record(
        _ bill: Bill, amount: Int64, channel: BillPayment.Channel, key: String, on req: Request,
        alsoIn: (@Sendable (any Database, UUID) async throws -> Void)? = nil
    ) async throws -> DeskPaymentRead {
        let billID = try bill.requireID()
        let community = bill.communityID
        if let done = try await BillPayment.query(on: req.db).filter(\.$billID == billID)
            .filter(\.$requestKey == key).first()
        {
            return try await answer(done, on: req.db)
        }
        let by = try req.user().principal.personID
        let now = req.clock.now()
        let payment = try await req.db.writeTransaction { tx -> BillPayment? in
            guard let id = try await apply(bill, amount: amount, channel: channel, key: key, by: by, now: now, on: tx)
            else { return nil }
            try await alsoIn?(tx, id)
            let row = try await BillPayment.find(id, on: tx)
            try await Audit.record(.create, "bill_payment", id: id, community: community, after: row?.receiptNo, by: req, on: tx)
            return row
        }
        if let payment { return try await answer(payment, on: req.db) }
        guard let done = try await BillPayment.query(on: req.db).filter(\.$billID == billID).filter(\.$requestKey == key).first()
        else { throw LinliError(.unavailable) }
        return try await answer(done, on: req.db)
    }

    /// Inside `tx`: the payment's row with a new receipt number (nil when the bill already has one with
    /// this request key) and the bill's conditional write, which refuses to pay more than is owed
    /// (409 `more_than_owed`, and the transaction is undone). With `paidBefore` the bill is written only
    /// if it still shows that much paid (nil otherwise, nothing written): the caller read it and retries.
    static func apply(
        _ bill: Bill, amount: Int64, channel: BillPayment.Channel, key: String, by: UUID, now: Date, on tx: any Database,
        paidBefore: Int64? = nil
    ) async throws -> UUID? {
        guard let sql = tx as? any SQLDatabase else { throw LinliError(.unavailable) }
        let billID = try bill.requireID()
        func payBill() async throws -> Bool {
            var update = sql.update(Bill.schema)
                .set("paid_fen", to: SQLRaw("paid_fen + \(amount)"))
                .set("status", to: SQLRaw("CASE WHEN paid_fen + \(amount) >= total_fen THEN 'paid' ELSE 'partial' END"))
                .where("id", .equal, billID).where(SQLRaw("paid_fen + \(amount) <= total_fen"))
            if let paidBefore { update = update.where("paid_fen", .equal, paidBefore) }
            let row = try await update.returning("id").first()
            return (try? row?.decode(column: "id", as: UUID.self)) != nil
        }
        if paidBefore != nil, try await !payBill() { return nil }
        let receipt = "R" + Billing.period(of: Int64(now.timeIntervalSince1970 * 1000)).replacingOccurrences(of: "-", with: "")
            + "-" + Secret.alphanumeric(8).uppercased()
        let id = UUID()
        let inserted = try await sql.insert(into: BillPayment.schema)
            .columns("id", "community_id", "bill_id", "amount_fen", "channel", "request_key", "receipt_no", "recorded_by", "created_at")
            .values(
                SQLBind(id), SQLBind(bill.communityID), SQLBind(billID), SQLBind(amount), SQLBind(channel.rawValue),
                SQLBind(key), SQLBind(receipt), SQLBind(by), SQLBind(now)
            )
            .ignoringConflicts(with: ["bill_id", "request_key"]).returning("id").all()
        guard !inserted.isEmpty else {
            if paidBefore != nil { throw LinliError(.conflict, issues: [FieldIssue(field: "requestKey", reason: "duplicate")]) }
            return nil
        }
        if paidBefore == nil, try await !payBill() {
            throw LinliError(.conflict, issues: [FieldIssue(field: "amountFen", reason: "more_than_owed")])
        }
        return id
    }
}
