import Fluent
import Foundation
import LinliCore
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

/// The tenancy matrix, generated from what every endpoint declares (``Authority``): every route is
/// called by everyone its declaration keeps out — a foreign operator, a neighbour, staff where only
/// residents act, someone not signed in, a device — and must answer 401, 403 or 404 without writing
/// anything; the foreign operator also tries community A's objects through their own community's path.
/// A new route is attacked without anyone editing this test.
@Suite struct TenancyMatrixTests {
    struct Persona {
        let name: String
        let token: String?
        let principal: Principal?
    }

    func personas(_ h: Harness) async throws -> [Persona] {
        var out: [Persona] = [Persona(name: "anonymous", token: nil, principal: nil)]
        for name in ["owner", "neighbour", "guard", "property", "worker", "operator", "operatorB", "admin"] {
            let phone = try #require(h.world.phones[name])
            let person = try #require(try await Person.query(on: h.app.db).filter(\.$phone == phone).first())
            let user = try await CurrentUser.load(person, on: h.app.db, today: Calendar.chinaDate(h.clock.now()))
            out.append(Persona(name: name, token: try await h.token(name), principal: user.principal))
        }
        return out
    }

    /// What the declaration says of a persona: nil when it lets them in.
    func refusal(_ authority: Authority, _ persona: Persona, _ w: World) -> Set<HTTPStatus>? {
        guard let principal = persona.principal else {
            switch authority {
            case .anyone, .device: return nil
            case .signedIn, .object, .resident, .household, .community, .platform: return [.unauthorized]
            }
        }
        let decision: AccessDecision
        switch authority {
        case .anyone, .signedIn: return nil
        // The object decides; someone with no tie to its community is never let in.
        case .object: return principal.communities.contains(w.a) || principal.isAdmin ? nil : [.notFound]
        // A person's bearer token is not a device's: refused, or not found as a device.
        case .device: return [.unauthorized, .forbidden, .notFound, .unprocessableEntity, .badRequest]
        case .resident: decision = AccessPolicy.decide(.actForHousehold(w.home), for: principal)
        case .household: decision = AccessPolicy.decide(.viewHousehold(household: w.home, community: w.a), for: principal)
        case .community(_, let request): decision = AccessPolicy.decide(request(w.a), for: principal)
        case .platform(let request): decision = AccessPolicy.decide(request, for: principal)
        }
        switch decision {
        case .allow: return nil
        case .forbidden: return [.forbidden]
        case .hidden: return [.notFound]
        }
    }

    func fill(_ path: String, community: UUID, _ w: World, _ ids: [String: String]) -> String {
        var path = path.replacingOccurrences(of: "{communityID}", with: community.uuidString)
            .replacingOccurrences(of: "{householdID}", with: w.home.uuidString)
            .replacingOccurrences(of: "{buildingID}", with: w.building.uuidString)
            .replacingOccurrences(of: "{personID}", with: w.owner.uuidString)
        for (name, value) in ids { path = path.replacingOccurrences(of: "{\(name)}", with: value) }
        while let open = path.firstIndex(of: "{"), let close = path[open...].firstIndex(of: "}") {
            path.replaceSubrange(open...close, with: UUID().uuidString)
        }
        return path
    }

    func body(_ endpoint: Endpoint) -> (String?, HTTPMediaType?) {
        guard endpoint.body != nil else { return (nil, nil) }
        switch endpoint.bodyContentType {
        case "application/json": return ("{}", nil)
        case "text/csv": return ("姓名,手机号,楼栋,房号,关系\n", HTTPMediaType(type: "text", subType: "csv"))
        default: return ("x", HTTPMediaType(type: "application", subType: "octet-stream"))
        }
    }

    @Test func everyRouteIsAttackedFromItsDeclaration() async throws {
        try await withLinli { h in
            // Objects of community A for the routes' other ids: the device hub's, and the owner's request.
            var ids = try await TenancyTests().deviceHubRecords(h)
            _ = try await PrepaidTests().setup(h)
            let owner = try await h.token("owner")
            let filed = try await h.send(
                .POST, "/api/v1/me/work-orders", token: owner,
                raw: #"{"householdID":"\#(h.world.home)","category":"repair_water","description":"厨房漏水"}"#)
            ids["orderID"] = try #require(try JSONSerialization.jsonObject(with: Data(filed.text.utf8)) as? [String: Any])["id"]
                as? String
            let bToken = try await deviceOfB(h)
            let people = try await personas(h)
            let before = try await counts(h)
            var calls = 0
            var leaks: [String] = []
            var refusedInside: [String] = []
            for endpoint in h.app.endpoints {
                let (raw, type) = body(endpoint)
                func call(_ token: String?, community: UUID) async throws -> HTTPStatus {
                    calls += 1
                    // A device route that takes its token in the path is given the caller's token there:
                    // a person's token is no device's.
                    let deviceToken = token ?? "no-token"
                    var path = fill(endpoint.path, community: community, h.world, ids.merging(["deviceToken": deviceToken]) { a, _ in a })
                    // A community named in the query is the path's community too.
                    if endpoint.query.contains(where: { $0.name == "communityID" }) { path += "?communityID=\(community)" }
                    return try await h.send(endpoint.method, path, token: token, raw: raw, contentType: type).status
                }
                for persona in people {
                    guard let refused = refusal(endpoint.authority, persona, h.world) else { continue }
                    let status = try await call(persona.token, community: h.world.a)
                    if !refused.contains(status) {
                        leaks.append("\(persona.name) \(endpoint.method) \(endpoint.path) → \(status.code), declared \(refused.map(\.code))")
                    }
                }
                // Everyone the declaration lets in may read: a GET answers neither 401 nor 403, nor 404 when
                // every id of its path is a real one.
                let known = Set(["communityID", "householdID", "buildingID", "personID"]).union(ids.keys)
                if endpoint.method == .GET, !endpoint.objectDecides {
                    for persona in people where persona.principal != nil && refusal(endpoint.authority, persona, h.world) == nil {
                        let status = try await call(persona.token, community: h.world.a)
                        let allKnown = endpoint.pathParameters.allSatisfy(known.contains)
                        if [.unauthorized, .forbidden].contains(status) || (status == .notFound && allKnown) {
                            refusedInside.append("\(persona.name) \(endpoint.method) \(endpoint.path) → \(status.code)")
                        }
                    }
                }
                // A device (of community B) is nobody's person.
                if endpoint.authenticated, !endpoint.path.contains("{deviceToken}") {
                    let status = try await call(bToken, community: h.world.a)
                    if status != .unauthorized { leaks.append("device \(endpoint.method) \(endpoint.path) → \(status.code)") }
                }
                // The foreign operator through their own community's path, with community A's objects.
                if case .community = endpoint.authority, endpoint.pathParameters.count > 1,
                    endpoint.pathParameters.contains(where: { ids[$0] != nil })
                {
                    let operatorB = try #require(people.first { $0.name == "operatorB" })
                    let status = try await call(operatorB.token, community: h.world.b)
                    if (200..<400).contains(status.code) {
                        leaks.append("operatorB via B \(endpoint.method) \(endpoint.path) → \(status.code)")
                    }
                }
            }
            #expect(leaks.isEmpty, "\(leaks.joined(separator: "\n"))")
            #expect(refusedInside.isEmpty, "let in by the declaration, refused by the handler:\n\(refusedInside.joined(separator: "\n"))")
            #expect(try await counts(h) == before, "a refused call wrote something")
            let declared = h.app.endpoints.count
            let registered = apiRoutes(h.app)
            print("tenancy matrix: \(declared) endpoints declared of \(registered) API routes registered, \(calls) calls, \(leaks.count) leaks")
            #expect(declared == registered)
            #expect(calls > 1_000)
        }
    }

    @Test func everyPagesIdsHaveTheNamesTheirFeatureDeclared() async throws {
        try await withLinli { h in
            let unnamed = h.app.routes.all.filter { route in
                route.path.contains { if case .parameter("id") = $0 { true } else { false } }
            }
            #expect(unnamed.isEmpty, "\(unnamed.map(\.description))")
        }
    }

    /// The routes a client reaches without a page: everything but the pages, the static files and the
    /// document itself.
    func apiRoutes(_ app: Application) -> Int {
        let pages = Set(["openapi.json"])
        return app.routes.all.filter { route in
            let first = route.path.first.map { "\($0)" } ?? ""
            return (first == "api" || ["healthz", "readyz", "metrics"].contains(first)) && !pages.contains(first)
        }.count
    }

    func deviceOfB(_ h: Harness) async throws -> String {
        let op = try await h.token("operatorB")
        let made = try await h.send(
            .POST, "/api/v1/communities/\(h.world.b)/devices", token: op, raw: #"{"type":"gas","name":"B 燃气"}"#)
        return try made.content.decode(DeviceCredentials.self).token
    }

    func counts(_ h: Harness) async throws -> [Int] {
        [
            try await h.count(Building.self), try await h.count(Household.self), try await h.count(Person.self),
            try await h.count(Membership.self), try await h.count(StaffAssignment.self), try await h.count(Device.self),
            try await h.count(WorkOrder.self), try await h.count(Contact.self), try await h.count(PasswordReset.self),
        ]
    }
}
