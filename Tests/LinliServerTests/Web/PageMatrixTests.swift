import Fluent
import Foundation
import LinliCore
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

/// Generated from the pages' declarations (`Web.route(…, authority:)`), as the API's tenancy matrix is from
/// the endpoints': every page that shows something (GET) is opened by anonymous, a resident, a neighbour,
/// each staff role, the other community's operator and an administrator. Whoever its declaration keeps
/// out is refused (sent to sign in, 403 or 404) and never sees the page; whoever it lets in is not sent
/// to sign in. A page's own rule may still refuse what the declaration lets through (a stronger role).
@Suite struct PageMatrixTests {
    @Test func everyPageIsOpenedByEveryoneItsDeclarationKeepsOut() async throws {
        try await withLinli { h in
            let matrix = TenancyMatrixTests()
            let personas = try await matrix.personas(h)
            var browsers: [String: WebTests.Browser] = [:]
            for persona in personas {
                let browser = WebTests.Browser(h)
                if persona.principal != nil { try await browser.signIn(h.world.phones[persona.name]!) }
                browsers[persona.name] = browser
            }
            let pages = h.app.routes.all.filter { $0.userInfo["authority"] is Authority }
            let undeclared = h.app.routes.all.filter { route in
                let first = route.path.first.map { "\($0)" } ?? ""
                return !(route.userInfo["authority"] is Authority) && first != "api" && first != "healthz"
                    && first != "readyz" && first != "metrics" && first != "openapi.json"
            }
            var calls = 0
            var leaks: [String] = []
            for route in pages where route.method == .GET {
                let authority = route.userInfo["authority"] as! Authority
                let template = "/" + route.path.map { component -> String in
                    if case .parameter(let name) = component { return "{\(name)}" }
                    return "\(component)"
                }.joined(separator: "/")
                let path = matrix.fill(template, community: h.world.a, h.world, [:])
                for persona in personas {
                    let status = try await browsers[persona.name]!.go(.GET, path).status
                    calls += 1
                    let toSignIn = status == .seeOther || status == .unauthorized
                    if let refused = matrix.refusal(authority, persona, h.world) {
                        let expected = refused.contains(.unauthorized) ? toSignIn : (status == .forbidden || status == .notFound)
                        if !expected || status == .ok { leaks.append("\(persona.name) GET \(template): \(status)") }
                    } else if toSignIn {
                        leaks.append("\(persona.name) GET \(template) sent to sign in although let in")
                    }
                }
            }
            print("page matrix: \(pages.count) pages declared, \(undeclared.count) shell pages (sign-in, account, console list) without, \(calls) calls, \(leaks.count) leaks")
            #expect(leaks.isEmpty, "\(leaks)")
            #expect(pages.count >= 100)
            // The shell's own pages (sign-in, sign-out, profile, display, the console's list) and the style
            // sheet check their caller themselves.
            #expect(undeclared.count <= 16, "\(undeclared.map(\.description))")
        }
    }
}
