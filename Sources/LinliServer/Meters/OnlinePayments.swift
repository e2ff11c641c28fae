import Fluent
import Foundation
import LinliCore
import SQLKit
import Vapor

/// A resident pays a bill online through the payment provider, in the pattern of every money movement
/// (`MoneyMovements`): the charge is recorded as pending (one per bill, payer and request key) before
/// the provider is called; when it succeeds, the payment's row and the bill's write are made in the
/// transaction that settles it. When a desk payment came first and the charge is now more than is owed,
/// only what is owed is booked and the rest is refunded through the provider, once.
enum OnlinePayments {
    static let purpose = "bill"

    /// `bill:<bill>:<payer>:<request key>`; the payment's own request key is `online:<request key>`.
    static func key(bill: UUID, payer: UUID, requestKey: String) -> String { "bill:\(bill):\(payer):\(requestKey)" }

    static let moneyPurpose = MoneyMovements.Purpose(
        settled: { movement, tx in
            guard movement.kind == .charge else { return }  // a refund's settling writes nothing more
            let parts = movement.idempotencyKey.split(separator: ":", maxSplits: 3).map(String.init)
            guard parts.count == 4, let payer = UUID(uuidString: parts[2]) else { return }
            let at = movement.settledAt ?? movement.createdAt
            let charged = Int64(movement.amountCents)
            var booked: Int64 = 0
            // What is owed now (a desk payment may have come in since the charge was asked for): the
            // bill is read again in the transaction and written only if it is unchanged since.
            for _ in 0..<5 {
                guard let bill = try await Bill.find(movement.subjectID, on: tx) else { break }
                let owed = bill.totalFen - bill.paidFen
                guard owed > 0 else { break }
                let amount = min(charged, owed)
                if try await BillingAPI.apply(
                    bill, amount: amount, channel: .online, key: "online:" + parts[3], by: payer, now: at, on: tx,
                    paidBefore: bill.paidFen) != nil
                {
                    booked = amount
                    break
                }
            }
            if charged > booked {
                try await MoneyMovement(
                    community: movement.communityID, purpose: purpose, subject: movement.subjectID, kind: .refund,
                    cents: Int(charged - booked), key: "bill-refund:\(movement.id?.uuidString ?? "")",
                    provider: movement.provider, originalReference: movement.reference, at: at
                ).create(on: tx)
            }
        },
        failed: { _, _ in })

    static func pay(_ household: Household, billID: UUID, _ input: WalletBillPaymentInput, on req: Request) async throws
        -> DeskPaymentRead
    {
        let householdID = try household.requireID()
        guard let bill = try await Bill.find(billID, on: req.db), bill.householdID == householdID else {
            throw LinliError(.notFound)
        }
        var v = Validation()
        let requestKey = v.text(input.requestKey, "requestKey", max: 64)
        let payer = try req.user().principal.personID
        let owed = bill.totalFen - bill.paidFen
        let amount = input.amountFen ?? owed
        let key = requestKey.map { Self.key(bill: billID, payer: payer, requestKey: $0) }
        var earlier: MoneyMovement?
        if let key { earlier = try await MoneyMovement.query(on: req.db).filter(\.$idempotencyKey == key).first() }
        if earlier == nil, amount < 1 || amount > owed {
            v.fail("amountFen", bill.status == .paid ? "already_paid" : owed < amount ? "more_than_owed" : "out_of_range")
        }
        try v.check()
        guard let key, let requestKey else { throw LinliError.invalid("requestKey", "missing_value") }
        let provider = req.application.payments
        let now = req.clock.now()
        let movement = try await MoneyMovements.charge(
            key: key, cents: earlier?.amountCents ?? Int(amount), purpose: purpose, subject: billID,
            community: bill.communityID, provider: provider, now: now, on: req.db)
        if input.amountFen.map({ Int($0) != movement.amountCents }) ?? false {
            throw LinliError(.conflict, issues: [FieldIssue(field: "requestKey", reason: "used_for_another_amount")])
        }
        // A refund made while settling is sent now; the sweep sends it if the provider is away.
        if let id = movement.id,
            let refund = try await MoneyMovement.query(on: req.db).filter(\.$idempotencyKey == "bill-refund:\(id)")
                .filter(\.$status == .pending).first()
        {
            _ = try? await MoneyMovements.settle(refund, provider: provider, now: now, on: req.db)
        }
        guard
            let payment = try await BillPayment.query(on: req.db).filter(\.$billID == billID)
                .filter(\.$requestKey == "online:" + requestKey).first()
        else {
            // Paid in full at the desk first: the whole charge goes back.
            throw LinliError(.conflict, issues: [FieldIssue(field: "amountFen", reason: "already_paid")])
        }
        return try await BillingAPI.answer(payment, on: req.db)
    }
}
