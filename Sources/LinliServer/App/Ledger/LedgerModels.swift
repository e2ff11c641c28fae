import Fluent
import Foundation
import LinliCore

/// (The ledger's tables were made by the wallet's first migration, before the ledger became the platform's.)
///
/// One account of the ledger: a household's wallet, a community's recycling payouts, a provider's
/// side. Its balance is the sum of its postings, kept on the row so that "never below zero" is one
/// conditional write.
final class LedgerAccount: Model, @unchecked Sendable {
    static let schema = "ledger_accounts"

    // managed
    @ID(key: .id) var id: UUID?

    // data
    @Field(key: "community_id") var communityID: UUID
    @Enum(key: "kind") var kind: Ledger.AccountKind
    /// The household (wallet, prepaid) or the community (payouts, revenue, provider).
    @Field(key: "owner_id") var ownerID: UUID
    @Field(key: "balance_fen") var balanceFen: Int64
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}

/// One booked transaction: its cause is unique, so the same cause is never booked twice.
final class LedgerEntry: Model, @unchecked Sendable {
    static let schema = "ledger_entries"

    // managed
    @ID(key: .id) var id: UUID?

    // data
    @Field(key: "community_id") var communityID: UUID
    /// `weighing:<id>`, `withdrawal:<id>`, `withdrawal:<id>:returned`.
    @Field(key: "cause") var cause: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

/// One side of an entry: money into (positive) or out of (negative) an account.
final class LedgerPosting: Model, @unchecked Sendable {
    static let schema = "ledger_postings"

    // managed
    @ID(key: .id) var id: UUID?

    // data
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "entry_id") var entryID: UUID
    @Field(key: "account_id") var accountID: UUID
    @Field(key: "fen") var fen: Int64
    /// The account's balance after it (a wallet's history shows it).
    @Field(key: "balance_after") var balanceAfter: Int64
    @Field(key: "created_at") var createdAt: Date

    init() {}
}
