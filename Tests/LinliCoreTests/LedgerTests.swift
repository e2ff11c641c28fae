import Foundation
import Testing

@testable import LinliCore

@Suite struct LedgerTests {
    let wallet = Ledger.Account(.wallet, "h1")
    let payouts = Ledger.Account(.recyclingPayouts, "c1")
    let provider = Ledger.Account(.provider, "test")

    @Test func aTransactionIsBookedWholeOrNotAtAll() throws {
        // setup
        var ledger = Ledger()
        // act: a recycling credit, then a withdrawal of more than the wallet holds.
        try ledger.post(.transfer(1_250, from: payouts, to: wallet, cause: "weighing:b1:e1"))
        #expect(throws: Ledger.Refusal.insufficientBalance) {
            try ledger.post(.transfer(1_251, from: wallet, to: provider, cause: "withdrawal:w1"))
        }
        // check: the refused one left nothing behind; the same cause books nothing twice.
        #expect(ledger.balance(wallet) == 1_250 && ledger.journal.count == 1)
        #expect(throws: Ledger.Refusal.alreadyBooked) {
            try ledger.post(.transfer(1_250, from: payouts, to: wallet, cause: "weighing:b1:e1"))
        }
        #expect(throws: Ledger.Refusal.unbalanced) {
            try ledger.post(.init(cause: "x", postings: [.init(wallet, 5), .init(payouts, -4)]))
        }
        #expect(throws: Ledger.Refusal.noCause) { try ledger.post(.transfer(5, from: payouts, to: wallet, cause: "")) }
        #expect(throws: Ledger.Refusal.zeroPosting) { try ledger.post(.transfer(0, from: payouts, to: wallet, cause: "z")) }
        #expect(ledger.isConsistent)
    }

    @Test func randomSequencesKeepEveryInvariant() {
        // Property: whatever sequence of credits, withdrawals, payments and repeats is tried, every
        // booked transaction balances, no wallet or prepaid balance is below zero, the balances follow
        // from the journal, and no cause is booked twice. 200 seeded sequences of 300 steps each.
        for seed in UInt64(1)...200 {
            var rng = SeededRandom(seed: seed)
            var ledger = Ledger()
            let households = (0..<4).map { "h\($0)" }
            var refusals = 0
            for step in 0..<300 {
                let household = households[rng.next(households.count)]
                let amount = Int64(rng.next(3_000)) - 200  // sometimes negative or zero
                // A repeated cause a quarter of the time.
                let cause = rng.chance(0.25) && step > 0 ? "cause-\(rng.next(step))" : "cause-\(step)"
                let transaction: Ledger.Transaction
                switch rng.next(5) {
                case 0:
                    transaction = .transfer(amount, from: .init(.recyclingPayouts, "c"), to: .init(.wallet, household), cause: cause)
                case 1: transaction = .transfer(amount, from: .init(.wallet, household), to: .init(.provider, "p"), cause: cause)
                case 2: transaction = .transfer(amount, from: .init(.wallet, household), to: .init(.revenue, "c"), cause: cause)
                case 3: transaction = .transfer(amount, from: .init(.provider, "p"), to: .init(.prepaid, household), cause: cause)
                default:
                    // Prepaid use, sometimes across two households' accounts at once (must balance as a whole).
                    let other = households[rng.next(households.count)]
                    transaction = .init(cause: cause, postings: [
                        .init(.init(.prepaid, household), -amount), .init(.init(.prepaid, other), amount / 2),
                        .init(.init(.revenue, "c"), amount - amount / 2),
                    ])
                }
                let before = ledger
                do { try ledger.post(transaction) } catch {
                    refusals += 1
                    #expect(ledger == before, "a refused transaction changed the ledger (seed \(seed))")
                }
            }
            #expect(ledger.isConsistent, "seed \(seed)")
            #expect(refusals > 0 && ledger.journal.count > 100, "the sequence tried both kinds (seed \(seed))")
        }
    }

    @Test func recyclingCreditsAreNetTimesPriceHalfUp() {
        // 1.234 kg of paper at 0.80 元/kg: 98.72 fen → 99.
        #expect(RecyclingCredit.fen(netGrams: 1_234, pricePerKgFen: 80) == 99)
        #expect(RecyclingCredit.fen(netGrams: 500, pricePerKgFen: 1) == 1)
        #expect(RecyclingCredit.fen(netGrams: 499, pricePerKgFen: 1) == 0)
        #expect(RecyclingCredit.fen(netGrams: -5, pricePerKgFen: 80) == 0)
        #expect(RecyclingCredit.fen(netGrams: 3_000, pricePerKgFen: 0) == 0)
    }
}
