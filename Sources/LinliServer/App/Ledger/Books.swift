import Fluent
import Foundation
import LinliCore
import SQLKit

/// The ledger of the platform: every feature that moves money (the wallet, prepaid meters, bills, fees)
/// posts, reads a balance and reads a statement here, and touches no ledger table itself.
///
/// Books `LinliCore.Ledger` transactions in the database, inside the caller's transaction: the entry's
/// cause is inserted first (a cause already booked books nothing and answers nil), then each account's
/// balance moves by one conditional write — an account that may not go negative refuses a posting that
/// would take it below zero, which throws and so undoes the whole transaction.
enum Books {
    /// The balances after the booking, by account; nil when the cause was already booked.
    @discardableResult
    static func post(_ transaction: Ledger.Transaction, community: UUID, at now: Date, on db: any Database)
        async throws -> [Ledger.Account: Int64]?
    {
        // Balance, emptiness and zero postings are checked without the database; accounts below.
        if let refusal = Ledger().check(transaction), refusal != .insufficientBalance {
            throw LinliError.ledger(refusal)
        }
        guard let sql = db as? any SQLDatabase else { throw LinliError(.unavailable) }
        let entryID = UUID()
        let inserted = try await sql.insert(into: LedgerEntry.schema)
            .columns("id", "community_id", "cause", "created_at")
            .values(SQLBind(entryID), SQLBind(community), SQLBind(transaction.cause), SQLBind(now))
            .ignoringConflicts(with: ["cause"])
            .returning("id").all()
        guard !inserted.isEmpty else { return nil }
        var after: [Ledger.Account: Int64] = [:]
        for posting in transaction.postings {
            guard let owner = UUID(uuidString: posting.account.owner) else { throw LinliError(.unavailable) }
            try await sql.insert(into: LedgerAccount.schema)
                .columns("id", "community_id", "kind", "owner_id", "balance_fen", "updated_at")
                .values(
                    SQLBind(UUID()), SQLBind(community), SQLBind(posting.account.kind.rawValue), SQLBind(owner),
                    SQLBind(Int64(0)), SQLBind(now)
                )
                .ignoringConflicts(with: ["kind", "owner_id"]).run()
            var update = sql.update(LedgerAccount.schema)
                .set("balance_fen", to: SQLRaw("balance_fen + \(posting.fen)")).set("updated_at", to: now)
                .where("kind", .equal, posting.account.kind.rawValue).where("owner_id", .equal, owner)
            if !posting.account.kind.mayGoNegative {
                update = update.where(SQLRaw("balance_fen + \(posting.fen) >= 0"))
            }
            guard let row = try await update.returning("id", "balance_fen").first() else {
                throw LinliError(.conflict, issues: [FieldIssue(field: "amountFen", reason: "insufficient_balance")])
            }
            let accountID = try row.decode(column: "id", as: UUID.self)
            let balance = try row.decode(column: "balance_fen", as: Int64.self)
            after[posting.account] = balance
            try await sql.insert(into: LedgerPosting.schema)
                .columns("id", "community_id", "entry_id", "account_id", "fen", "balance_after", "created_at")
                .values(
                    SQLBind(UUID()), SQLBind(community), SQLBind(entryID), SQLBind(accountID), SQLBind(posting.fen),
                    SQLBind(balance), SQLBind(now)
                ).run()
        }
        return after
    }

    /// An account's balance (0 for an account never used).
    static func balance(_ account: Ledger.Account, on db: any Database) async throws -> Int64 {
        guard let owner = UUID(uuidString: account.owner) else { return 0 }
        return try await LedgerAccount.query(on: db).filter(\.$kind == account.kind).filter(\.$ownerID == owner)
            .first()?.balanceFen ?? 0
    }

    /// One line of an account's statement: the money in (+) or out (−), the balance after, and why.
    struct StatementLine: Sendable {
        let at: Date
        let fen: Int64
        let balanceAfter: Int64
        let cause: String
    }

    /// An account's postings since `since`, newest first as `options` sorts them, a page at a time.
    static func statement(
        _ account: Ledger.Account, since: Date? = nil, _ options: ListOptions, on db: any Database
    ) async throws -> ListPage<StatementLine> {
        guard let owner = UUID(uuidString: account.owner),
            let row = try await LedgerAccount.query(on: db).filter(\.$kind == account.kind)
                .filter(\.$ownerID == owner).first()
        else { return ListPage(items: [], metadata: PageMetadata(page: options.page, per: options.per, total: 0)) }
        var query = LedgerPosting.query(on: db).filter(\.$accountID == (try row.requireID()))
        if let since { query = query.filter(\.$createdAt >= since) }
        let page = try await query.page(options, map: { $0 })
        let entries = try await LedgerEntry.query(on: db).filter(\.$id ~~ page.items.map(\.entryID)).all()
        let causes = Dictionary(entries.compactMap { e in e.id.map { ($0, e.cause) } }, uniquingKeysWith: { a, _ in a })
        return ListPage(
            items: page.items.map {
                StatementLine(at: $0.createdAt, fen: $0.fen, balanceAfter: $0.balanceAfter, cause: causes[$0.entryID] ?? "")
            }, metadata: page.metadata)
    }

    /// The money each of these causes put into accounts (the sum of its positive postings); a cause never
    /// booked is absent.
    static func credited(_ causes: [String], on db: any Database) async throws -> [String: Int64] {
        var out: [String: Int64] = [:]
        for start in stride(from: 0, to: causes.count, by: 500) {
            let chunk = Array(causes[start..<min(start + 500, causes.count)])
            let entries = try await LedgerEntry.query(on: db).filter(\.$cause ~~ chunk).all()
            let byEntry = Dictionary(entries.compactMap { e in e.id.map { ($0, e.cause) } }, uniquingKeysWith: { a, _ in a })
            let postings = try await LedgerPosting.query(on: db).filter(\.$entryID ~~ Array(byEntry.keys)).all()
            for posting in postings where posting.fen > 0 {
                if let cause = byEntry[posting.entryID] { out[cause, default: 0] += posting.fen }
            }
        }
        return out
    }

    static func wallet(_ household: UUID) -> Ledger.Account { .init(.wallet, household.uuidString) }
    /// A household's prepaid balance for its meters.
    static func prepaid(_ household: UUID) -> Ledger.Account { .init(.prepaid, household.uuidString) }
    static func recyclingPayouts(_ community: UUID) -> Ledger.Account { .init(.recyclingPayouts, community.uuidString) }
    static func provider(_ community: UUID) -> Ledger.Account { .init(.provider, community.uuidString) }
    static func revenue(_ community: UUID) -> Ledger.Account { .init(.revenue, community.uuidString) }
}

extension LinliError {
    /// A transaction the ledger's rules refuse (a programming error in the caller, or an overdraft).
    static func ledger(_ refusal: Ledger.Refusal) -> LinliError {
        switch refusal {
        case .insufficientBalance:
            LinliError(.conflict, issues: [FieldIssue(field: "amountFen", reason: "insufficient_balance")])
        case .alreadyBooked: LinliError(.conflict, issues: [FieldIssue(field: "cause", reason: "already_booked")])
        case .unbalanced, .empty, .noCause, .zeroPosting: LinliError.invalid("amountFen", refusal.rawValue)
        }
    }
}
