import Fluent
import Foundation
import LinliCore
import NIOConcurrencyHelpers
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

@Suite struct WithdrawalTests {
    let recycling = RecyclingTests()

    /// The owner's wallet with `fen` in it, from metal weighed at the bin (150 fen a kg).
    func fund(_ h: Harness, _ fen: Int) async throws {
        let (_, token) = try await recycling.bin(h)
        let session = try await recycling.signIn(h, token).content.decode(RecyclingSessionRead.self).sessionID
        let r = try await recycling.weigh(h, token, session, event: "fund", box: "metal", net: fen * 1000 / 150)
        #expect(try r.content.decode(WeighingRead.self).balanceFen == Int64(fen), "\(r.text)")
    }

    func withdraw(_ h: Harness, _ fen: Int, key: String, who: String = "owner") async throws -> TestingHTTPResponse {
        try await h.send(
            .POST, "/api/v1/me/households/\(h.world.home)/wallet/withdrawals", token: try await h.token(who),
            raw: #"{"amountFen":\#(fen),"requestKey":"\#(key)"}"#)
    }

    @Test func aWithdrawalIsPaidOnceAndTheSameRequestAgainMovesNothing() async throws {
        try await withLinli { h in
            try await fund(h, 1_500)
            let small = try await withdraw(h, 999, key: "k0")
            #expect(small.status == .unprocessableEntity && small.text.contains("below_minimum"))
            let first = try await withdraw(h, 1_000, key: "k1")
            #expect(first.status == .created, "\(first.text)")
            let paid = try first.content.decode(WithdrawalRead.self)
            #expect(paid.status == "paid" && paid.balanceFen == 500)
            let again = try await withdraw(h, 1_000, key: "k1")
            #expect(try again.content.decode(WithdrawalRead.self) == paid)
            let otherAmount = try await withdraw(h, 2_000, key: "k1")
            #expect(otherAmount.status == .conflict)
            let tooMuch = try await withdraw(h, 1_000, key: "k2")
            #expect(tooMuch.status == .conflict && tooMuch.text.contains("insufficient_balance"))
            let movements = try await MoneyMovement.query(on: h.app.db).all().filter { $0.kind == .payout }
            #expect(movements.count == 1 && movements[0].status == .succeeded)
            let entries = try await h.send(.GET, "/api/v1/me/households/\(h.world.home)/wallet/entries", token: try await h.token("owner"))
                .content.decode(ListPage<WalletEntryRead>.self).items
            #expect(entries.map(\.kind).sorted() == ["weighing", "withdrawal"] && entries.map(\.fen).sorted() == [-1_000, 1_500])
            // Another household's wallet is not the owner's to empty.
            let elsewhere = try await h.send(
                .POST, "/api/v1/me/households/\(h.world.otherHome)/wallet/withdrawals", token: try await h.token("owner"),
                raw: #"{"amountFen":1000,"requestKey":"x"}"#)
            #expect(elsewhere.status == .notFound)
        }
    }

    func moveOut(_ h: Harness, _ person: UUID, from household: UUID) async throws {
        let membership = try #require(
            try await Membership.query(on: h.app.db).filter(\.$personID == person).filter(\.$householdID == household)
                .first())
        let moved = try await h.send(
            .PATCH, "/api/v1/communities/\(h.world.a)/households/\(household)/members/\(try membership.requireID())",
            token: try await h.token("operator"), raw: #"{"movedOut":"\#(Calendar.chinaDate(h.clock.now()))"}"#)
        #expect(moved.status == .ok, "\(moved.text)")
    }

    @Test func aHomeLeftEmptyPaysItsWalletToTheLastOneOutNotTheNextOccupant() async throws {
        try await withLinli { h in
            try await fund(h, 730)
            // One of two moves out: the home is not empty, the wallet stays.
            try await moveOut(h, h.world.family, from: h.world.home)
            #expect(try await Books.balance(Books.wallet(h.world.home), on: h.app.db) == 730)
            // The last one out: the whole balance is paid out to them (under the 10 元 minimum too), once.
            try await moveOut(h, h.world.owner, from: h.world.home)
            #expect(try await Books.balance(Books.wallet(h.world.home), on: h.app.db) == 0)
            let payouts = try await WalletWithdrawal.query(on: h.app.db).all()
            #expect(payouts.count == 1 && payouts[0].personID == h.world.owner && payouts[0].amountFen == 730)
            h.clock.advance(by: 120)
            _ = try await MoneyMovements.reconcile(provider: h.app.payments, now: h.clock.now(), on: h.app.db)
            #expect(try await WalletWithdrawal.query(on: h.app.db).first()?.status == .paid)
            // The next occupant starts at zero.
            let added = try await h.send(
                .POST, "/api/v1/communities/\(h.world.a)/households/\(h.world.home)/members",
                token: try await h.token("operator"), raw: #"{"phone":"13900000003","relation":"owner"}"#)
            #expect(added.status == .created, "\(added.text)")
            let wallet = try await h.send(
                .GET, "/api/v1/me/households/\(h.world.home)/wallet", token: try await h.token("neighbour"))
            #expect(try wallet.content.decode(WalletRead.self).balanceFen == 0, "\(wallet.text)")
        }
    }

    @Test func aHomeLeftEmptyBySomeoneWithAnotherHomeHereMovesTheBalanceThere() async throws {
        try await withLinli { h in
            try await fund(h, 450)
            try await Membership(
                communityID: h.world.a, householdID: h.world.emptyHome, personID: h.world.owner, relation: .owner,
                movedIn: "2021-01-01"
            ).create(on: h.app.db)
            try await moveOut(h, h.world.family, from: h.world.home)
            try await moveOut(h, h.world.owner, from: h.world.home)
            #expect(try await Books.balance(Books.wallet(h.world.home), on: h.app.db) == 0)
            #expect(try await Books.balance(Books.wallet(h.world.emptyHome), on: h.app.db) == 450)
            #expect(try await WalletWithdrawal.query(on: h.app.db).count() == 0)
        }
    }

    @Test func parallelWithdrawalsNeverTakeTheWalletBelowZero() async throws {
        try await withLinli { h in
            try await fund(h, 2_500)
            let token = try await h.token("owner")
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for i in 0..<10 {
                    group.addTask {
                        try await h.send(
                            .POST, "/api/v1/me/households/\(h.world.home)/wallet/withdrawals", token: token,
                            raw: #"{"amountFen":1000,"requestKey":"p\#(i % 5)"}"#
                        ).status
                    }
                }
                var all: [HTTPStatus] = []
                for try await status in group { all.append(status) }
                return all
            }
            // Five keys, each sent twice: two withdrawals fit in 25 元, each answered to both of its requests.
            let rows = try await WalletWithdrawal.query(on: h.app.db).all()
            #expect(rows.count == 2 && rows.allSatisfy { $0.status == .paid })
            #expect(statuses.filter { $0 == .created }.count == 4 && statuses.filter { $0 == .conflict }.count == 6)
            #expect(try await Books.balance(Books.wallet(h.world.home), on: h.app.db) == 500)
        }
    }

    final class DecliningProvider: PaymentProvider, @unchecked Sendable {
        let name = "test"
        let payouts = NIOLockedValueBox(0)
        func charge(key: String, cents: Int) async throws -> String { "c-" + key }
        func refund(key: String, reference: String, cents: Int) async throws -> String { "r-" + key }
        func payout(key: String, cents: Int) async throws -> String {
            payouts.withLockedValue { $0 += 1 }
            throw PaymentDeclined()
        }
    }

    @Test func aDeclinedPayoutReturnsTheMoneyOnce() async throws {
        try await withLinli { h in
            try await fund(h, 1_500)
            let provider = DecliningProvider()
            h.app.payments = provider
            let r = try await withdraw(h, 1_200, key: "d1")
            #expect(try r.content.decode(WithdrawalRead.self).status == "failed")
            #expect(try await Books.balance(Books.wallet(h.world.home), on: h.app.db) == 1_500)
            // The sweep finds nothing pending: the money came back once.
            h.clock.advance(by: 3600)
            _ = try await MoneyMovements.reconcile(provider: provider, now: h.clock.now(), on: h.app.db)
            #expect(try await Books.balance(Books.wallet(h.world.home), on: h.app.db) == 1_500)
            #expect(provider.payouts.withLockedValue { $0 } == 1)
            let kinds = try await h.send(.GET, "/api/v1/me/households/\(h.world.home)/wallet/entries", token: try await h.token("owner"))
                .content.decode(ListPage<WalletEntryRead>.self).items.map(\.kind)
            #expect(kinds.sorted() == ["weighing", "withdrawal", "withdrawal_returned"])
        }
    }
}
