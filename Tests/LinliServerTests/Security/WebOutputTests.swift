import Fluent
import Foundation
import LinliCore
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

/// Class 5 of the trust issue: user text is never rendered raw, every answer carries the security
/// headers, `next=` stays on the site, anonymous form posts are small.
@Suite struct WebOutputTests {
    /// Quotes, a tag, an entity, an RTL override and a newline: whatever a field allows of it.
    static let hostile = "x\" onload=\"alert(1)<img src=x>&amp;\u{202E}'\n2"
    static let singleLine = "x\" onload=\"alert(1)<img src=x>&amp;\u{202E}'"

    func json(_ object: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    /// Posts `object` with the hostile text; where the field refuses a newline, with the single-line one.
    func post(_ h: Harness, _ path: String, token: String, _ make: (String) -> [String: Any]) async throws
        -> TestingHTTPResponse
    {
        let first = try await h.send(.POST, path, token: token, raw: try json(make(Self.hostile)))
        if first.status == .created || first.status == .ok { return first }
        let second = try await h.send(.POST, path, token: token, raw: try json(make(Self.singleLine)))
        #expect(second.status == .created || second.status == .ok, "\(path): \(second.text)")
        return second
    }

    func isRaw(_ text: String) -> Bool {
        text.contains("onload=\"alert") || text.contains("alert(1)<img") || text.contains("<img src=x>")
    }

    @Test func everyPageRendersHostileNamesEscapedAndCarriesTheSecurityHeaders() async throws {
        try await withLinli { h in
            let op = try await h.token("operator")
            let owner = try await h.token("owner")
            let a = "/api/v1/communities/\(h.world.a)"
            let iso = ISO8601DateFormatter()
            let now = h.clock.now()
            let resident = try await post(h, a + "/residents", token: op) {
                ["name": $0, "phone": "13912345678", "householdID": h.world.home.uuidString, "relation": "family"]
            }
            let residentID = try resident.content.decode(PersonRead.self).id
            _ = try await h.send(.PATCH, a + "/people/\(h.world.owner)", token: op, raw: try json(["name": Self.singleLine]))
            let device = try await post(h, a + "/devices", token: op) { ["type": "face_gate", "name": $0] }
            let deviceID = try device.content.decode(DeviceCredentials.self).device.id
            _ = try await post(h, a + "/gates", token: op) {
                ["name": $0, "kind": "main", "deviceIDs": [deviceID.uuidString]]
            }
            _ = try await post(h, "/api/v1/me/visitor-passes", token: owner) {
                [
                    "householdID": h.world.home.uuidString, "visitorName": $0,
                    "validFrom": iso.string(from: now.addingTimeInterval(-60)),
                    "validUntil": iso.string(from: now.addingTimeInterval(7200)), "entries": 1,
                ]
            }
            let order = try await post(h, "/api/v1/me/work-orders", token: owner) {
                [
                    "householdID": h.world.home.uuidString, "category": "repair_water", "description": $0,
                    "place": $0, "preferredTime": $0,
                ]
            }
            let orderID = try order.content.decode(WorkOrderRead.self).id
            let notice = try await post(h, a + "/notices", token: op) {
                ["category": "property", "title": $0, "body": $0]
            }
            let noticeID = try #require(
                (try JSONSerialization.jsonObject(with: Data(buffer: notice.body)) as? [String: Any])?["id"] as? String)
            _ = try await post(h, a + "/contacts", token: op) {
                ["kind": "property_desk", "name": $0, "phone": "110", "hours": $0]
            }

            let operatorBrowser = WebTests.Browser(h)
            try await operatorBrowser.signIn(h.world.phones["operator"]!)
            let ownerBrowser = WebTests.Browser(h)
            try await ownerBrowser.signIn(h.world.phones["owner"]!)
            let propertyBrowser = WebTests.Browser(h)
            try await propertyBrowser.signIn(h.world.phones["property"]!)
            let c = "/console/\(h.world.a)"
            let consolePages = [
                "/console", c, c + "/devices", c + "/devices/\(deviceID)", c + "/gates", c + "/face-data",
                c + "/households", c + "/households/\(h.world.home)", c + "/import", c + "/audit", c + "/residents",
                c + "/people/\(residentID)", c + "/people/\(h.world.owner)", c + "/staff", c + "/rules", c + "/alarms",
                c + "/device-health", c + "/notices", c + "/services", c + "/work-orders",
            ]
            let residentPages = [
                "/", "/me", "/access", "/notices", "/notices/\(noticeID)", "/services", "/requests",
                "/requests/\(orderID)",
            ]
            var checked = 0
            for (browser, pages) in [(operatorBrowser, consolePages), (ownerBrowser, residentPages), (propertyBrowser, ["/tasks"])] {
                for page in pages {
                    let response = try await browser.go(.GET, page)
                    #expect(response.status == .ok, "\(page) → \(response.status)")
                    #expect(!isRaw(response.text), "raw user text on \(page)")
                    // Every link and form target came from a route value (an unknown name renders empty).
                    #expect(
                        !response.text.contains("href=\"\"") && !response.text.contains("action=\"\""),
                        "a link without a target on \(page)")
                    checkHeaders(response, page)
                    checked += 1
                }
            }
            #expect(checked == consolePages.count + residentPages.count + 1)
            // The hostile text did reach the pages, escaped (so the check above looked at real output).
            let access = try await ownerBrowser.go(.GET, "/access")
            #expect(access.text.contains("onload=&quot;alert(1)&lt;img") || access.text.contains("&#34;"))

            // Every API family, files, errors and the device API carry the headers too.
            for (path, token) in [
                ("/api/v1/me", owner), ("/openapi.json", nil), (a + "/residents", op), ("/css/linli.css", nil),
                ("/no/such/page", nil), ("/api/v1/demo-unknown-token/attributes", nil), ("/login", nil),
                ("/api/v1/devices/access/sync", nil), ("/readyz", nil),
            ] as [(String, String?)] {
                let response = try await h.send(.GET, path, token: token)
                checkHeaders(response, path)
            }
        }
    }

    func checkHeaders(_ response: TestingHTTPResponse, _ path: String) {
        let csp = response.headers.first(name: "Content-Security-Policy") ?? ""
        #expect(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"), "CSP of \(path)")
        #expect(!csp.contains("unsafe-inline"), "CSP of \(path)")
        #expect(response.headers.first(name: "X-Content-Type-Options") == "nosniff", "nosniff of \(path)")
        #expect(response.headers.first(name: "Referrer-Policy") != nil, "referrer of \(path)")
        for cookie in response.headers[.setCookie] {
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite"), "cookie of \(path): \(cookie)")
        }
    }

    @Test func theQRCodeEscapesEveryAttribute() throws {
        let svg = try QRCode("P1:abc").svg(title: Self.hostile)
        #expect(!svg.contains("\" onload=\"") && !svg.contains("<img"))
        #expect(svg.contains("&quot; onload=&quot;alert(1)&lt;img src=x&gt;&amp;amp;"))
        // The zone chart (shown unescaped, like the QR codes) escapes its title, a zone's name.
        let chart = BarChart(title: Self.hostile, unit: Self.hostile, labels: [Self.hostile, "2", "3"], values: [1, nil, 3]).svg()
        #expect(!chart.contains("\" onload=\"") && !chart.contains("<img"))
        #expect(chart.contains("&quot; onload=&quot;alert(1)&lt;img src=x&gt;&amp;amp;"))
        #expect(Markup.escape("a\u{0}b\u{7}c\nd") == "abc&#10;d")
    }

    @Test func nextStaysOnTheSite() async throws {
        for bad in [
            "/%09/evil.example", "//evil.example", "/\\evil.example", "https://evil.example", "/\t/evil.example",
            "/%0d%0a//evil.example", "javascript:alert(1)", "/a b", "%2F%2Fevil.example", "/\u{85}/evil", "",
        ] {
            #expect(LocalPath.validated(bad) == nil, "\(bad)")
        }
        #expect(LocalPath.validated("/requests?tab=open") == "/requests?tab=open")
        #expect(LocalPath.validated("/console/abc/people") == "/console/abc/people")
        try await withLinli { h in
            let browser = WebTests.Browser(h)
            let login = try await browser.go(.GET, "/login?next=/%09/evil.example")
            #expect(login.text.contains("name=\"next\" value=\"/\""))
            let response = try await browser.go(
                .POST, "/login",
                form: [
                    "_csrf": browser.csrf(login), "phone": h.world.phones["owner"]!, "password": World.password,
                    "next": "/\t/evil.example",
                ])
            #expect(response.headers.first(name: .location) == "/")
        }
    }

    @Test func anonymousFormPostsAreRefusedBeforeABigBodyIsRead() async throws {
        try await withLinli { h in
            let browser = WebTests.Browser(h)
            let login = try await browser.go(.GET, "/login")
            let big = try await browser.go(
                .POST, "/login",
                form: [
                    "_csrf": browser.csrf(login), "phone": h.world.phones["owner"]!, "password": World.password,
                    "pad": String(repeating: "a", count: 64 * 1024),
                ])
            #expect(big.status == .payloadTooLarge)
            // A normal sign-in still works.
            let ok = try await browser.go(
                .POST, "/login",
                form: ["_csrf": browser.csrf(login), "phone": h.world.phones["owner"]!, "password": World.password])
            #expect(ok.status == .seeOther)
        }
    }
}
