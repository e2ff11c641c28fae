import Foundation
import LinliCore
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

@Suite struct BillingTests {
    let usage = UsageTests()

    /// Water tiered at 5 m³ a year (3.45 / 4.83 元), property fee 2.50 元/m², from today (2026-09-21);
    /// then the clock moves to 2 November and the home's meter reads 10 L an hour through October.
    func october(_ h: Harness) async throws -> (op: String, meter: String) {
        let op = try await h.token("operator")
        for body in [
            #"{"item":"water","effectiveFrom":"2026-09-21","tierLimits":[5000],"prices":[34500,48300]}"#,
            #"{"item":"property_fee","effectiveFrom":"2026-09-21","prices":[250]}"#,
        ] {
            let r = try await h.send(.POST, h.community + "/tariffs", token: op, raw: body)
            #expect(r.status == .created, "\(r.text)")
        }
        h.clock.advance(by: 42 * 86_400)
        let september30 = Calendar.china.date(from: DateComponents(year: 2026, month: 9, day: 30, hour: 22))!
        let meter = try await usage.meter(h, from: september30)
        return (try await h.token("operator"), meter)  // a new sign-in: the first one's token has expired by now
    }

    func bills(_ h: Harness, _ who: String = "owner") async throws -> [BillRead] {
        try await h.send(.GET, "/api/v1/me/households/\(h.world.home)/bills", token: try await h.token(who))
            .content.decode(ListPage<BillRead>.self).items
    }

    @Test func aMonthIsBilledOnceWithItsTierSplitAndFee() async throws {
        try await withLinli { h in
            let (op, meter) = try await october(h)
            // act: issue October twice.
            let first = try await h.send(.POST, h.community + "/bills/issue", token: op, raw: #"{"period":"2026-10"}"#)
            let again = try await h.send(.POST, h.community + "/bills/issue", token: op, raw: #"{"period":"2026-10"}"#)
            // check: 7.44 m³ = 5 at tier 1 (17.25 元) + 2.44 at tier 2 (11.79 元); 88 m² × 2.50 = 220 元.
            #expect(first.text.contains(#""issued":3"#) && again.text.contains(#""issued":0"#), "\(first.text) \(again.text)")
            let read = try await bills(h)
            #expect(read.count == 1)
            let bill = try #require(read.first)
            #expect(bill.period == "2026-10" && bill.dueOn == "2026-11-20" && bill.status == "issued")
            #expect(bill.lines.map(\.item) == ["water", "water", "property_fee"])
            #expect(bill.lines.map(\.quantityMilli) == [5_000, 2_440, 88_000])
            #expect(bill.lines.map(\.amountFen) == [1_725, 1_179, 22_000] && bill.totalFen == 24_904)
            // November's water is all past the first tier: the year's earlier bill counts.
            h.clock.advance(by: 30 * 86_400)
            // The same 10 L an hour on: the register carries on from where October's readings left it.
            let lastRead = h.clock.now().addingTimeInterval(-30 * 86_400)
            let september30 = Calendar.china.date(from: DateComponents(year: 2026, month: 9, day: 30, hour: 22))!
            let hours = (lastRead.timeIntervalSince(september30) / 3600).rounded(.down) + 1
            try await usage.read(h, meter, from: september30.addingTimeInterval(hours * 3600), start: 100 + hours * 0.01)
            try await Billing.run(now: h.clock.now(), on: h.app.db)
            let november = try #require(try await bills(h).first { $0.period == "2026-11" })
            #expect(november.lines.filter { $0.item == "water" }.map(\.tier) == [2])
            // Another household's bills are not the owner's; a month not over cannot be issued.
            let other = try await h.send(.GET, "/api/v1/me/households/\(h.world.otherHome)/bills", token: try await h.token("owner"))
            #expect(other.status == .notFound)
            let early = try await h.send(
                .POST, h.community + "/bills/issue", token: try await h.token("operator"), raw: #"{"period":"2026-12"}"#)
            #expect(early.status == .unprocessableEntity && early.text.contains("not_over"))
        }
    }

    @Test func deskPaymentsArePartialOnceEachAndNeverMoreThanOwed() async throws {
        try await withLinli { h in
            let (op, _) = try await october(h)
            _ = try await h.send(.POST, h.community + "/bills/issue", token: op, raw: #"{"period":"2026-10"}"#)
            let bill = try #require(try await bills(h).first)
            let staff = try await h.token("property")
            func pay(_ fen: Int, _ key: String) async throws -> TestingHTTPResponse {
                try await h.send(
                    .POST, h.community + "/bills/\(bill.id)/payments", token: staff,
                    raw: #"{"amountFen":\#(fen),"channel":"cash","requestKey":"\#(key)"}"#)
            }
            // Five different payments of 100 元 at once on 249.04 元 owed: two fit.
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for i in 0..<5 { group.addTask { try await pay(10_000, "p\(i)").status } }
                var all: [HTTPStatus] = []
                for try await status in group { all.append(status) }
                return all
            }
            #expect(statuses.filter { $0 == .created }.count == 2 && statuses.filter { $0 == .conflict }.count == 3)
            var read = try #require(try await bills(h).first)
            #expect(read.paidFen == 20_000 && read.status == "partial")
            // The arrears list: the home owes 49.04 元, not yet due; after the due day, 1–30 days late.
            func arrears() async throws -> [ArrearsRead] {
                try await h.send(.GET, h.community + "/arrears", token: staff).content.decode(ListPage<ArrearsRead>.self).items
            }
            var owed = try #require(try await arrears().first { $0.householdID == h.world.home })
            #expect(owed.owedFen == 4_904 && owed.notDueFen == 4_904 && owed.bills == 1 && owed.room == "101")
            h.clock.advance(by: 20 * 86_400)
            owed = try #require(try await arrears().first { $0.householdID == h.world.home })
            #expect(owed.days1To30Fen == 4_904 && owed.notDueFen == 0)
            // The rest, twice with one key: one receipt.
            let rest = try await pay(4_904, "rest")
            let repeated = try await pay(4_904, "rest")
            let receipt = try rest.content.decode(DeskPaymentRead.self).receiptNo
            #expect(try repeated.content.decode(DeskPaymentRead.self).receiptNo == receipt && receipt.hasPrefix("R"))
            read = try #require(try await bills(h).first)
            #expect(read.paidFen == 24_904 && read.status == "paid")
            #expect(try await arrears().contains { $0.householdID == h.world.home } == false)
            #expect(try await h.count(BillPayment.self) == 3)
            // Residents and guards do not take payments; another community's staff do not see the bill.
            #expect(try await h.send(
                .POST, h.community + "/bills/\(bill.id)/payments", token: try await h.token("guard"),
                raw: #"{"amountFen":1,"channel":"cash","requestKey":"g"}"#).status == .forbidden)
            let elsewhere = try await h.send(
                .POST, "/api/v1/communities/\(h.world.b)/bills/\(bill.id)/payments", token: try await h.token("operatorB"),
                raw: #"{"amountFen":1,"channel":"cash","requestKey":"b"}"#)
            #expect(elsewhere.status == .notFound)
        }
    }

    @Test func tariffsAreNeverBackdatedAndMustMakeSense() async throws {
        try await withLinli { h in
            let op = try await h.token("operator")
            let cases: [(String, String)] = [
                (#"{"item":"water","effectiveFrom":"2026-01-01","prices":[34500]}"#, "in_the_past"),
                (#"{"item":"water","effectiveFrom":"2026-10-01","tierLimits":[5000],"prices":[34500]}"#, "tiers_do_not_match_prices"),
                (#"{"item":"water","effectiveFrom":"2026-10-01","tierLimits":[5000,4000],"prices":[1,2,3]}"#, "tiers_not_increasing"),
                (#"{"item":"gas","effectiveFrom":"2026-10-01","prices":[1]}"#, "invalid_value"),
                (#"{"item":"property_fee","effectiveFrom":"2026-10-01","prices":[250,300]}"#, "one_price"),
                (#"{"item":"water","effectiveFrom":"2026-13-01","prices":[1]}"#, "invalid_date"),
            ]
            for (body, reason) in cases {
                let r = try await h.send(.POST, h.community + "/tariffs", token: op, raw: body)
                #expect(r.status == .unprocessableEntity && r.text.contains(reason), "\(reason): \(r.text)")
            }
            #expect(try await h.count(TariffRow.self) == 0)
            let staff = try await h.send(
                .POST, h.community + "/tariffs", token: try await h.token("property"),
                raw: #"{"item":"water","effectiveFrom":"2026-10-01","prices":[1]}"#)
            #expect(staff.status == .forbidden)
        }
    }

    @Test func aResidentPaysABillFromTheWalletOnceAndNeverIntoTheRed() async throws {
        try await withLinli { h in
            // setup: October's bill (249.04 元) and 300 元 in the wallet from the recycling bin.
            let (op, _) = try await october(h)
            _ = try await h.send(.POST, h.community + "/bills/issue", token: op, raw: #"{"period":"2026-10"}"#)
            let bill = try #require(try await bills(h).first)
            try await WithdrawalTests().fund(h, 30_000)
            let owner = try await h.token("owner")
            func pay(_ body: String, household: UUID? = nil, token: String? = nil) async throws -> TestingHTTPResponse {
                try await h.send(
                    .POST, "/api/v1/me/households/\(household ?? h.world.home)/bills/\(bill.id)/payments",
                    token: token ?? owner, raw: body)
            }
            // act: the same payment three times at once.
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for _ in 0..<3 { group.addTask { try await pay(#"{"requestKey":"once"}"#).status } }
                var all: [HTTPStatus] = []
                for try await status in group { all.append(status) }
                return all
            }
            // check: paid once, from the wallet into the community's revenue.
            #expect(statuses == [.created, .created, .created])
            let read = try #require(try await bills(h).first)
            #expect(read.status == "paid" && read.paidFen == 24_904)
            #expect(try await Books.balance(Books.wallet(h.world.home), on: h.app.db) == 30_000 - 24_904)
            #expect(try await Books.balance(Books.revenue(h.world.a), on: h.app.db) == 24_904)
            let again = try await pay(#"{"requestKey":"twice"}"#)
            #expect(again.status == .unprocessableEntity && again.text.contains("already_paid"))
            // Someone else's household, or a bill that is not the household's: 404.
            #expect(try await pay(#"{"requestKey":"x"}"#, household: h.world.otherHome).status == .notFound)
            #expect(try await pay(#"{"requestKey":"x"}"#, household: h.world.otherHome, token: try await h.token("neighbour")).status == .notFound)
        }
    }

    @Test func aWalletThatCannotCoverTheBillPaysNothing() async throws {
        try await withLinli { h in
            let (op, _) = try await october(h)
            _ = try await h.send(.POST, h.community + "/bills/issue", token: op, raw: #"{"period":"2026-10"}"#)
            let bill = try #require(try await bills(h).first)
            try await WithdrawalTests().fund(h, 1_500)
            let r = try await h.send(
                .POST, "/api/v1/me/households/\(h.world.home)/bills/\(bill.id)/payments", token: try await h.token("owner"),
                raw: #"{"requestKey":"k"}"#)
            #expect(r.status == .conflict && r.text.contains("insufficient_balance"))
            #expect(try await bills(h).first?.paidFen == 0)
            #expect(try await h.count(BillPayment.self) == 0)
            #expect(try await Books.balance(Books.wallet(h.world.home), on: h.app.db) == 1_500)
        }
    }
}
