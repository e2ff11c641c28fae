import Fluent
import Foundation
import LinliCore
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

/// Class 4 of the trust issue: the throttle counts every parallel guess, per phone and per address;
/// sign-in renews the session; a password change ends the other sign-ins; sessions end on the server.
@Suite struct SignInTests {
    @Test func thirtyParallelWrongPasswordsAllCountAndTheRightOneIsThenRefused() async throws {
        try await withLinli { h in
            let phone = h.world.phones["owner"]!
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for i in 0..<30 {
                    group.addTask {
                        try await h.send(.POST, "/api/v1/auth/token", json: ["phone": phone, "password": "guess-\(i)"])
                            .status
                    }
                }
                return try await group.reduce(into: [HTTPStatus]()) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0 == .unauthorized || $0 == .tooManyRequests })
            // Only the first five were even checked; the rest were refused as locked.
            #expect(statuses.filter { $0 == .unauthorized }.count <= 5, "\(statuses)")
            let row = try #require(try await LoginAttempt.query(on: h.app.db).filter(\.$phone == "phone:" + phone).first())
            #expect(row.failures == 30)
            let right = try await h.send(.POST, "/api/v1/auth/token", json: ["phone": phone, "password": World.password])
            #expect(right.status == .tooManyRequests)
            #expect(right.headers.first(name: "Retry-After").flatMap(Int.init).map { $0 > 0 } == true)
        }
    }

    @Test func oneAddressGuessingManyPhonesIsLockedOut() async throws {
        try await withLinli { h in
            // Over real HTTP from 127.0.0.1: 30 wrong guesses spread over 30 phones (none of them locked).
            for i in 0..<30 {
                let status = try await h.send(
                    .POST, "/api/v1/auth/token", json: ["phone": String(format: "1350000%04d", i), "password": "x-guess"],
                    overHTTP: true
                ).status
                #expect(status == .unauthorized || (i == 29 && status == .tooManyRequests), "guess \(i): \(status)")
            }
            let right = try await h.send(
                .POST, "/api/v1/auth/token", json: ["phone": h.world.phones["owner"]!, "password": World.password],
                overHTTP: true)
            #expect(right.status == .tooManyRequests)
            // In-process callers without an address are judged by phone only, and the owner's is clean.
            #expect(
                try await h.send(
                    .POST, "/api/v1/auth/token", json: ["phone": h.world.phones["owner"]!, "password": World.password]
                ).status == .ok)
        }
    }

    @Test func unknownPhonesAreCheckedAgainstAHashOfTheSameCost() async throws {
        try await withLinli { h in
            _ = try await h.send(.POST, "/api/v1/auth/token", json: ["phone": "13999999999", "password": "whatever-1"])
            let decoy = try #require(LoginService.storedDecoy(h.app))
            let real = try await h.app.password.async.hash("x")
            #expect(decoy.prefix(7) == real.prefix(7))  // "$2b$04$" in tests, "$2b$12$" in production
        }
    }

    @Test func aPasswordChangeEndsEveryOtherTokenAndSession() async throws {
        try await withLinli { h in
            let first = try await h.token("owner")
            let second = try await h.token("owner")
            let browser = WebTests.Browser(h)
            try await browser.signIn(h.world.phones["owner"]!)
            #expect(try await browser.go(.GET, "/").status == .ok)

            let change = try await h.send(
                .PATCH, "/api/v1/me", token: first,
                json: ["currentPassword": World.password, "newPassword": "changed-pass-1"])
            #expect(change.status == .ok)
            #expect(try await h.send(.GET, "/api/v1/me", token: first).status == .ok)
            #expect(try await h.send(.GET, "/api/v1/me", token: second).status == .unauthorized)
            #expect(try await browser.go(.GET, "/").status == .seeOther)
        }
    }

    @Test func signInRenewsTheSessionIdAndSessionsExpireOnTheServer() async throws {
        try await withLinli { h in
            let browser = WebTests.Browser(h)
            let login = try await browser.go(.GET, "/login")
            let planted = try #require(browser.cookies["linli_session"])
            let response = try await browser.go(
                .POST, "/login",
                form: ["_csrf": browser.csrf(login), "phone": h.world.phones["owner"]!, "password": World.password])
            #expect(response.status == .seeOther)
            let signedIn = try #require(browser.cookies["linli_session"])
            #expect(signedIn != planted)
            // The id from before sign-in is gone from the store: it signs nobody in.
            let attacker = WebTests.Browser(h)
            attacker.cookies["linli_session"] = planted
            #expect(try await attacker.go(.GET, "/").status == .seeOther)
            #expect(try await browser.go(.GET, "/").status == .ok)

            // Idle for more than 7 days: the server has ended the session, whatever the cookie says.
            h.clock.advance(by: WebSession.idleLimit + 60)
            #expect(try await browser.go(.GET, "/").status == .seeOther)
        }
    }

    @Test func thePurgeRemovesWhatCanNoLongerSignAnyoneIn() async throws {
        try await withLinli { h in
            _ = try await h.token("owner")
            let browser = WebTests.Browser(h)
            try await browser.signIn(h.world.phones["owner"]!)
            _ = try await h.send(.POST, "/api/v1/auth/token", json: ["phone": h.world.phones["family"]!, "password": "no"])
            #expect(try await h.count(WebSession.self) >= 1)
            #expect(try await h.count(LoginAttempt.self) == 1)

            try await Credentials.purge(now: h.clock.now(), on: h.app.db)
            #expect(try await h.count(UserToken.self) == 1)  // nothing expired yet

            h.clock.advance(by: UserToken.lifetime + 60)
            try await Credentials.purge(now: h.clock.now(), on: h.app.db)
            #expect(try await h.count(UserToken.self) == 0)
            #expect(try await h.count(WebSession.self) == 0)
            #expect(try await h.count(LoginAttempt.self) == 0)
        }
    }
}
