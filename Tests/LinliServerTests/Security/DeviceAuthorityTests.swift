import Crypto
import Fluent
import Foundation
import LinliCore
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

/// Class 2 of the trust issue: only gate terminals attached to a gate use the terminal endpoints, each
/// syncs only who may pass its gates, with keyed hashes; devices touch only their own commands;
/// provisioning cannot be guessed at or flooded; device tokens stay out of the logs.
@Suite struct DeviceAuthorityTests {
    struct Terminals {
        let op: String
        let sensor: String
        let loose: String
        let door: String
        let main: String
        let doorGate: UUID
        let mainGate: UUID
        let otherResident: UUID
    }

    func device(_ h: Harness, _ op: String, _ type: String, _ name: String) async throws -> (UUID, String) {
        let created = try await h.send(
            .POST, "/api/v1/communities/\(h.world.a)/devices", token: op, raw: #"{"type":"\#(type)","name":"\#(name)"}"#)
        #expect(created.status == .created, "\(created.text)")
        let credentials = try created.content.decode(DeviceCredentials.self)
        return (credentials.device.id, credentials.token)
    }

    func gate(_ h: Harness, _ op: String, _ json: String) async throws -> UUID {
        let created = try await h.send(.POST, "/api/v1/communities/\(h.world.a)/gates", token: op, raw: json)
        #expect(created.status == .created, "\(created.text)")
        let object = try JSONSerialization.jsonObject(with: Data(buffer: created.body)) as? [String: Any]
        let text = try #require(object?["id"] as? String)
        return try #require(UUID(uuidString: text))
    }

    func setup(_ h: Harness) async throws -> Terminals {
        let op = try await h.token("operator")
        let a = "/api/v1/communities/\(h.world.a)"
        let (_, sensor) = try await device(h, op, "soil_sensor", "土壤")
        let (_, loose) = try await device(h, op, "face_gate", "未装闸机")
        let (doorID, door) = try await device(h, op, "access_reader", "1栋门禁")
        let (mainID, main) = try await device(h, op, "face_gate", "正门闸机")
        let doorGate = try await gate(
            h, op, #"{"name":"1栋门","kind":"building","buildingID":"\#(h.world.building)","deviceIDs":["\#(doorID)"]}"#)
        let mainGate = try await gate(h, op, #"{"name":"正门","kind":"main","deviceIDs":["\#(mainID)"]}"#)
        // A second building with a resident of its own.
        let household = try await Fixture.household(h, room: "101", in: try await Fixture.building(h, "2栋"))
        let otherResident = try await Fixture.resident(h, "二栋住户", phone: "13911112222", in: household).id
        for (person, card) in [(h.world.owner, "CARD-OWNER-1"), (otherResident, "CARD-OTHER-2")] {
            let issued = try await h.send(
                .POST, a + "/credentials", token: op, raw: #"{"personID":"\#(person)","kind":"card","value":"\#(card)"}"#)
            #expect(issued.status == .created, "\(issued.text)")
        }
        return Terminals(
            op: op, sensor: sensor, loose: loose, door: door, main: main, doorGate: doorGate, mainGate: mainGate,
            otherResident: otherResident)
    }

    @Test func onlyAttachedGateTerminalsUseTheTerminalEndpoints() async throws {
        try await withLinli { h in
            let t = try await setup(h)
            for token in [t.sensor, t.loose] {
                let headers: HTTPHeaders = ["Authorization": "Bearer \(token)"]
                for (method, path, body) in [
                    (HTTPMethod.GET, "/api/v1/devices/access/sync?since=0", nil),
                    (.GET, "/api/v1/devices/access/credential-key", nil),
                    (.POST, "/api/v1/devices/access/decide",
                     #"{"gate":"\#(t.mainGate)","method":"card","credential":"CARD-OWNER-1","eventId":"e1"}"#),
                    (.POST, "/api/v1/devices/access/enrol",
                     #"{"personID":"\#(h.world.owner)","model":"m","vector":[0.1,0.2]}"#),
                    (.POST, "/api/v1/devices/access/events",
                     #"[{"eventId":"forged","gate":"\#(t.mainGate)","method":"card","allow":true,"reason":"resident","ts":1}]"#),
                ] as [(HTTPMethod, String, String?)] {
                    let response = try await h.send(method, path, raw: body, headers: headers)
                    #expect(response.status == .forbidden, "\(path) → \(response.status)")
                    #expect(response.problem?.code == "not_a_terminal")
                }
            }
            #expect(try await h.count(AccessEvent.self) == 0)
            // An attached card reader may not enrol faces, nor report events for a gate it does not serve.
            let doorHeaders: HTTPHeaders = ["Authorization": "Bearer \(t.door)"]
            let enrol = try await h.send(
                .POST, "/api/v1/devices/access/enrol", raw: #"{"personID":"\#(h.world.owner)","model":"m","vector":[0.1]}"#,
                headers: doorHeaders)
            #expect(enrol.status == .forbidden)
            let forged = try await h.send(
                .POST, "/api/v1/devices/access/events",
                raw: #"[{"eventId":"forged","gate":"\#(t.mainGate)","method":"card","allow":true,"reason":"resident","ts":1}]"#,
                headers: doorHeaders)
            #expect(forged.status == .unprocessableEntity)
            #expect(try await h.count(AccessEvent.self) == 0)
            // The terminals themselves decide.
            let decided = try await h.send(
                .POST, "/api/v1/devices/access/decide",
                raw: #"{"gate":"\#(t.doorGate)","method":"card","credential":"CARD-OWNER-1","eventId":"e2"}"#,
                headers: doorHeaders)
            #expect(decided.status == .ok, "\(decided.text)")
            #expect(decided.text.contains("\"allow\":true"))
        }
    }

    @Test func aBuildingDoorSyncsOnlyItsBuildingAndHashesAreKeyed() async throws {
        try await withLinli { h in
            let t = try await setup(h)
            func sync(_ token: String) async throws -> SyncAnswer {
                try await h.send(
                    .GET, "/api/v1/devices/access/sync?since=0", headers: ["Authorization": "Bearer \(token)"]
                ).content.decode(SyncAnswer.self)
            }
            let door = try await sync(t.door)
            let main = try await sync(t.main)
            #expect(Set(door.items.compactMap(\.personID)) == [h.world.owner])
            #expect(Set(main.items.compactMap(\.personID)) == [h.world.owner, t.otherResident])
            #expect(door.version == main.version)

            let keyAnswer = try await h.send(
                .GET, "/api/v1/devices/access/credential-key", headers: ["Authorization": "Bearer \(t.door)"])
            #expect(keyAnswer.headers.first(name: .cacheControl)?.contains("no-store") == true)
            let key = try #require(try keyAnswer.content.decode([String: String].self)["key"])
            let card = try #require(door.items.first { $0.kind == .card }?.credentialHash)
            #expect(card != Secret.hash("CARD-OWNER-1"))
            let expected = HMAC<SHA256>.authenticationCode(
                for: Data(Secret.hash("CARD-OWNER-1").utf8), using: SymmetricKey(data: Data(base64Encoded: key)!))
            #expect(card == expected.map { String(format: "%02x", $0) }.joined())
            // The feed itself carries no key and no bare hash.
            let raw = try await h.send(
                .GET, "/api/v1/devices/access/sync?since=0", headers: ["Authorization": "Bearer \(t.main)"]).text
            #expect(!raw.contains(key) && !raw.contains(Secret.hash("CARD-OTHER-2")))
            // And the database keeps only keyed hashes.
            let stored = try await AccessCredential.query(on: h.app.db).all().map(\.valueHash)
            #expect(!stored.contains(Secret.hash("CARD-OWNER-1")) && stored.count == 2)
        }
    }

    @Test func aDeviceTouchesOnlyItsOwnCommands() async throws {
        try await withLinli { h in
            let op = try await h.token("operator")
            let (lockID, lock) = try await device(h, op, "door_lock", "门锁")
            let (_, other) = try await device(h, op, "smoke", "烟感")
            let sent = try await h.send(
                .POST, "/api/v1/communities/\(h.world.a)/devices/\(lockID)/commands", token: op,
                raw: #"{"method":"unlock"}"#)
            #expect(sent.status == .created || sent.status == .ok, "\(sent.text)")
            let id = try sent.content.decode(CommandRead.self).id
            _ = try await h.send(.GET, "/api/v1/\(lock)/rpc?timeout=500")
            let otherID = try #require(try await Device.query(on: h.app.db).filter(\.$name == "烟感").first()?.id)
            // Another device can neither answer nor acknowledge it, over HTTP or the WebSocket path.
            #expect(try await h.send(.POST, "/api/v1/\(other)/rpc/\(id)", raw: #"{"result":"ok"}"#).status == .notFound)
            try await DeviceCommand.query(on: h.app.db).filter(\.$id == id).set(\.$status, to: .sent).update()
            try await CommandQueue.delivered(id, device: otherID, now: h.clock.now(), on: h.app.db)
            var command = try #require(try await DeviceCommand.find(id, on: h.app.db))
            #expect(command.status == .sent)
            try await CommandQueue.delivered(id, device: lockID, now: h.clock.now(), on: h.app.db)
            command = try #require(try await DeviceCommand.find(id, on: h.app.db))
            #expect(command.status == .delivered)
            // Its own device answers once; parallel answers complete it once.
            let replies = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for i in 0..<6 {
                    group.addTask {
                        try await h.send(.POST, "/api/v1/\(lock)/rpc/\(id)", raw: #"{"result":"unlocked-\#(i)"}"#).status
                    }
                }
                return try await group.reduce(into: [HTTPStatus]()) { $0.append($1) }
            }
            #expect(replies.allSatisfy { $0 == .ok }, "\(replies)")
            command = try #require(try await DeviceCommand.find(id, on: h.app.db))
            #expect(command.status == .successful && command.response?.contains("unlocked") == true)
        }
    }

    @Test func provisioningIsThrottledCappedAndNoOracle() async throws {
        try await withLinli { h in
            let op = try await h.token("operator")
            let set = try await h.send(
                .PUT, "/api/v1/communities/\(h.world.a)/provisioning", token: op,
                raw: #"{"enabled":true,"key":"k-1","secret":"right-secret","maxDevices":2}"#)
            #expect(set.status == .ok)
            func provision(_ secret: String, token: String? = nil, name: String = UUID().uuidString) async throws
                -> TestingHTTPResponse
            {
                let tokenPart = token.map { #","token":"\#($0)""# } ?? ""
                return try await h.send(
                    .POST, "/api/v1/provision",
                    raw: #"{"deviceName":"\#(name)","provisionDeviceKey":"k-1","provisionDeviceSecret":"\#(secret)"\#(tokenPart)}"#)
            }
            // Weak proposed tokens are refused whatever the secret.
            for weak in ["short", "aaaaaaaaaaaaaaaaaaaaaaaa", "abcdefghijklmnopqrstuvwxyz", "12345678901234567890"] {
                #expect(try await provision("right-secret", token: weak).status == .unprocessableEntity, "\(weak)")
            }
            let strong = "Zq8-Kd2_vPw9Lm4Xr7Tb3Nc"
            #expect(TokenStrength.isStrongEnough(strong))
            #expect(try await provision("right-secret", token: strong).status == .ok)
            // A taken token answers exactly as a wrong secret does.
            let taken = try await provision("right-secret", token: strong)
            let wrong = try await provision("wrong-secret")
            #expect(taken.status == .unauthorized && wrong.status == .unauthorized)
            #expect(taken.problem?.code == wrong.problem?.code && taken.problem?.detail == wrong.problem?.detail)
            #expect(try await provision("right-secret").status == .ok)
            // The cap of 2 is reached: a third device is refused the same way.
            let third = try await provision("right-secret")
            #expect(third.status == .unauthorized && third.problem?.code == "provision_denied")
            #expect(try await Device.query(on: h.app.db).filter(\.$provisioned == true).count() == 2)
            // Guessing the secret locks the key.
            var statuses: [HTTPStatus] = []
            for i in 0..<6 { statuses.append(try await provision("guess-\(i)").status) }
            #expect(statuses.last == .tooManyRequests, "\(statuses)")
        }
    }

    @Test func deviceTokensStayOutOfTheRequestLog() async throws {
        try await withLinli { h in
            let request = Request(
                application: h.app, method: .POST, url: URI(path: "/api/v1/Zq8Kd2vPw9Lm4Xr7Tb3N/telemetry"),
                on: h.app.eventLoopGroup.next())
            #expect(RequestMetricsMiddleware.loggedPath(request) == "/api/v1/[redacted]/telemetry")
            request.route = Route(
                method: .POST, path: ["api", "v1", .parameter("deviceToken"), "telemetry"],
                responder: BasicResponder { $0.eventLoop.makeSucceededFuture(Response()) }, requestType: Request.self, responseType: Response.self)
            #expect(RequestMetricsMiddleware.loggedPath(request) == "/api/v1/[token]/telemetry")
            let short = Request(
                application: h.app, method: .POST, url: URI(path: "/api/v1/demo-device-1/rpc/12"),
                on: h.app.eventLoopGroup.next())
            short.route = Route(
                method: .POST, path: ["api", "v1", .parameter("deviceToken"), "rpc", .parameter("id")],
                responder: BasicResponder { $0.eventLoop.makeSucceededFuture(Response()) }, requestType: Request.self, responseType: Response.self)
            #expect(RequestMetricsMiddleware.loggedPath(short) == "/api/v1/[token]/rpc/12")
        }
    }
}
