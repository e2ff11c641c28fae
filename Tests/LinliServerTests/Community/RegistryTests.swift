import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

@Suite struct RegistryTests {
    @Test func operatorBuildsTheRegistryAndEveryWriteIsAudited() async throws {
        try await withLinli { h in
            let op = try await h.token("operator")
            let c = "/api/v1/communities/\(h.world.a)"
            let building = try await h.send(
                .POST, c + "/buildings", token: op, json: ["name": "2栋", "floors": 18] as [String: AnyCodable])
            #expect(building.status == .created)
            let b = try building.content.decode(BuildingRead.self)
            let household = try await h.send(
                .POST, c + "/households", token: op,
                raw: #"{"buildingID":"\#(b.id)","floor":3,"room":"301","areaM2":95.5}"#)
            #expect(household.status == .created)
            let hh = try household.content.decode(HouseholdRead.self)
            let resident = try await h.send(
                .POST, c + "/residents", token: op,
                raw:
                    #"{"name":"李秀英","phone":"139 0000 0002","birthYear":1942,"isElderly":true,"livesAlone":true,"householdID":"\#(hh.id)","relation":"owner"}"#
            )
            #expect(resident.status == .created)
            let person = try resident.content.decode(PersonRead.self)
            #expect(person.phone == "13900000002" && person.isElderly && person.livesAlone)
            let list = try await h.send(.GET, c + "/residents?q=李&sort=name", token: op)
            #expect(try list.content.decode(ListPage<PersonRead>.self).items.map(\.name) == ["李秀英"])
            let staff = try await h.send(
                .POST, c + "/staff", token: op, json: ["phone": "13900000002", "role": "community_worker"])
            #expect(staff.status == .created)
            // A new staff member with an initial password can sign in and read the registry, not write it.
            let hired = try await h.send(
                .POST, c + "/staff", token: op,
                json: ["phone": "13600000001", "name": "新保安", "role": "guard", "password": "first-pass-1"])
            #expect(hired.status == .created)
            let signIn = try await h.send(
                .POST, "/api/v1/auth/token", json: ["phone": "13600000001", "password": "first-pass-1"])
            let guardToken = try signIn.content.decode(TokenResponse.self).token
            #expect(try await h.send(.GET, c + "/residents", token: guardToken).status == .ok)
            #expect(
                try await h.send(.POST, c + "/buildings", token: guardToken, json: ["name": "9栋"]).status == .forbidden)
            // Revoking the role takes the registry away at once, for the same token.
            let hiredID = try hired.content.decode(StaffRead.self).id
            #expect(try await h.send(.DELETE, c + "/staff/\(hiredID)", token: op).status == .noContent)
            #expect(try await h.send(.GET, c + "/residents", token: guardToken).status == .notFound)
            let audit = try await h.send(.GET, c + "/audit?per=10", token: op)
            let actions = try audit.content.decode(ListPage<AuditRead>.self).items.map { "\($0.action) \($0.entity)" }
            #expect(
                Set(actions) == [
                    "create building", "create household", "create resident", "grant staff", "revoke staff",
                ])
            #expect(actions.count == 6)
        }
    }

    @Test func malformedRequestsGetClearProblemsAndWriteNothing() async throws {
        try await withLinli { h in
            let op = try await h.token("operator")
            let c = "/api/v1/communities/\(h.world.a)"
            let people = try await h.count(Person.self)
            let cases: [(String, HTTPMethod, String, String?, HTTPStatus, String)] = [
                ("malformed JSON", .POST, c + "/buildings", "{\"name\":", .badRequest, "invalid_body"),
                ("wrong type", .POST, c + "/buildings", #"{"name":"3栋","floors":"many"}"#, .badRequest, "invalid_body"),
                ("missing field", .POST, c + "/buildings", #"{"name":"3栋"}"#, .badRequest, "invalid_body"),
                (
                    "out of range", .POST, c + "/buildings", #"{"name":"3栋","floors":0}"#, .unprocessableEntity,
                    "validation_failed"
                ),
                (
                    "blank name", .POST, c + "/buildings", #"{"name":"  ","floors":3}"#, .unprocessableEntity,
                    "validation_failed"
                ),
                ("duplicate building", .POST, c + "/buildings", #"{"name":"1栋","floors":3}"#, .conflict, "conflict"),
                ("unknown id", .GET, c + "/households/\(UUID())", nil, .notFound, "not_found"),
                ("not a uuid", .GET, c + "/households/abc", nil, .notFound, "not_found"),
                ("unknown community", .GET, "/api/v1/communities/\(UUID())/buildings", nil, .notFound, "not_found"),
                ("unknown route", .GET, "/api/v1/nothing-here", nil, .notFound, "not_found"),
                (
                    "duplicate phone", .POST, c + "/residents",
                    #"{"name":"X","phone":"13900000001","householdID":"\#(h.world.emptyHome)","relation":"owner"}"#,
                    .conflict, "phone_taken"
                ),
                (
                    "bad enum", .POST, c + "/residents",
                    #"{"name":"X","phone":"13900000077","householdID":"\#(h.world.emptyHome)","relation":"boss"}"#,
                    .badRequest, "invalid_body"
                ),
                (
                    "bad phone", .POST, c + "/residents",
                    #"{"name":"X","phone":"12345","householdID":"\#(h.world.emptyHome)","relation":"owner"}"#,
                    .unprocessableEntity, "validation_failed"
                ),
                (
                    "household of another community", .POST, c + "/residents",
                    #"{"name":"X","phone":"13900000078","householdID":"\#(h.world.bHome)","relation":"owner"}"#,
                    .notFound, "not_found"
                ),
                ("bad page", .GET, c + "/residents?page=-1", nil, .badRequest, "invalid_list_query"),
                ("bad sort", .GET, c + "/residents?sort=password", nil, .badRequest, "invalid_list_query"),
            ]
            for (name, method, path, body, status, code) in cases {
                let response = try await h.send(method, path, token: op, raw: body)
                #expect(response.status == status, "\(name): \(response.status) \(response.text)")
                #expect(response.problem?.code == code, "\(name): \(response.text)")
                #expect(response.headers.contentType?.subType == "problem+json", "\(name)")
                #expect(response.problem?.title.isEmpty == false && response.problem?.detail.isEmpty == false)
            }
            let wrongType = try await h.send(
                .POST, c + "/buildings", token: op, raw: #"{"name":"3栋","floors":3}"#,
                contentType: .plainText)
            #expect(wrongType.status == .unsupportedMediaType)
            let huge = try await h.send(
                .POST, c + "/buildings", token: op,
                raw: #"{"name":""# + String(repeating: "x", count: 1_100_000) + #"","floors":3}"#,
                overHTTP: true)
            #expect(huge.status == .payloadTooLarge)
            #expect(huge.problem?.code == "payload_too_large")
            #expect(try await h.count(Person.self) == people)
            #expect(try await h.count(Building.self) == 2)
        }
    }

    @Test func csvImportIsAllOrNothing() async throws {
        try await withLinli { h in
            let op = try await h.token("operator")
            let path = "/api/v1/communities/\(h.world.a)/residents/import"
            let csv = HTTPMediaType(type: "text", subType: "csv")
            let bad = """
                姓名,手机号,楼栋,房号,关系,出生年份,老人
                赵大爷,13911110001,1栋,201,业主,1940,是
                钱小姐,13911110002,9栋,101,租户,,
                孙先生,not-a-phone,1栋,201,家属,,
                周杰,13900000003,1栋,201,家属,,
                李四,13900000001,1栋,201,家属,,
                """
            let before = try await (h.count(Person.self), h.count(Membership.self))
            let rejected = try await h.send(
                .POST, path, token: op, raw: bad, contentType: csv, headers: ["Accept-Language": "en"])
            #expect(rejected.status == .unprocessableEntity)
            // A phone already registered under another name (line 6) is caught; 周杰 on line 5 is the same person and allowed.
            #expect(rejected.problem?.errors?.map { "\($0.line ?? 0):\($0.reason)" } == ["4:import.invalid_phone"])
            #expect(try await (h.count(Person.self), h.count(Membership.self)) == before)

            let second = bad.replacingOccurrences(of: "not-a-phone", with: "13911110003")
            let again = try await h.send(
                .POST, path, token: op, raw: second, contentType: csv, headers: ["Accept-Language": "en"])
            #expect(again.status == .unprocessableEntity)
            let issues = again.problem?.errors ?? []
            #expect(
                issues.map { "\($0.line ?? 0):\($0.reason)" } == [
                    "3:import.unknown_household", "6:import.phone_belongs_to_other",
                ])
            #expect(issues.first?.message == "No such building and room in this community")
            #expect(try await (h.count(Person.self), h.count(Membership.self)) == before)

            let good = second.split(separator: "\n").enumerated().filter { ![2, 5].contains($0.offset) }.map {
                String($0.element)
            }.joined(separator: "\n")
            let imported = try await h.send(.POST, path, token: op, raw: good, contentType: csv)
            #expect(imported.status == .created, "\(imported.text)")
            let result = try imported.content.decode(ImportResult.self)
            #expect(result.created == 3 && result.people == 2)
            #expect(try await h.count(Person.self) == before.0 + 2)
            let elder = try await Person.query(on: h.app.db).filter(\.$phone == "13911110001").first()
            #expect(elder?.isElderly == true && elder?.birthYear == 1940)
        }
    }
}

/// Lets tests write mixed JSON dictionaries.
enum AnyCodable: Encodable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    case string(String), int(Int)
    init(stringLiteral value: String) { self = .string(value) }
    init(integerLiteral value: Int) { self = .int(value) }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .string(let s): try c.encode(s)
        case .int(let i): try c.encode(i)
        }
    }
}
