import Fluent
import Foundation
import LinliCore
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

/// A body with a field its route does not know is refused and names it, so a client never believes a
/// change was made that was not; and nobody turns their own token into their own password.
@Suite struct UnknownFieldsTests {
    @Test func aMisspeltPasswordChangeIsRefusedAndChangesNothing() async throws {
        try await withLinli { h in
            let token = try await h.token("owner")
            let wrong = try await h.send(
                .PATCH, "/api/v1/me", token: token,
                raw: #"{"currentPassword":"\#(World.password)","password":"a-new-password-1"}"#)
            #expect(wrong.status == .unprocessableEntity, "\(wrong.text)")
            let problem = try JSONDecoder().decode(ProblemBody.self, from: Data(wrong.text.utf8))
            #expect(problem.errors.map(\.field) == ["password"] && problem.errors.map(\.reason) == ["unknown_field"])
            // The old password still signs in; the new one does not.
            #expect(try await h.token("owner").isEmpty == false)
            let new = try await h.send(
                .POST, "/api/v1/auth/token", json: ["phone": h.world.phones["owner"]!, "password": "a-new-password-1"])
            #expect(new.status == .unauthorized)
            // The right field name still works.
            let right = try await h.send(
                .PATCH, "/api/v1/me", token: token,
                raw: #"{"currentPassword":"\#(World.password)","newPassword":"a-new-password-1"}"#)
            #expect(right.status == .ok, "\(right.text)")
        }
    }

    @Test func nestedUnknownFieldsAreNamedWithTheirPath() {
        let schema = Schema.object(
            [
                ("name", Schema.string()),
                ("prices", Schema.array(Schema.object([("box", Schema.string()), ("fen", Schema.integer())]))),
                ("meta", Schema.nullable(Schema.object([("note", Schema.string())]))),
                ("values", .object([("type", "object"), ("additionalProperties", Schema.integer())])),
            ])
        let shape = BodyShape(closed: Schema.closed(schema, [:]))
        let body: JSON = .object([
            "name": .string("x"), "extra": .number(1),
            "prices": .array([.object(["box": .string("paper"), "price": .number(9)]), .object(["box": .string("glass")])]),
            "meta": .object(["note": .string("n"), "secret": .bool(true)]),
            "values": .object(["anything": .number(1)]),
        ])
        #expect(shape.unknownFields(in: body) == ["extra", "meta.secret", "prices[].price"])
        #expect(shape.unknownFields(in: .object(["name": .string("x")])).isEmpty)
    }

    @Test func theDocumentClosesEveryRequestBodyObject() async throws {
        try await withLinli { h in
            let document = try await h.send(.GET, "/openapi.json")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(document.text.utf8)) as? [String: Any])
            let paths = try #require(json["paths"] as? [String: [String: Any]])
            var bodies = 0
            var open: [String] = []
            func walk(_ schema: Any?, _ where_: String) {
                guard let schema = schema as? [String: Any] else { return }
                if let properties = schema["properties"] as? [String: Any] {
                    if schema["additionalProperties"] as? Bool != false { open.append(where_) }
                    for (name, inner) in properties { walk(inner, where_ + "." + name) }
                }
                walk(schema["items"], where_ + "[]")
                for branch in (schema["anyOf"] as? [Any] ?? []) { walk(branch, where_) }
            }
            for (path, operations) in paths {
                for (method, operation) in operations {
                    guard let operation = operation as? [String: Any],
                        let body = operation["requestBody"] as? [String: Any],
                        let content = body["content"] as? [String: Any],
                        let media = content["application/json"] as? [String: Any]
                    else { continue }
                    bodies += 1
                    walk(media["schema"], "\(method) \(path)")
                }
            }
            #expect(bodies >= 60)
            #expect(open.isEmpty, "\(open)")
        }
    }

    @Test func anOperatorCannotStartAPasswordResetForThemself() async throws {
        try await withLinli { h in
            let op = try await h.token("operator")
            let me = try #require(try await Person.query(on: h.app.db).filter(\.$phone == "13800000000").first())
            let own = try await h.send(
                .POST, "/api/v1/communities/\(h.world.a)/people/\(try me.requireID())/password-reset", token: op)
            #expect(own.status == .forbidden, "\(own.text)")
            #expect(try await h.count(PasswordReset.self) == 0)
            // Their token and password are untouched.
            #expect(try await h.send(.GET, "/api/v1/me", token: op).status == .ok)
            // Someone else's reset still works.
            let other = try await h.send(
                .POST, "/api/v1/communities/\(h.world.a)/people/\(h.world.family)/password-reset", token: op)
            #expect(other.status == .created, "\(other.text)")
        }
    }
}

private struct ProblemBody: Decodable {
    struct Issue: Decodable {
        let field: String?
        let reason: String
    }
    let code: String
    let errors: [Issue]
}
