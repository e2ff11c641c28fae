import Fluent
import Foundation
import LinliCore
import NIOConcurrencyHelpers
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

/// Paying bills online through the provider, and the pages of water, power, bills, the wallet and the
/// recycling bin's screen.
@Suite struct BillPaymentTests {
    let billing = BillingTests()

    /// October's bill of the home (249.04 元).
    func bill(_ h: Harness) async throws -> BillRead {
        let (op, _) = try await billing.october(h)
        _ = try await h.send(.POST, h.community + "/bills/issue", token: op, raw: #"{"period":"2026-10"}"#)
        return try #require(try await billing.bills(h).first)
    }

    func payOnline(_ h: Harness, _ bill: UUID, _ body: String, household: UUID? = nil, token: String) async throws
        -> TestingHTTPResponse
    {
        try await h.send(
            .POST, "/api/v1/me/households/\(household ?? h.world.home)/bills/\(bill)/online-payments", token: token, raw: body)
    }

    @Test func aBillPaidOnlineSixTimesAtOnceIsChargedAndBookedOnce() async throws {
        try await withLinli { h in
            let bill = try await bill(h)
            let owner = try await h.token("owner")
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for _ in 0..<6 {
                    group.addTask { try await payOnline(h, bill.id, #"{"requestKey":"tap"}"#, token: owner).status }
                }
                var all: [HTTPStatus] = []
                for try await status in group { all.append(status) }
                return all
            }
            #expect(statuses.allSatisfy { $0 == .created }, "\(statuses)")
            let read = try #require(try await billing.bills(h).first)
            #expect(read.status == "paid" && read.paidFen == 24_904)
            #expect(try await h.count(BillPayment.self) == 1)
            let charges = try await MoneyMovement.query(on: h.app.db).filter(\.$purpose == OnlinePayments.purpose).all()
            #expect(charges.count == 1 && charges.first?.status == .succeeded && charges.first?.amountCents == 24_904)
            // Paid: another key charges nothing; another household's, or someone else's: 404.
            let again = try await payOnline(h, bill.id, #"{"requestKey":"later"}"#, token: owner)
            #expect(again.status == .unprocessableEntity && again.text.contains("already_paid"))
            let neighbour = try await h.token("neighbour")
            #expect(try await payOnline(h, bill.id, #"{"requestKey":"x"}"#, household: h.world.otherHome, token: neighbour).status == .notFound)
            #expect(try await payOnline(h, bill.id, #"{"requestKey":"x"}"#, household: h.world.otherHome, token: owner).status == .notFound)
            #expect(try await MoneyMovement.query(on: h.app.db).count() == 1)
        }
    }

    @Test func aChargeSettledAfterTheDeskWasPaidIsRefundedOnce() async throws {
        try await withLinli { h in
            let bill = try await bill(h)
            let provider = ExactlyOnceTests.LostAnswerProvider()
            h.app.payments = provider
            let owner = try await h.token("owner")
            // The provider charges but its answer is lost: the charge stays pending, nothing is booked.
            let lost = try await payOnline(h, bill.id, #"{"requestKey":"k1"}"#, token: owner)
            #expect(lost.status == .serviceUnavailable)
            #expect(try await billing.bills(h).first?.paidFen == 0)
            // Meanwhile 200 元 is paid at the desk.
            let desk = try await h.send(
                .POST, h.community + "/bills/\(bill.id)/payments", token: try await h.token("property"),
                raw: #"{"amountFen":20000,"channel":"cash","requestKey":"d"}"#)
            #expect(desk.status == .created)
            // The sweep settles the charge: 49.04 元 booked, 200 元 refunded through the provider, once.
            provider.failing.withLockedValue { $0 = false }
            h.clock.advance(by: 120)
            _ = try await MoneyMovements.reconcile(provider: provider, now: h.clock.now(), on: h.app.db)
            h.clock.advance(by: 120)  // the refund made while settling goes out with the next sweep
            _ = try await MoneyMovements.reconcile(provider: provider, now: h.clock.now(), on: h.app.db)
            _ = try await MoneyMovements.reconcile(provider: provider, now: h.clock.now(), on: h.app.db)
            let read = try #require(try await billing.bills(h).first)
            #expect(read.status == "paid" && read.paidFen == 24_904)
            let online = try #require(try await BillPayment.query(on: h.app.db).filter(\.$channel == .online).first())
            #expect(online.amountFen == 4_904 && online.requestKey == "online:k1")
            let refunds = try await MoneyMovement.query(on: h.app.db).filter(\.$kind == .refund).all()
            #expect(refunds.count == 1 && refunds.first?.amountCents == 20_000 && refunds.first?.status == .succeeded)
            // Asking again with the same key answers the payment, and charges nothing more.
            let repeated = try await payOnline(h, bill.id, #"{"requestKey":"k1"}"#, token: owner)
            #expect(repeated.status == .created)
            #expect(try repeated.content.decode(DeskPaymentRead.self).amountFen == 4_904)
            #expect(provider.charges.withLockedValue { $0 }.count == 1)
        }
    }

    /// Declines every charge.
    final class DecliningProvider: PaymentProvider, @unchecked Sendable {
        let name = "test"
        func charge(key: String, cents: Int) async throws -> String { throw PaymentDeclined() }
        func refund(key: String, reference: String, cents: Int) async throws -> String { "r-" + key }
        func payout(key: String, cents: Int) async throws -> String { "p-" + key }
    }

    @Test func aDeclinedChargeOrBadAmountRecordsNothing() async throws {
        try await withLinli { h in
            let bill = try await bill(h)
            let owner = try await h.token("owner")
            for (body, reason) in [
                (#"{"requestKey":"a","amountFen":0}"#, "out_of_range"),
                (#"{"requestKey":"a","amountFen":24905}"#, "more_than_owed"),
                (#"{"amountFen":100}"#, "missing_value"),
            ] {
                let r = try await payOnline(h, bill.id, body, token: owner)
                #expect(r.status == .unprocessableEntity && r.text.contains(reason), "\(body): \(r.text)")
            }
            h.app.payments = DecliningProvider()
            let declined = try await payOnline(h, bill.id, #"{"requestKey":"b"}"#, token: owner)
            #expect(declined.status == .conflict && declined.text.contains("payment_declined"))
            #expect(try await billing.bills(h).first?.paidFen == 0)
            #expect(try await h.count(BillPayment.self) == 0)
        }
    }

    @Test func theResidentsPagesShowUseBillsAndWalletAndPayOnline() async throws {
        try await withLinli { h in
            let bill = try await bill(h)
            let browser = WebTests.Browser(h)
            try await browser.signIn(h.world.phones["owner"]!)
            let usage = try await browser.go(.GET, "/usage")
            #expect(usage.status == .ok && usage.text.contains("<svg class=\"chart\"") && usage.text.contains("m³"))
            #expect(try await browser.go(.GET, "/usage?kind=electricity").status == .ok)
            let bills = try await browser.go(.GET, "/bills", language: "en")
            #expect(bills.status == .ok && bills.text.contains("Bill for 2026-10") && bills.text.contains("¥249.04"))
            #expect(bills.text.contains("Property fee") && bills.text.contains("tier 2"))
            let key = try #require(bills.text.components(separatedBy: #"name="requestKey" value=""#).dropFirst().first?.prefix(24))
            // The form's request key makes a double tap one payment.
            let form = ["_csrf": browser.csrf(bills), "requestKey": String(key)]
            let path = "/bills/households/\(h.world.home)/bills/\(bill.id)/online"
            let paid = try await browser.go(.POST, path, form: form)
            let twice = try await browser.go(.POST, path, form: form)
            #expect(paid.status == .seeOther && twice.status == .seeOther)
            let after = try await browser.go(.GET, "/bills", language: "en")
            #expect(after.text.contains("已支付 ¥249.04，收据号 R") || after.text.contains("Paid ¥249.04, receipt R"))
            #expect(try await h.count(BillPayment.self) == 1)
            // Another household's bill through the page: 404, nothing paid.
            let other = try await browser.go(.POST, "/bills/households/\(h.world.otherHome)/bills/\(bill.id)/online", form: form)
            #expect(other.status == .notFound)
            let wallet = try await browser.go(.GET, "/wallet")
            #expect(wallet.status == .ok && wallet.text.contains("¥0.00"))
            // The desk's page for staff; not for residents.
            #expect(try await browser.go(.GET, "/console/\(h.world.a)/billing").status == .forbidden)
            let staff = WebTests.Browser(h)
            try await staff.signIn(h.world.phones["property"]!)
            let desk = try await staff.go(.GET, "/console/\(h.world.a)/billing")
            #expect(desk.status == .ok && !desk.text.contains("#("))
        }
    }

    @Test func theBinsScreenSignsInWithPhoneAndPinAndShowsThePriceBeforeOpening() async throws {
        try await withLinli { h in
            let (_, token) = try await RecyclingTests().bin(h)
            let setup = (token: token, phone: "13900000001", pin: "2468")
            let screen = WebTests.Browser(h)
            var page = try await screen.go(.GET, "/kiosk/recycling")
            #expect(page.text.contains("name=\"token\""))
            // Any other device's token (or none) does not make a bin's screen.
            page = try await screen.go(.POST, "/kiosk/recycling/setup", form: ["_csrf": screen.csrf(page), "token": "nope"])
            #expect(page.status == .unauthorized && screen.cookies["linli_bin"] == nil)
            page = try await screen.go(.POST, "/kiosk/recycling/setup", form: ["_csrf": screen.csrf(page), "token": setup.token])
            #expect(page.status == .seeOther && screen.cookies["linli_bin"] != nil)
            page = try await screen.go(.GET, "/kiosk/recycling")
            #expect(page.text.contains("今日回收价") && page.text.contains("纸类 <strong>¥0.80/公斤"))
            let wrong = try await screen.go(
                .POST, "/kiosk/recycling/sign-in", form: ["_csrf": screen.csrf(page), "phone": setup.phone, "pin": "9999"])
            #expect(wrong.status == .unauthorized && wrong.text.contains("手机号或密码不对"))
            let boxes = try await screen.go(
                .POST, "/kiosk/recycling/sign-in", form: ["_csrf": screen.csrf(page), "phone": setup.phone, "pin": setup.pin])
            #expect(boxes.status == .ok && boxes.text.contains("type=\"radio\""))
            let session = try #require(boxes.text.components(separatedBy: #"name="sessionID" value=""#).dropFirst().first?.prefix(36))
            let open = try await screen.go(
                .POST, "/kiosk/recycling/open", form: ["_csrf": screen.csrf(boxes), "sessionID": String(session), "box": "paper"])
            #expect(open.status == .ok && open.text.contains("纸类投递口已打开") && open.text.contains("¥0.80/公斤"))
            // Someone else's session id from another screen: signed out.
            let stranger = WebTests.Browser(h)
            let strangerPage = try await stranger.go(.GET, "/kiosk/recycling")
            let refused = try await stranger.go(
                .POST, "/kiosk/recycling/open", form: ["_csrf": stranger.csrf(strangerPage), "sessionID": String(session), "box": "paper"])
            #expect(!refused.text.contains("投递口已打开"))
        }
    }
}

@Suite struct BillRemindersTests {
    let billing = BillingTests()

    @Test func remindersGoOncePerStageAndALateFeeIsALineOfTheNextBill() async throws {
        try await withLinli { h in
            // setup: a late fee of 万分之五 a day from today (2026-09-21); a fee with tiers or above 1 % a day is refused.
            var op = try await h.token("operator")
            for (body, status) in [
                (#"{"item":"late_fee","effectiveFrom":"2026-09-21","prices":[500]}"#, HTTPStatus.unprocessableEntity),
                (#"{"item":"late_fee","effectiveFrom":"2026-09-21","tierLimits":[1],"prices":[5,6]}"#, .unprocessableEntity),
                (#"{"item":"late_fee","effectiveFrom":"2026-09-21","prices":[5]}"#, .created),
            ] {
                let r = try await h.send(.POST, h.community + "/tariffs", token: op, raw: body)
                #expect(r.status == status, "\(body): \(r.text)")
            }
            (op, _) = try await billing.october(h)  // now 2 November
            _ = try await h.send(.POST, h.community + "/bills/issue", token: op, raw: #"{"period":"2026-10"}"#)
            let october = try #require(try await billing.bills(h).first)
            #expect(october.dueOn == "2026-11-20" && october.totalFen == 24_904)
            // The community's three homes each have a bill; the owner's home is followed here.
            func remind() async throws -> Int { try await Reminders.run(now: h.clock.now(), app: h.app) }
            func notes() async throws -> [String] {
                try await Notification.query(on: h.app.db).filter(\.$householdID == h.world.home)
                    .filter(\.$title ~~ Reminders.Stage.allCases.map { "bill.note.\($0.rawValue)" }).sort(\.$createdAt).all(\.$title)
            }
            // act and check: nothing 18 days before the due day; three days before, once.
            #expect(try await remind() == 0)
            h.clock.advance(by: 15 * 86_400)  // 17 November
            #expect(try await remind() == 3)
            #expect(try await remind() == 0)
            #expect(try await notes() == ["bill.note.due_soon"])
            h.clock.advance(by: 4 * 86_400)  // 21 November: the day after the due day
            #expect(try await remind() == 3)
            #expect(try await notes() == ["bill.note.due_soon", "bill.note.overdue_1"])
            // November's bill (issued 1 December): the October bill was overdue 21–30 November, 10 days:
            // 249.04 元 × 10 × 5/10 000 = 1.2452 → 1.25 元.
            h.clock.advance(by: 10 * 86_400)
            op = try await h.token("operator")
            _ = try await h.send(.POST, h.community + "/bills/issue", token: op, raw: #"{"period":"2026-11"}"#)
            let november = try #require(try await billing.bills(h).first { $0.period == "2026-11" })
            let fee = try #require(november.lines.first { $0.item == "late_fee" })
            #expect(fee.amountFen == 125 && fee.quantityMilli == 10_000 && fee.price == 5)
            // 26 December: October is 36 days overdue (only the 30-day reminder, not the 15-day one it
            // missed), November 6 days (overdue, not "due soon").
            h.clock.advance(by: 25 * 86_400)
            #expect(try await remind() == 6)
            #expect(try await remind() == 0)
            let sent = try await notes()
            #expect(sent.sorted() == ["bill.note.due_soon", "bill.note.overdue_1", "bill.note.overdue_1", "bill.note.overdue_30"])
            // Paid bills are not reminded of (the other two homes' still are).
            let staff = try await h.token("property")
            for bill in try await billing.bills(h) where bill.status != "paid" {
                let paid = try await h.send(
                    .POST, h.community + "/bills/\(bill.id)/payments", token: staff,
                    raw: #"{"amountFen":\#(bill.totalFen - bill.paidFen),"channel":"cash","requestKey":"all-\#(bill.period)"}"#)
                #expect(paid.status == .created)
            }
            h.clock.advance(by: 30 * 86_400)
            #expect(try await remind() == 2)
            #expect(try await notes().count == 4)
            // Bills more than 37 days past their due day are not read again, even with no reminder on record.
            try await BillReminder.query(on: h.app.db).delete()
            h.clock.advance(by: 30 * 86_400)
            #expect(try await remind() == 0)
        }
    }
}
