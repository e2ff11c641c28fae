import Fluent
import Foundation
import LinliCore
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

/// Class 6 of the trust issue: no body, however hostile, stops the server or gets a 5xx — on every
/// route that takes a body, device API and domain device endpoints included.
@Suite struct HostileInputTests {
    static let deep = String(repeating: "[", count: 200_000) + String(repeating: "]", count: 200_000)
    static let deepObject = String(repeating: #"{"a":"#, count: 100_000) + "1" + String(repeating: "}", count: 100_000)
    static let payloads: [(String, [UInt8])] = [
        ("deep arrays", Array(deep.utf8)),
        ("deep objects", Array(deepObject.utf8)),
        ("10,000-digit number", Array(("{\"name\":" + String(repeating: "9", count: 10_000) + "}").utf8)),
        ("invalid UTF-8", [0x7B, 0x22, 0x6E, 0x22, 0x3A, 0x22, 0xFF, 0xFE, 0xC3, 0x28, 0x22, 0x7D]),
        ("duplicate keys", Array(#"{"name":"a","name":"b","phone":"1","phone":"2"}"#.utf8)),
        ("truncated", Array(#"{"name":"a","list":[1,2,{"x":"#.utf8)),
        ("a bare string", Array(#""x""#.utf8)),
        ("deep inside a valid shape", Array(("{\"values\":" + String(repeating: "[", count: 70) + String(repeating: "]", count: 70) + "}").utf8)),
    ]

    func fill(_ path: String, _ h: Harness, token: String) -> String {
        var path = path
        for (name, value) in [
            ("communityID", h.world.a.uuidString), ("householdID", h.world.home.uuidString),
            ("buildingID", h.world.building.uuidString), ("personID", h.world.owner.uuidString),
            ("deviceToken", token),
        ] {
            path = path.replacingOccurrences(of: "{\(name)}", with: value)
        }
        // Any other id: a well-formed one that matches nothing (the body is read before or after the lookup).
        while let open = path.firstIndex(of: "{"), let close = path[open...].firstIndex(of: "}") {
            path.replaceSubrange(open...close, with: path[open...].hasPrefix("{id}") ? "1" : UUID().uuidString)
        }
        return path
    }

    @Test func everyBodyRouteAnswers4xxToHostileBodiesAndTheServerLives() async throws {
        try await withLinli { h in
            let op = try await h.token("operator")
            let created = try await h.send(
                .POST, "/api/v1/communities/\(h.world.a)/devices", token: op, raw: #"{"type":"face_gate","name":"闸机"}"#)
            let deviceToken = try created.content.decode(DeviceCredentials.self).token
            let routes = h.app.endpoints.filter { $0.body != nil && $0.bodyContentType == "application/json" }
            #expect(routes.count >= 40)
            var sent = 0
            for endpoint in routes {
                let path = fill(endpoint.path, h, token: deviceToken)
                let bearer = path.contains("/devices/access/") ? deviceToken : op
                for (name, bytes) in Self.payloads {
                    let response = try await h.app.testing().sendRequest(
                        endpoint.method, path,
                        headers: ["Authorization": "Bearer \(bearer)", "Content-Type": "application/json"],
                        body: ByteBuffer(bytes: bytes))
                    #expect(
                        (400..<500).contains(response.status.code),
                        "\(endpoint.operationID) with \(name) → \(response.status)")
                    sent += 1
                }
            }
            #expect(sent == routes.count * Self.payloads.count)
            #expect(try await h.send(.GET, "/readyz").status == .ok)
        }
    }

    @Test func bigBodiesAndDeepQueriesOverRealHTTP() async throws {
        try await withLinli { h in
            let op = try await h.token("operator")
            let ten = "{\"name\":\"" + String(repeating: "好", count: 3_500_000) + "\"}"
            let big = try await h.send(
                .POST, "/api/v1/communities/\(h.world.a)/buildings", token: op, raw: ten, overHTTP: true)
            #expect(big.status == .payloadTooLarge)
            let deepQuery = "/api/v1/communities/\(h.world.a)/residents?" + String(repeating: "a[", count: 5_000) + "=1"
            let query = try await h.send(.GET, deepQuery, token: op, overHTTP: true)
            #expect((400..<500).contains(query.status.code) || query.status == .ok, "\(query.status)")
            let device = try await h.send(.POST, "/api/v1/devices/access/decide", raw: Self.deep, overHTTP: true)
            #expect(device.status.code < 500)
            #expect(try await h.send(.GET, "/readyz", overHTTP: true).status == .ok)
        }
    }

    @Test func theLimitsAreIterativeAndExact() throws {
        func check(_ text: String) -> String? {
            Array(text.utf8).withUnsafeBytes { bytes in
                do throws(JSONLimits.Failure) {
                    try JSONLimits.check(bytes)
                    return nil
                } catch {
                    return error.reason
                }
            }
        }
        #expect(check(String(repeating: "[", count: 64) + String(repeating: "]", count: 64)) == nil)
        #expect(check(String(repeating: "[", count: 65) + String(repeating: "]", count: 65)) == "too_deep")
        #expect(check(#"{"a":"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}"#) == nil)
        #expect(check(#"{"a":"\"}"#) == "malformed_json")
        #expect(check("[" + String(repeating: "1", count: 101) + "]") == "number_too_long")
        #expect(check("[1.5e-300, -0, 12345678901234567890]") == nil)
        #expect(check("[1,2") == "malformed_json")
        #expect(check(#"{"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]}"#) == nil)
        #expect(check(#"{"a":1,"b":2,"a":3}"#) == "duplicate_key")
        #expect(check(#"[{"a":"a"},{"a":"a"}]"#) == nil)
        #expect(check("[1]]") == "malformed_json")
        #expect([UInt8]([0x5B, 0x22, 0xC3, 0x28, 0x22, 0x5D]).withUnsafeBytes { bytes -> String? in
            do throws(JSONLimits.Failure) { try JSONLimits.check(bytes); return nil } catch { return error.reason }
        } == "invalid_utf8")
    }
}
