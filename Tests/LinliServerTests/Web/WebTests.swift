import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

@Suite struct WebTests {
    /// A browser: keeps cookies between requests and reads the CSRF token from forms.
    final class Browser {
        let h: Harness
        var cookies: [String: String] = [:]
        init(_ h: Harness) { self.h = h }

        func go(_ method: HTTPMethod, _ path: String, form: [String: String]? = nil, language: String = "zh-CN")
            async throws -> TestingHTTPResponse
        {
            var headers: HTTPHeaders = ["Accept-Language": language]
            if !cookies.isEmpty {
                headers.add(name: .cookie, value: cookies.map { "\($0)=\($1)" }.joined(separator: "; "))
            }
            let body = form.map { f in
                f.map { "\($0)=\($1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(
                    separator: "&")
            }
            let response = try await h.send(
                method, path, raw: body,
                contentType: HTTPMediaType(type: "application", subType: "x-www-form-urlencoded"), headers: headers)
            for value in response.headers[.setCookie] {
                let pair = value.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
                if pair.count == 2 { cookies[String(pair[0])] = String(pair[1]) }
            }
            return response
        }

        /// Sends a form with a file, as `<form enctype="multipart/form-data">` does (text files only).
        func upload(_ path: String, fields: [String: String], file: (name: String, type: String, text: String)) async throws -> TestingHTTPResponse {
            let boundary = "linli-test-boundary"
            var body = ""
            for (name, value) in fields { body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n" }
            body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.name)\"; filename=\"f\"\r\nContent-Type: \(file.type)\r\n\r\n\(file.text)\r\n--\(boundary)--\r\n"
            var headers: HTTPHeaders = ["Accept-Language": "zh-CN"]
            headers.add(name: .cookie, value: cookies.map { "\($0)=\($1)" }.joined(separator: "; "))
            return try await h.send(
                .POST, path, raw: body, contentType: HTTPMediaType(type: "multipart", subType: "form-data", parameters: ["boundary": boundary]),
                headers: headers)
        }

        /// Opens the login page and signs in with the form, as a person would.
        func signIn(_ phone: String) async throws {
            let login = try await go(.GET, "/login")
            let response = try await go(
                .POST, "/login", form: ["_csrf": csrf(login), "phone": phone, "password": World.password])
            #expect(response.status == .seeOther, "sign-in of \(phone)")
        }

        func csrf(_ page: TestingHTTPResponse) -> String {
            let text = page.text
            guard let range = text.range(of: #"name="_csrf" value=""#) else { return "" }
            return String(text[range.upperBound...].prefix { $0 != "\"" })
        }
    }

    @Test func residentSignsInSeesHouseholdAndSwitchesToElderMode() async throws {
        try await withLinli { h in
            let browser = Browser(h)
            #expect(try await browser.go(.GET, "/").status == .seeOther)
            let login = try await browser.go(.GET, "/login")
            #expect(login.status == .ok)
            #expect(login.headers.contentType == .html)
            #expect(login.text.contains("<html lang=\"zh-CN\">") && login.text.contains("登录"))
            #expect(browser.cookies["linli_session"] != nil)
            let cookie = login.headers[.setCookie].first { $0.hasPrefix("linli_session=") } ?? ""
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"))

            // Without the CSRF token the form is refused.
            let forged = try await browser.go(
                .POST, "/login", form: ["phone": "13900000001", "password": World.password])
            #expect(forged.status == .forbidden)
            let wrong = try await browser.go(
                .POST, "/login", form: ["_csrf": browser.csrf(login), "phone": "13900000001", "password": "nope"])
            #expect(wrong.status == .unauthorized)
            #expect(wrong.text.contains("手机号或密码不正确"))
            let signedIn = try await browser.go(
                .POST, "/login",
                form: ["_csrf": browser.csrf(login), "phone": "13900000001", "password": World.password])
            #expect(signedIn.status == .seeOther)
            let home = try await browser.go(.GET, "/")
            #expect(home.status == .ok)
            #expect(home.text.contains("王建华") && home.text.contains("1栋 101") && home.text.contains("陈静"))
            #expect(!home.text.contains("周杰"))
            #expect(!home.text.contains("class=\"elder"))

            let toggled = try await browser.go(
                .POST, "/display", form: ["_csrf": browser.csrf(home), "action": "elder", "back": "/"])
            #expect(toggled.status == .seeOther)
            let elder = try await browser.go(.GET, "/")
            #expect(elder.text.contains("<body class=\"elder"))
            #expect(elder.text.contains("标准版"))

            // The console is closed to residents.
            #expect(try await browser.go(.GET, "/console").status == .forbidden)
            #expect(try await browser.go(.GET, "/console/\(h.world.a)/residents").status == .forbidden)
        }
    }

    @Test func operatorImportsResidentsFromThePageWithLineNumbers() async throws {
        try await withLinli { h in
            let browser = Browser(h)
            try await browser.signIn("13800000000")
            let page = try await browser.go(.GET, "/console/\(h.world.a)/import", language: "en")
            #expect(page.status == .ok)
            let csv = "姓名,手机号,楼栋,房号,关系\n赵大爷,13911110001,1栋,201,业主\n钱小姐,139,1栋,201,租户\n"
            let rejected = try await browser.go(
                .POST, "/console/\(h.world.a)/import", form: ["_csrf": browser.csrf(page), "csv": csv], language: "en")
            #expect(rejected.status == .unprocessableEntity)
            #expect(rejected.text.contains("Not a valid mobile number") && rejected.text.contains("<td>3</td>"))
            let fixed = csv.replacingOccurrences(of: ",139,", with: ",13911110002,")
            let imported = try await browser.go(
                .POST, "/console/\(h.world.a)/import", form: ["_csrf": browser.csrf(page), "csv": fixed], language: "en"
            )
            #expect(imported.status == .ok)
            let residents = try await browser.go(.GET, "/console/\(h.world.a)/residents?q=赵")
            #expect(residents.text.contains("赵大爷") && residents.text.contains("<td>1栋 201</td>"))
            let otherCommunity = try await browser.go(.GET, "/console/\(h.world.b)")
            #expect(otherCommunity.status == .notFound)
        }
    }

    /// Generated from the features' declarations (``ConsoleTabs``): for every staff role, and for the other
    /// community's operator, the console shows exactly the tabs whose page that person may open, in the
    /// declared order; every other tab's page is refused.
    @Test func consoleTabsComeFromTheFeaturesInOrderAndByRole() async throws {
        try await withLinli { h in
            let declared = h.app.consoleTabs.all
            let label = Dictionary(declared.map { ($0.name, L10n.text("console.tab.\($0.name)", .en)) }, uniquingKeysWith: { a, _ in a })
            var checked = 0
            for who in ["operator", "guard", "property", "worker", "operatorB"] {
                let browser = Browser(h)
                try await browser.signIn(h.world.phones[who]!)
                let console = try await browser.go(.GET, "/console/\(h.world.a)", language: "en")
                let nav = console.text.components(separatedBy: "class=\"tabs\"").dropFirst().first?
                    .components(separatedBy: "</ul>").first ?? ""
                let shown = nav.components(separatedBy: "</a>").compactMap { $0.components(separatedBy: ">").last }
                    .map { $0.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "&amp;", with: "&") }
                    .filter { !$0.isEmpty }
                var opens: [String] = []
                for tab in declared {
                    let status = try await browser.go(.GET, tab.route(h.world.a).path, language: "en").status
                    #expect([.ok, .forbidden, .notFound].contains(status), "\(who) \(tab.name): \(status)")
                    if status == .ok { opens.append(label[tab.name]!) }
                    checked += 1
                }
                #expect(shown == opens, "\(who): shown \(shown), opens \(opens)")
                if who == "operatorB" { #expect(console.status == .notFound && opens.isEmpty) }
                if who == "operator" { #expect(opens.count == declared.count) }
            }
            print("console tabs: \(declared.count) declared, \(checked) tab pages opened by 5 staff")
            #expect(declared.count >= 19)
        }
    }

    @Test func everyConsolePageRendersForStaff() async throws {
        try await withLinli { h in
            for (phone, manage) in [("13800000000", true), ("13800000002", false)] {
                let browser = Browser(h)
                try await browser.signIn(phone)
                let c = "/console/\(h.world.a)"
                var pages = [
                    "/", "/me", "/console", c, c + "/households", c + "/households?building=\(h.world.building)&page=1",
                    c + "/households/\(h.world.home)", c + "/residents", c + "/residents?q=王", c + "/staff",
                    c + "/people/\(h.world.owner)",
                ]
                if manage { pages += [c + "/import", c + "/audit"] }
                for language in ["zh-CN", "en"] {
                    for page in pages {
                        let response = try await browser.go(.GET, page, language: language)
                        #expect(response.status == .ok, "\(phone) \(page) \(language) → \(response.status)")
                        #expect(
                            !response.text.contains("#t(") && !response.text.contains("#("),
                            "\(page) shows raw template")
                    }
                }
                if !manage {
                    #expect(try await browser.go(.GET, c + "/audit").status == .forbidden)
                }
            }
        }
    }

    @Test func operatorEditsTheRegistryFromTheConsole() async throws {
        try await withLinli { h in
            let browser = Browser(h)
            try await browser.signIn("13800000000")
            let c = "/console/\(h.world.a)"
            let overview = try await browser.go(.GET, c)
            let token = browser.csrf(overview)
            #expect(
                try await browser.go(.POST, c + "/edit", form: ["_csrf": token, "name": "礼嘉新城", "address": "重庆两江"])
                    .status == .seeOther)
            #expect(
                try await browser.go(
                    .POST, c + "/buildings/edit",
                    form: ["_csrf": token, "buildingID": h.world.building.uuidString, "name": "一栋", "floors": ""]
                ).status == .seeOther)
            #expect(
                try await browser.go(
                    .POST, c + "/households/\(h.world.emptyHome)/edit",
                    form: ["_csrf": token, "room": "202", "floor": "2", "areaM2": "71.5"]
                ).status == .seeOther)
            let after = try await browser.go(.GET, c)
            #expect(after.text.contains("礼嘉新城") && after.text.contains("一栋"))
            let household = try await Household.find(h.world.emptyHome, on: h.app.db)
            #expect(household?.room == "202" && household?.areaM2 == 71.5)
            // A duplicate room is refused with a message, and nothing changes.
            let clash = try await browser.go(
                .POST, c + "/households/\(h.world.emptyHome)/edit",
                form: ["_csrf": token, "room": "101", "floor": "2", "areaM2": "71.5"])
            #expect(clash.status == .conflict)
            #expect(try await Household.find(h.world.emptyHome, on: h.app.db)?.room == "202")
            #expect(try await h.count(AuditEntry.self) == 3)
            // A guard cannot use the same forms.
            let guardBrowser = Browser(h)
            try await guardBrowser.signIn("13800000002")
            let page = try await guardBrowser.go(.GET, c)
            #expect(!page.text.contains("/edit"))
            #expect(
                try await guardBrowser.go(
                    .POST, c + "/edit", form: ["_csrf": guardBrowser.csrf(page), "name": "x", "address": "y"]
                ).status == .forbidden)
        }
    }

    @Test func anonymousVisitorsChooseLanguageAndDisplayOnTheLoginPage() async throws {
        try await withLinli { h in
            let browser = Browser(h)
            let login = try await browser.go(.GET, "/login")
            #expect(login.text.contains("<html lang=\"zh-CN\">"))
            let switched = try await browser.go(
                .POST, "/display", form: ["_csrf": browser.csrf(login), "action": "en", "back": "/login"])
            #expect(switched.status == .seeOther)
            #expect(switched.headers.first(name: .location) == "/login")
            let english = try await browser.go(.GET, "/login")
            #expect(english.text.contains("<html lang=\"en\">") && english.text.contains("Sign in"))
            let offsite = try await browser.go(
                .POST, "/display", form: ["_csrf": browser.csrf(english), "action": "bigger", "back": "//evil.example"])
            #expect(offsite.headers.first(name: .location) == "/")  // never an open redirect
            let bigger = try await browser.go(.GET, "/login")
            #expect(bigger.text.contains("size-2"))
            let bad = try await browser.go(
                .POST, "/display", form: ["_csrf": browser.csrf(english), "action": "explode"])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.text.contains("Invalid input"))
        }
    }
}

/// Templates write no path of their own: every link and form action comes from a route value
/// (`#(layout.links.x)` or the page's model), so a link cannot drift from its route.
@Suite struct TemplateLinkTests {
    @Test func noTemplateHardCodesAPagePath() throws {
        let views = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../Resources/Views").standardized
        let files = try #require(FileManager.default.enumerator(at: views, includingPropertiesForKeys: nil))
        var offenders: [String] = []
        for case let file as URL in files where file.pathExtension == "leaf" {
            let text = try String(contentsOf: file, encoding: .utf8)
            for pattern in [#"action="/"#, #"href="/"#] {
                for line in text.split(separator: "\n") where line.contains(pattern) {
                    // The stylesheet is a static file, not a page.
                    if line.contains(#"href="/css/"#) { continue }
                    offenders.append("\(file.lastPathComponent): \(line.prefix(80))")
                }
            }
        }
        #expect(offenders.isEmpty, "\(offenders)")
    }
}
