import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// Where online money goes (WeChat Pay, Alipay), and where payouts to residents leave from (a wallet's
/// withdrawal to the resident's own account). Linli ships only the test provider. Every call
/// carries an idempotency key: the same key asked again answers the same result and moves no money
/// twice, which is what lets a restart finish a movement whose answer was lost.
protocol PaymentProvider: Sendable {
    var name: String { get }
    func charge(key: String, cents: Int) async throws -> String
    func refund(key: String, reference: String, cents: Int) async throws -> String
    func payout(key: String, cents: Int) async throws -> String
}

/// The test provider: moves no money; its reference follows from the idempotency key.
struct TestPaymentProvider: PaymentProvider {
    let name = "test"
    func charge(key: String, cents: Int) async throws -> String { "test-charge-" + Secret.hash(key).prefix(12) }
    func refund(key: String, reference: String, cents: Int) async throws -> String {
        "test-refund-" + Secret.hash(key).prefix(12)
    }
    func payout(key: String, cents: Int) async throws -> String { "test-payout-" + Secret.hash(key).prefix(12) }
}

/// One movement of money through the provider: recorded as `pending` (in the transaction of the state
/// change it belongs to) before the provider is called, then settled once by a conditional write
/// together with its purpose's record. A crash between the call and the record leaves it pending;
/// `reconcile` asks the provider again with the same key and settles it. The pattern every money
/// feature uses (bookings, wallet withdrawals; bills and fees next).
final class MoneyMovement: Model, @unchecked Sendable {
    static let schema = "money_movements"

    enum Kind: String, Codable, Sendable { case charge, refund, payout }
    enum Status: String, Codable, Sendable { case pending, succeeded, failed }

    // managed
    @ID(key: .id) var id: UUID?

    // data
    @Field(key: "community_id") var communityID: UUID
    /// What the money is for (`booking`), so `reconcile` knows whose record to write.
    @Field(key: "purpose") var purpose: String
    @Field(key: "subject_id") var subjectID: UUID
    @Enum(key: "kind") var kind: Kind
    @Field(key: "amount_cents") var amountCents: Int
    /// Unique: the same movement is never made twice (`refund:<booking>`, `charge:<booking>`).
    @Field(key: "idempotency_key") var idempotencyKey: String
    /// For a refund, the charge's reference.
    @OptionalField(key: "original_reference") var originalReference: String?
    @Enum(key: "status") var status: Status
    @Field(key: "provider") var provider: String
    @OptionalField(key: "reference") var reference: String?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "settled_at") var settledAt: Date?

    init() {}

    init(
        community: UUID, purpose: String, subject: UUID, kind: Kind, cents: Int, key: String, provider: String,
        originalReference: String? = nil, at: Date
    ) {
        id = UUID()
        communityID = community
        self.purpose = purpose
        subjectID = subject
        self.kind = kind
        amountCents = cents
        idempotencyKey = key
        self.originalReference = originalReference
        status = .pending
        self.provider = provider
        createdAt = at
    }
}

/// Settles movements: calls the provider and writes the outcome with the purpose's own record.
enum MoneyMovements {
    /// What a purpose writes when its movement settles (in the same transaction as the status change),
    /// and what it undoes when a charge failed.
    struct Purpose: Sendable {
        let settled: @Sendable (MoneyMovement, any Database) async throws -> Void
        let failed: @Sendable (MoneyMovement, any Database) async throws -> Void
    }

    private static let purposes = NIOLockedValueBox([String: Purpose]())

    /// A feature registers its purpose once (`Services.register`).
    static func register(_ name: String, _ purpose: Purpose) {
        purposes.withLockedValue { $0[name] = purpose }
    }

    /// Calls the provider for a pending movement and settles it. Safe to call again for the same row
    /// (another request, `reconcile`): the provider answers the same key the same way and only one
    /// conditional write settles it. Throws `unavailable` when the provider could not be reached (the
    /// movement stays pending for `reconcile`).
    @discardableResult
    static func settle(_ movement: MoneyMovement, provider: any PaymentProvider, now: Date, on db: any Database)
        async throws -> MoneyMovement.Status
    {
        guard movement.status == .pending, let id = movement.id else { return movement.status }
        guard let purpose = purposes.withLockedValue({ $0[movement.purpose] }) else { return .pending }
        let reference: String
        do {
            switch movement.kind {
            case .charge: reference = try await provider.charge(key: movement.idempotencyKey, cents: movement.amountCents)
            case .refund:
                reference = try await provider.refund(
                    key: movement.idempotencyKey, reference: movement.originalReference ?? "",
                    cents: movement.amountCents)
            case .payout: reference = try await provider.payout(key: movement.idempotencyKey, cents: movement.amountCents)
            }
        } catch let declined as PaymentDeclined {
            try await db.writeTransaction { tx in
                let changed = try await tx.conditionalUpdate(MoneyMovement.schema) {
                    $0.set("status", to: MoneyMovement.Status.failed.rawValue).set("settled_at", to: now)
                        .where("id", .equal, id).where("status", .equal, MoneyMovement.Status.pending.rawValue)
                }
                if changed == 1 { try await purpose.failed(movement, tx) }
            }
            movement.status = .failed
            throw declined
        } catch {
            throw LinliError(.unavailable)
        }
        try await db.writeTransaction { tx in
            let changed = try await tx.conditionalUpdate(MoneyMovement.schema) {
                $0.set("status", to: MoneyMovement.Status.succeeded.rawValue).set("reference", to: reference)
                    .set("settled_at", to: now)
                    .where("id", .equal, id).where("status", .equal, MoneyMovement.Status.pending.rawValue)
            }
            movement.reference = reference
            movement.settledAt = now
            if changed == 1 { try await purpose.settled(movement, tx) }
        }
        movement.status = .succeeded
        return .succeeded
    }

    /// A charge asked for by a person's request: recorded pending under `key` (the same key again finds the
    /// same movement: parallel repeats charge once; another amount under it is 409), then settled. The
    /// provider declining is 409 `payment_declined`; unreachable, 503 (the sweep settles it later).
    static func charge(
        key: String, cents: Int, purpose: String, subject: UUID, community: UUID, provider: any PaymentProvider, now: Date,
        on db: any Database
    ) async throws -> MoneyMovement {
        var movement = try await MoneyMovement.query(on: db).filter(\.$idempotencyKey == key).first()
        if movement == nil {
            let made = MoneyMovement(
                community: community, purpose: purpose, subject: subject, kind: .charge, cents: cents, key: key,
                provider: provider.name, at: now)
            do {
                try await made.create(on: db)
                movement = made
            } catch let error as any DatabaseError where error.isConstraintFailure {
                movement = try await MoneyMovement.query(on: db).filter(\.$idempotencyKey == key).first()
            }
        }
        guard let movement else { throw LinliError(.unavailable) }
        guard movement.amountCents == cents else {
            throw LinliError(.conflict, issues: [FieldIssue(field: "requestKey", reason: "used_for_another_amount")])
        }
        do {
            try await settle(movement, provider: provider, now: now, on: db)
        } catch is PaymentDeclined {
            throw LinliError(.conflict, issues: [FieldIssue(field: "payment", reason: "payment_declined")])
        }
        if movement.status == .failed {
            throw LinliError(.conflict, issues: [FieldIssue(field: "payment", reason: "payment_declined")])
        }
        return movement
    }

    /// Settles every movement still pending from before `olderThan` (run at start and by the sweep).
    static func reconcile(provider: any PaymentProvider, now: Date, olderThan: TimeInterval = 60, on db: any Database)
        async throws -> Int
    {
        let pending = try await MoneyMovement.query(on: db).filter(\.$status == .pending)
            .filter(\.$createdAt <= now.addingTimeInterval(-olderThan)).limit(500).all()
        var settled = 0
        for movement in pending {
            if (try? await settle(movement, provider: provider, now: now, on: db)) == .succeeded { settled += 1 }
        }
        return settled
    }
}

/// The provider refused the movement for good (card declined, account closed): not retried.
struct PaymentDeclined: Error {}

extension Application {
    private struct PaymentProviderKey: StorageKey { typealias Value = any PaymentProvider }

    var payments: any PaymentProvider {
        get { storage[PaymentProviderKey.self] ?? TestPaymentProvider() }
        set { storage[PaymentProviderKey.self] = newValue }
    }
}
