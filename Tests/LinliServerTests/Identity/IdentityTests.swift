import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

@Suite struct IdentityTests {
    @Test func tokenSignsInAndRevokes() async throws {
        try await withLinli { h in
            let token = try await h.token("owner")
            let me = try await h.send(.GET, "/api/v1/me", token: token)
            #expect(me.status == .ok)
            let body = try me.content.decode(MeRead.self)
            #expect(body.person.name == "王建华")
            #expect(body.households.map(\.householdID) == [h.world.home])
            #expect(body.roles.isEmpty)
            #expect(try await h.count(UserToken.self) == 1)
            let stored = try await UserToken.query(on: h.app.db).first()
            #expect(stored?.tokenHash != token && stored?.tokenHash == UserToken.hash(token))

            #expect(try await h.send(.DELETE, "/api/v1/auth/token", token: token).status == .noContent)
            let after = try await h.send(.GET, "/api/v1/me", token: token)
            #expect(after.status == .unauthorized)
            #expect(after.headers.contentType?.subType == "problem+json")
            #expect(after.problem?.code == "unauthorized")
        }
    }

    @Test func expiredTokenIsRefused() async throws {
        try await withLinli { h in
            let token = try await h.token("owner")
            h.clock.advance(by: UserToken.lifetime + 1)
            #expect(try await h.send(.GET, "/api/v1/me", token: token).status == .unauthorized)
        }
    }

    @Test func repeatedFailuresSlowThenLockThenRelease() async throws {
        try await withLinli { h in
            let wrong = ["phone": "13900000001", "password": "wrong-password"]
            let start = h.clock.now()
            for _ in 0..<4 {
                let response = try await h.send(.POST, "/api/v1/auth/token", json: wrong)
                #expect(response.status == .unauthorized)
                #expect(response.problem?.code == "invalid_credentials")
            }
            // Attempts after the third were slowed (the manual clock moved instead of sleeping).
            #expect(h.clock.now().timeIntervalSince(start) >= 1)
            let fifth = try await h.send(.POST, "/api/v1/auth/token", json: wrong)
            #expect(fifth.status == .tooManyRequests)
            #expect(fifth.problem?.code == "login_locked")
            // Even the right password is refused while locked, with a clear message in either language.
            let right = try await h.send(
                .POST, "/api/v1/auth/token", json: ["phone": "13900000001", "password": World.password],
                headers: ["Accept-Language": "en"])
            #expect(right.status == .tooManyRequests)
            #expect(right.problem?.detail.contains("Try again in 15 minutes") == true)
            #expect(right.headers.first(name: "Retry-After") != nil)
            h.clock.advance(by: 15 * 60 + 1)
            #expect(
                try await h.send(
                    .POST, "/api/v1/auth/token", json: ["phone": "13900000001", "password": World.password]
                ).status == .ok)
        }
    }

    @Test func updatesOwnSettingsAndPassword() async throws {
        try await withLinli { h in
            let token = try await h.token("owner")
            let bad = try await h.send(
                .PATCH, "/api/v1/me", token: token, json: ["newPassword": "new-password-1", "currentPassword": "nope"])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.problem?.errors?.first?.field == "currentPassword")
            let ok = try await h.send(
                .PATCH, "/api/v1/me", token: token,
                raw:
                    #"{"language":"en","elderMode":true,"textSize":3,"newPassword":"new-password-1","currentPassword":"secret-pass"}"#
            )
            #expect(ok.status == .ok)
            let me = try ok.content.decode(MeRead.self)
            #expect(me.settings == DisplaySettings(language: .en, elderMode: true, highContrast: false, textSize: 3))
            // The user's language setting now wins over Accept-Language.
            let problem = try await h.send(
                .GET, "/api/v1/communities?per=0", token: token, headers: ["Accept-Language": "zh-CN"])
            #expect(problem.problem?.title == "Invalid list parameters")
            #expect(
                try await h.send(
                    .POST, "/api/v1/auth/token", json: ["phone": "13900000001", "password": "new-password-1"]
                ).status == .ok)
        }
    }
}
