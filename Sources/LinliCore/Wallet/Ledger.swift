import Foundation

/// The rules of Linli's one double-entry ledger, in integer fen: every transaction's postings add up
/// to zero, every transaction names its cause, an account that may not go negative (a household's
/// wallet, a prepaid balance) never does, and a cause is booked once. The server keeps the same rules
/// with conditional writes in one database transaction; this is the model its tests and the
/// property-based test check against.
public struct Ledger: Sendable, Equatable {
    public enum AccountKind: String, Sendable, Equatable, Codable, CaseIterable {
        /// A household's wallet: what the household may spend or withdraw. Never negative.
        case wallet
        /// A household's prepaid utility balance. Never negative.
        case prepaid
        /// What the community has paid out for recycling (its expense): goes negative by design.
        case recyclingPayouts = "recycling_payouts"
        /// Money received for bills and fees.
        case revenue
        /// The payment or payout provider's side (money that entered or left Linli).
        case provider

        /// Accounts that hold someone's money may not go below zero.
        public var mayGoNegative: Bool {
            switch self {
            case .wallet, .prepaid: false
            case .recyclingPayouts, .revenue, .provider: true
            }
        }
    }

    public struct Account: Hashable, Sendable, Codable {
        public var kind: AccountKind
        /// The household, community or provider it belongs to.
        public var owner: String

        public init(_ kind: AccountKind, _ owner: String) {
            self.kind = kind
            self.owner = owner
        }
    }

    public struct Posting: Sendable, Equatable, Codable {
        public var account: Account
        /// Positive: into the account.
        public var fen: Int64

        public init(_ account: Account, _ fen: Int64) {
            self.account = account
            self.fen = fen
        }
    }

    public struct Transaction: Sendable, Equatable, Codable {
        /// Unique: `weighing:<bin>:<eventId>`, `withdrawal:<id>`, `bill:<id>:wallet`.
        public var cause: String
        public var postings: [Posting]

        public init(cause: String, postings: [Posting]) {
            self.cause = cause
            self.postings = postings
        }

        /// Money from one account to another.
        public static func transfer(_ fen: Int64, from: Account, to: Account, cause: String) -> Transaction {
            Transaction(cause: cause, postings: [Posting(from, -fen), Posting(to, fen)])
        }
    }

    public enum Refusal: String, Error, Sendable, Equatable {
        case unbalanced
        case empty
        case noCause = "no_cause"
        case zeroPosting = "zero_posting"
        case insufficientBalance = "insufficient_balance"
        case alreadyBooked = "already_booked"
    }

    public private(set) var balances: [Account: Int64] = [:]
    public private(set) var causes: Set<String> = []
    public private(set) var journal: [Transaction] = []

    public init() {}

    public func balance(_ account: Account) -> Int64 { balances[account] ?? 0 }

    /// Why `transaction` may not be booked, or nil.
    public func check(_ transaction: Transaction) -> Refusal? {
        if transaction.cause.isEmpty { return .noCause }
        if transaction.postings.isEmpty { return .empty }
        if transaction.postings.contains(where: { $0.fen == 0 }) { return .zeroPosting }
        var sum: Int64 = 0
        for posting in transaction.postings {
            let (next, overflow) = sum.addingReportingOverflow(posting.fen)
            if overflow { return .unbalanced }
            sum = next
        }
        if sum != 0 { return .unbalanced }
        if causes.contains(transaction.cause) { return .alreadyBooked }
        var after = balances
        for posting in transaction.postings { after[posting.account, default: 0] += posting.fen }
        for posting in transaction.postings where !posting.account.kind.mayGoNegative {
            if after[posting.account, default: 0] < 0 { return .insufficientBalance }
        }
        return nil
    }

    /// Books `transaction` whole, or nothing and says why.
    public mutating func post(_ transaction: Transaction) throws(Refusal) {
        if let refusal = check(transaction) { throw refusal }
        for posting in transaction.postings { balances[posting.account, default: 0] += posting.fen }
        causes.insert(transaction.cause)
        journal.append(transaction)
    }

    /// The invariants: the balances add up to zero and follow from the journal; no account that may not
    /// go negative is below zero; no cause twice.
    public var isConsistent: Bool {
        var replay: [Account: Int64] = [:]
        for transaction in journal {
            guard transaction.postings.reduce(0, { $0 + $1.fen }) == 0 else { return false }
            for posting in transaction.postings { replay[posting.account, default: 0] += posting.fen }
        }
        let nonZero = replay.filter { $0.value != 0 }
        return nonZero == balances.filter { $0.value != 0 }
            && balances.values.reduce(0, +) == 0
            && !balances.contains { !$0.key.kind.mayGoNegative && $0.value < 0 }
            && Set(journal.map(\.cause)).count == journal.count
    }
}

/// Weighing a recycling box: net × the price in force, in fen (half up). Net in grams, price in fen
/// per kg.
public enum RecyclingCredit {
    public static func fen(netGrams: Int64, pricePerKgFen: Int64) -> Int64 {
        guard netGrams > 0, pricePerKgFen > 0 else { return 0 }
        return (netGrams * pricePerKgFen + 500) / 1000
    }

    /// The five boxes of the bins (Hengshui's): textile, metal, plastic, bottles, paper — and the unpaid
    /// ones a bin may also have.
    public enum Box: String, Sendable, Equatable, Codable, CaseIterable {
        case textile, metal, plastic, bottles, paper, glass, hazardous
    }
}
