import Fluent
import Foundation
import LinliCore
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

/// The self-service kiosk: set up only with a kiosk's token; residents sign in by card, by the app's
/// rotating code (once per window) or by phone and PIN, never someone of another community; the session
/// ends on the server a minute after the last input; every request is logged with the kiosk's device and
/// nothing of it is kept by the browser.
@Suite struct KioskTests {
    typealias Browser = WebTests.Browser

    func kiosk(_ h: Harness) async throws -> (Browser, UUID) {
        let (id, token) = try await h.device("kiosk", "大厅自助机", token: try await h.token("operator"))
        let (_, bin) = try await h.device("recycling_bin", "回收箱", token: try await h.token("operator"))
        let browser = Browser(h)
        let setup = try await browser.go(.GET, "/kiosk")
        #expect(setup.text.contains("kiosk-token"))
        // Another device's token does not make a kiosk.
        #expect(try await browser.go(.POST, "/kiosk/setup", form: ["_csrf": browser.csrf(setup), "token": bin]).status == .unauthorized)
        #expect(try await browser.go(.POST, "/kiosk/setup", form: ["_csrf": browser.csrf(setup), "token": token]).status == .seeOther)
        return (browser, id)
    }

    func signIn(_ b: Browser, _ form: [String: String]) async throws -> TestingHTTPResponse {
        let page = try await b.go(.GET, "/kiosk")
        var fields = form
        fields["_csrf"] = b.csrf(page)
        return try await b.go(.POST, "/kiosk/sign-in", form: fields)
    }

    @Test func residentsSignInByCardCodeAndPinAndOthersDoNot() async throws {
        try await withLinli { h in
            let (b, device) = try await kiosk(h)
            let op = try await h.token("operator")
            let owner = try await h.token("owner")
            #expect(try await h.send(.POST, h.community + "/credentials", token: op, raw: #"{"personID":"\#(h.world.owner)","kind":"card","value":"CARD-7788"}"#).status == .created)
            #expect(try await h.send(.PUT, "/api/v1/me/recycling-pin", token: owner, raw: #"{"pin":"2468"}"#).status.code < 300)
            // A card of community B's resident is not known at this kiosk.
            let opB = try await h.token("operatorB")
            let bPerson = try await Membership.query(on: h.app.db).filter(\.$communityID == h.world.b).first()!.personID
            _ = try await h.send(.POST, "/api/v1/communities/\(h.world.b)/credentials", token: opB, raw: #"{"personID":"\#(bPerson)","kind":"card","value":"CARD-B-1"}"#)
            #expect(try await signIn(b, ["code": "CARD-B-1"]).status == .unauthorized)
            #expect(try await signIn(b, ["code": "CARD-0000"]).status == .unauthorized)

            let byCard = try await signIn(b, ["code": "CARD-7788"])
            #expect(byCard.status == .seeOther)
            let home = try await b.go(.GET, "/kiosk")
            #expect(home.text.contains("class=\"elder terminal") && home.text.contains("kiosk.js") && home.text.contains("/ask"))
            // The resident's pages work at the kiosk, in big text, kept by no cache; each request is logged.
            let ask = try await b.go(.GET, "/ask")
            #expect(ask.status == .ok && ask.headers.cacheControl?.noStore == true)
            let asked = try await b.go(.POST, "/ask", form: ["_csrf": b.csrf(ask), "question": "物业费多少钱"])
            #expect(asked.status == .seeOther)
            let actions = try await TerminalAction.query(on: h.app.db).filter(\.$deviceID == device).all().map(\.action)
            #expect(actions.contains("sign_in.card") && actions.contains("GET /ask") && actions.contains("POST /ask"))
            #expect(actions.contains("sign_in.refused.card"))
            #expect(try await AskedQuestion.query(on: h.app.db).filter(\.$personID == h.world.owner).count() == 1)
            let recorded = try await AskedQuestion.query(on: h.app.db).filter(\.$personID == h.world.owner).first()
            #expect(recorded?.channel == "kiosk" && recorded?.deviceID == device)
            // The operators read the kiosk's log; another community's operator does not.
            let log = try await h.send(.GET, h.community + "/terminal-actions?device=\(device)&sort=-at", token: op).content
                .decode(ListPage<SelfService.ActionRead>.self)
            #expect(log.items.contains { $0.action == "POST /ask" } && log.items.contains { $0.action == "sign_in.card" && $0.personID == h.world.owner })
            #expect(try await h.send(.GET, h.community + "/terminal-actions", token: opB).status == .notFound)
            // Signing out leaves nothing: the resident's pages are closed to the next person.
            #expect(try await b.go(.POST, "/kiosk/sign-out", form: ["_csrf": b.csrf(ask)]).status == .seeOther)
            #expect(try await b.go(.GET, "/ask").status != .ok)

            // The app's rotating code, read by the scanner: once per window.
            let qr = try await h.send(.GET, "/api/v1/me/access/qr", token: owner).content.decode(AccessAPI.QRRead.self)
            #expect(try await signIn(b, ["code": qr.payload]).status == .seeOther)
            let again = try await b.go(.GET, "/kiosk")
            #expect(try await b.go(.POST, "/kiosk/sign-out", form: ["_csrf": b.csrf(again)]).status == .seeOther)
            #expect(try await signIn(b, ["code": qr.payload]).status == .unauthorized)

            // Phone and PIN; three wrong tries lock the phone at this kiosk.
            #expect(try await signIn(b, ["phone": h.world.phones["owner"]!, "pin": "2468"]).status == .seeOther)
            let signedIn = try await b.go(.GET, "/kiosk")
            _ = try await b.go(.POST, "/kiosk/sign-out", form: ["_csrf": b.csrf(signedIn)])
            #expect(try await signIn(b, ["phone": h.world.phones["owner"]!, "pin": "12"]).status == .unprocessableEntity)
            var statuses: [HTTPStatus] = []
            for _ in 0..<4 { statuses.append(try await signIn(b, ["phone": h.world.phones["owner"]!, "pin": "1111"]).status) }
            #expect(statuses.first == .unauthorized && statuses.last == .tooManyRequests, "\(statuses)")
        }
    }

    @Test func aMinuteWithoutInputEndsTheSessionOnTheServer() async throws {
        try await withLinli { h in
            let (b, device) = try await kiosk(h)
            #expect(try await h.send(.PUT, "/api/v1/me/recycling-pin", token: try await h.token("owner"), raw: #"{"pin":"2468"}"#).status.code < 300)
            #expect(try await signIn(b, ["phone": h.world.phones["owner"]!, "pin": "2468"]).status == .seeOther)
            h.clock.advance(by: 50)
            #expect(try await b.go(.GET, "/kiosk/alive").status == .noContent)
            h.clock.advance(by: 70)
            #expect(try await b.go(.GET, "/ask").status == .ok)
            h.clock.advance(by: 76)
            let after = try await b.go(.GET, "/ask")
            #expect(after.status != .ok && !after.text.contains(h.world.phones["owner"]!))
            _ = try await b.go(.GET, "/kiosk/alive")
            #expect(try await b.go(.GET, "/ask").status != .ok)
            let actions = try await TerminalAction.query(on: h.app.db).filter(\.$deviceID == device).all().map(\.action)
            #expect(actions.contains("sign_out.idle"))
        }
    }
}
