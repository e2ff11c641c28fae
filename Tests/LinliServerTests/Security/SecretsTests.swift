import Fluent
import Foundation
import LinliCore
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

/// Class 3 of the trust issue: a lock code, a PIN or a token is shown once to the one who made it and
/// is never readable again through any list, page, export or log; the command that carries a code is
/// delivered with it and read back redacted; the code row, its command and its audit row are one write.
@Suite struct SecretsTests {
    func lock(_ h: Harness, _ op: String) async throws -> (UUID, String) {
        let created = try await h.send(
            .POST, "/api/v1/communities/\(h.world.a)/devices", token: op,
            raw: #"{"type":"door_lock","name":"101门锁","householdID":"\#(h.world.home)"}"#)
        let credentials = try created.content.decode(DeviceCredentials.self)
        return (credentials.device.id, credentials.token)
    }

    @Test func aGuestCodeIsNeverReadableAgainExceptByTheLock() async throws {
        try await withLinli { h in
            let op = try await h.token("operator")
            let (lockID, lockToken) = try await lock(h, op)
            let owner = try await h.token("owner")
            let made = try await h.send(
                .POST, "/api/v1/me/locks/\(lockID)/codes", token: owner, raw: #"{"label":"保洁","hours":4,"oneTime":true}"#)
            #expect(made.status == .created)
            let created = try made.content.decode(LockCodeCreated.self)
            let code = created.code
            #expect(created.command.params["code"] == .string("***"))
            // Nobody reads it back: not the staff's command list, the device page, the audit log, the owner's lists.
            let guardToken = try await h.token("guard")
            let worker = try await h.token("worker")
            let a = "/api/v1/communities/\(h.world.a)"
            for (path, token) in [
                (a + "/commands?per=100", guardToken), (a + "/commands?per=100", worker), (a + "/commands?per=100", op),
                (a + "/audit?per=100", op), ("/api/v1/me/locks", owner),
                ("/api/v1/me/locks/\(lockID)/codes", owner), ("/api/v1/me/locks/\(lockID)/events", owner),
            ] {
                let response = try await h.send(.GET, path, token: token)
                #expect(response.status == .ok, "\(path) → \(response.status)")
                #expect(!response.text.contains(code), "\(path) shows the code")
            }
            let browser = WebTests.Browser(h)
            try await browser.signIn(h.world.phones["operator"]!)
            for page in ["/console/\(h.world.a)/devices/\(lockID)", "/console/\(h.world.a)/audit"] {
                #expect(!(try await browser.go(.GET, page)).text.contains(code), "\(page)")
            }
            // The lock gets it, and once the lock confirmed, the stored command no longer holds it.
            let poll = try await h.send(.GET, "/api/v1/\(lockToken)/rpc?timeout=1000")
            #expect(poll.text.contains(code))
            let stored = try #require(try await DeviceCommand.find(created.command.id, on: h.app.db))
            #expect(stored.params.contains(code))
            _ = try await h.send(.POST, "/api/v1/\(lockToken)/rpc/\(created.command.id)", raw: #"{"result":"ok"}"#)
            let done = try #require(try await DeviceCommand.find(created.command.id, on: h.app.db))
            #expect(done.status == .successful && !done.params.contains(code))
            // Nor is it in any other table.
            let lockCodes = try await LockCode.query(on: h.app.db).all()
            #expect(lockCodes.count == 1)
            let audit = try await AuditEntry.query(on: h.app.db).all()
            #expect(!audit.contains { ($0.after ?? "").contains(code) || ($0.before ?? "").contains(code) })
        }
    }

    @Test func theCodeItsCommandAndItsAuditAreOneWrite() async throws {
        try await withLinli { h in
            let op = try await h.token("operator")
            let (lockID, _) = try await lock(h, op)
            let device = try #require(try await Device.find(lockID, on: h.app.db))
            let request = Request(application: h.app, on: h.app.eventLoopGroup.next())
            struct Boom: Error {}
            await #expect(throws: Boom.self) {
                _ = try await CommandQueue.enqueue(
                    device, method: "set_code", params: .object(["code": .string("123456")]), twoWay: true,
                    expiresIn: 60, maxRetries: 1, replyTimeout: 10, by: nil, now: h.clock.now(), on: request
                ) { _, _ in throw Boom() }
            }
            #expect(try await h.count(DeviceCommand.self) == 0)
        }
    }

    @Test func parallelRevocationsSendOneDeleteCode() async throws {
        try await withLinli { h in
            let op = try await h.token("operator")
            let (lockID, _) = try await lock(h, op)
            let owner = try await h.token("owner")
            let created = try await h.send(
                .POST, "/api/v1/me/locks/\(lockID)/codes", token: owner, raw: #"{"label":"客人","hours":2,"oneTime":false}"#
            ).content.decode(LockCodeCreated.self)
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        try await h.send(.DELETE, "/api/v1/me/locks/\(lockID)/codes/\(created.id)", token: owner).status
                    }
                }
                return try await group.reduce(into: [HTTPStatus]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .ok }.count == 1, "\(statuses)")
            #expect(statuses.filter { $0 == .conflict }.count == 7)
            #expect(try await DeviceCommand.query(on: h.app.db).filter(\.$method == "delete_code").count() == 1)
        }
    }

    @Test func secretsMadeInPagesAreShownOnceAndNeverStoredInTheSession() async throws {
        try await withLinli { h in
            let browser = WebTests.Browser(h)
            try await browser.signIn(h.world.phones["operator"]!)
            let c = "/console/\(h.world.a)"
            let devices = try await browser.go(.GET, c + "/devices")
            let added = try await browser.go(
                .POST, c + "/devices", form: ["_csrf": browser.csrf(devices), "type": "smoke", "name": "烟感A"])
            #expect(added.status == .created)
            let token = try #require(
                added.text.range(of: #"id="secret">"#).map { String(added.text[$0.upperBound...].prefix(20)) })
            let sessions = try await WebSession.query(on: h.app.db).all()
            #expect(!sessions.contains { $0.data.contains(token) })
            let device = try #require(try await Device.query(on: h.app.db).filter(\.$name == "烟感A").first())
            let page = try await browser.go(.GET, c + "/devices/\(device.id!)")
            #expect(page.status == .ok && !page.text.contains(token))
            // A reset code likewise.
            let person = try await browser.go(.GET, c + "/people/\(h.world.family)")
            let keptPages = h.app.renderedPages.count
            let reset = try await browser.go(
                .POST, c + "/people/\(h.world.family)/password-reset", form: ["_csrf": browser.csrf(person)])
            #expect(reset.status == .created)
            let code = try #require(
                reset.text.range(of: #"id="secret">"#).map { String(reset.text[$0.upperBound...].prefix(14)) })
            #expect(code.count == 14)
            // The page that showed it is not kept rendered either.
            #expect(h.app.renderedPages.count == keptPages)
            #expect(!(try await WebSession.query(on: h.app.db).all()).contains { $0.data.contains(code) })
            #expect(!(try await browser.go(.GET, c + "/people/\(h.world.family)")).text.contains(code))
        }
    }
}
