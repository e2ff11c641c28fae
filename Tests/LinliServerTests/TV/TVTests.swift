import Fluent
import Foundation
import LinliCore
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

/// The TV channel: set up only with a TV box's token; an unbound box shows a pairing code and nothing
/// personal; family bind it with the code; the bound box acts for its home only, with no staff role,
/// reads nothing of another home and pays only with the household PIN, once.
@Suite struct TVTests {
    typealias Browser = WebTests.Browser

    /// A TV box of community A set up in a browser; bound to `home` when given (by the operator).
    func tv(_ h: Harness, home: UUID? = nil) async throws -> (Browser, UUID) {
        let op = try await h.token("operator")
        let (id, token) = try await h.device("tv_box", "客厅电视", token: op)
        let (_, kiosk) = try await h.device("kiosk", "大厅自助机", token: op)
        if let home {
            #expect(try await h.send(.PATCH, h.community + "/devices/\(id)", token: op, raw: #"{"householdID":"\#(home)"}"#).status == .ok)
        }
        let browser = Browser(h)
        let setup = try await browser.go(.GET, "/tv")
        #expect(setup.text.contains("name=\"token\"") && setup.text.contains("data-screen=\"setup\""))
        #expect(try await browser.go(.POST, "/tv/setup", form: ["_csrf": browser.csrf(setup), "token": kiosk]).status == .unprocessableEntity)
        #expect(try await browser.go(.POST, "/tv/setup", form: ["_csrf": browser.csrf(setup), "token": token]).status == .seeOther)
        return (browser, id)
    }

    func code(_ page: TestingHTTPResponse) -> String? {
        guard let range = page.text.range(of: #"data-test="tv-code">"#) else { return nil }
        return String(page.text[range.upperBound...].prefix(6))
    }

    @Test func anUnboundBoxShowsACodeAndNothingPersonalUntilFamilyPairIt() async throws {
        try await withLinli { h in
            let (tv, device) = try await tv(h)
            let unbound = try await tv.go(.GET, "/tv")
            #expect(unbound.text.contains("data-screen=\"pair\"") && !unbound.text.contains("王建华"))
            let first = try #require(code(unbound))
            #expect(try await TVPairingCode.query(on: h.app.db).filter(\.$deviceID == device).first()?.codeHash == TVPairing.hash(first))
            // Every screen of an unbound box is the pairing screen; the live feed says so.
            #expect(try await tv.go(.GET, "/tv/bills").text.contains("data-screen=\"pair\""))
            #expect(try await tv.go(.GET, "/tv/live").text.contains("\"unbound\""))
            let shown = try #require(code(try await tv.go(.GET, "/tv")))  // a new code replaces the last

            // A resident of community B cannot bind it; a wrong code is refused, and counted.
            let b = Browser(h)
            try await b.signIn("13900000009")
            let pageB = try await b.go(.GET, "/me/tv")
            #expect(try await b.go(.POST, "/me/tv", form: ["_csrf": b.csrf(pageB), "code": shown]).status != .seeOther)
            let owner = Browser(h)
            try await owner.signIn(h.world.phones["owner"]!)
            let page = try await owner.go(.GET, "/me/tv")
            #expect(page.text.contains("1栋101"))
            #expect(try await owner.go(.POST, "/me/tv", form: ["_csrf": owner.csrf(page), "code": first]).status != .seeOther)
            #expect(try await owner.go(.POST, "/me/tv", form: ["_csrf": owner.csrf(page), "code": "12a"]).status != .seeOther)
            let bound = try await owner.go(.POST, "/me/tv", form: ["_csrf": owner.csrf(page), "code": shown, "householdID": h.world.home.uuidString])
            #expect(bound.status == .seeOther)
            #expect(try await Device.find(device, on: h.app.db)?.householdID == h.world.home)
            #expect(try await TVPairingCode.query(on: h.app.db).filter(\.$deviceID == device).count() == 0)
            // The code is spent: the box is bound once.
            #expect(try await owner.go(.POST, "/me/tv", form: ["_csrf": owner.csrf(page), "code": shown]).status != .seeOther)
            let home = try await tv.go(.GET, "/tv")
            #expect(home.text.contains("data-screen=\"home\"") && home.text.contains("王建华") && home.text.contains("tile-care"))
            #expect(try await tv.go(.GET, "/tv/live").text.contains("\"bound\""))
        }
    }

    @Test func theBoxActsForItsHomeOnlyAndPaysOnlyWithThePINOnce() async throws {
        try await withLinli { h in
            let (tv, device) = try await tv(h, home: h.world.home)
            // A bill of this home and one of the neighbours'.
            func bill(_ household: UUID) async throws -> UUID {
                let row = Bill()
                row.communityID = h.world.a
                row.householdID = household
                row.period = "2026-11"
                row.totalFen = 12_000
                row.paidFen = 0
                row.status = .issued
                row.issuedAt = h.clock.now()
                row.dueOn = "2026-12-20"
                try await row.create(on: h.app.db)
                return try row.requireID()
            }
            let mine = try await bill(h.world.home)
            let theirs = try await bill(h.world.otherHome)
            try await Books.post(
                .transfer(50_000, from: Books.provider(h.world.a), to: Books.wallet(h.world.home), cause: "test-top-up"),
                community: h.world.a, at: h.clock.now(), on: h.app.db)
            let owner = try await h.token("owner")
            #expect(try await h.send(.PUT, "/api/v1/me/recycling-pin", token: owner, raw: #"{"pin":"2468"}"#).status.code < 300)

            let bills = try await tv.go(.GET, "/tv/bills")
            #expect(bills.text.contains("/tv/bills/item/\(mine)") && !bills.text.contains(theirs.uuidString))
            let notMine = try await tv.go(.GET, "/tv/bills/item/\(theirs)")
            // Said on a TV screen (with Back), not an error page the remote cannot leave.
            #expect(notMine.status == .notFound && notMine.text.contains("data-screen=\"bills\"") && notMine.text.contains("tv-back"))
            let page = try await tv.go(.GET, "/tv/bills/item/\(mine)")
            #expect(page.text.contains("data-pin=\"1\""))
            let csrf = tv.csrf(page)
            // Another home's bill, posted by hand: not found, nothing paid.
            #expect(try await tv.go(.POST, "/tv/bills/item/\(theirs)", form: ["_csrf": csrf, "do": "pay", "pin": "2468", "key": "k0"]).status == .notFound)
            // Without the PIN, or a wrong one: refused, nothing paid.
            #expect(try await tv.go(.POST, "/tv/bills/item/\(mine)", form: ["_csrf": csrf, "do": "pay", "key": "k1"]).status == .unprocessableEntity)
            #expect(try await tv.go(.POST, "/tv/bills/item/\(mine)", form: ["_csrf": csrf, "do": "pay", "pin": "1357", "key": "k1"]).status == .unprocessableEntity)
            #expect(try await Bill.find(mine, on: h.app.db)?.paidFen == 0)
            // The right PIN, pressed four times at once with the page's key: paid once.
            let headers: HTTPHeaders = ["Accept-Language": "zh-CN", "Cookie": tv.cookies.map { "\($0)=\($1)" }.joined(separator: "; ")]
            let form = "_csrf=\(csrf)&do=pay&pin=2468&key=press-1"
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        try await h.send(
                            .POST, "/tv/bills/item/\(mine)", raw: form,
                            contentType: HTTPMediaType(type: "application", subType: "x-www-form-urlencoded"), headers: headers
                        ).status
                    }
                }
                return try await group.reduce(into: [HTTPStatus]()) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0 == .ok }, "\(statuses)")
            #expect(try await Bill.find(mine, on: h.app.db)?.paidFen == 12_000)
            #expect(try await BillPayment.query(on: h.app.db).filter(\.$billID == mine).count() == 1)
            #expect(try await Books.balance(Books.wallet(h.world.home), on: h.app.db) == 38_000)
            #expect(try await Bill.find(theirs, on: h.app.db)?.paidFen == 0)

            // The screens are counted; nothing on the TV changes security (no such screen).
            #expect(try await tv.go(.GET, "/tv/security").status == .notFound)
            let used = try await TerminalAction.query(on: h.app.db).filter(\.$deviceID == device).all().map(\.action)
            #expect(used.contains("tv.bills") && used.contains("tv.bills.pay") && used.contains("tv.bills.item"))
            // The box acts with the home only: no staff role, no other home, even for a person who has them.
            let req = Request(application: h.app, on: h.app.eventLoopGroup.next())
            let ref = try await h.app.deviceHub.authenticate(try #require(tv.cookies[TVViewers.cookie]))
            let viewer = try #require(try await TVViewers.viewer(ref, req))
            let principal = try req.user().principal
            #expect(viewer.household == h.world.home && principal.households == [h.world.home: h.world.a] && principal.staffRoles.isEmpty)
        }
    }

    @Test func careFromTheTVIsOnePressAndCallMeIsAskedOnce() async throws {
        try await withLinli { h in
            let (tv, _) = try await tv(h, home: h.world.home)
            let care = try await tv.go(.GET, "/tv/care")
            #expect(care.text.contains("data-screen=\"care\"") && care.text.contains("care-call"))
            for _ in 0..<2 {
                #expect(try await tv.go(.POST, "/tv/care", form: ["_csrf": tv.csrf(care), "do": "call", "key": "x"]).status == .ok)
            }
            #expect(try await StaffTask.query(on: h.app.db).filter(\.$title == "care.task.callMe").filter(\.$role == .communityWorker).count() == 1)
            #expect(try await tv.go(.POST, "/tv/care", form: ["_csrf": tv.csrf(care), "do": "steal", "key": "x"]).status == .unprocessableEntity)
            // A disabled box shows nothing personal.
            let op = try await h.token("operator")
            let id = try #require(try await Device.query(on: h.app.db).filter(\.$type == "tv_box").first()?.id)
            #expect(try await h.send(.PATCH, h.community + "/devices/\(id)", token: op, raw: #"{"disabled":true}"#).status == .ok)
            let off = try await tv.go(.GET, "/tv/care")
            #expect(off.text.contains("data-screen=\"setup\"") && !off.text.contains("王建华"))
        }
    }
}
