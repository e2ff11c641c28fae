import Fluent
import Foundation
import LinliCore
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

/// The principal cache answers repeat sign-ins from memory; every change of a person's sign-ins, roles,
/// homes or settings still takes effect on the next request — on this server at once, on another one
/// within a second.
@Suite struct PrincipalCacheTests {
    @Test func aCopyCarriesEveryStoredValue() throws {
        let person = Person(
            id: UUID(), name: "王建华", phone: "13900000001", birthYear: 1950, isElderly: true, livesAlone: true,
            isChild: false, passwordHash: "hash", isAdmin: true)
        person.$id.exists = true
        person.createdAt = Date(timeIntervalSince1970: 1)
        person.updatedAt = Date(timeIntervalSince1970: 2)
        person.language = "en"
        person.elderMode = true
        person.highContrast = true
        person.textSize = 3
        person.createdIn = UUID()
        let copy = person.copy()
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(try encoder.encode(copy) == encoder.encode(person))
        #expect(copy.$id.exists && copy !== person)
        copy.textSize = 1
        #expect(person.textSize == 3)
    }

    @Test func aLoadThatRacedAChangeIsNotKept() throws {
        let cache = PrincipalCache()
        let person = Person(id: UUID(), name: "周杰", phone: "13900000003")
        let user = CurrentUser(
            person: person,
            principal: Principal(personID: person.id!, isAdmin: false, staffRoles: [:], households: [:]),
            roles: [], homes: [])
        // 2026-09-21 23:59:30 in China: the entry ends at midnight there.
        let now = Date(timeIntervalSince1970: 1_790_006_370)
        let ticket = cache.ticket()
        cache.forget(person.id!)  // the change commits while the load reads
        cache.store(token: "h", id: UUID(), tokenExpires: now + 3600, user, now: now, ticket: ticket)
        #expect(cache.user(token: "h", now: now) == nil)
        cache.store(token: "h", id: UUID(), tokenExpires: now + 3600, user, now: now, ticket: cache.ticket())
        #expect(cache.user(token: "h", now: now) != nil)
        #expect(cache.user(token: "h", now: now + 29) != nil)
        #expect(cache.user(token: "h", now: now + 31) == nil, "a new day loads the homes again")
        cache.store(session: user, now: now - 100, ticket: cache.ticket())
        #expect(cache.user(session: person.id!, now: now - 100 + PrincipalCache.lifetime - 1) != nil)
        #expect(cache.user(session: person.id!, now: now - 100 + PrincipalCache.lifetime + 1) == nil)
        cache.store(session: user, now: now, ticket: cache.ticket())
        cache.forget(UUID())
        #expect(cache.user(session: person.id!, now: now) != nil, "another person's change keeps this one")
        cache.forget(nil)
        #expect(cache.count == 0)
    }

    @Test func everyChangeTakesEffectOnTheNextRequest() async throws {
        try await withLinli { h in
            let c = "/api/v1/communities/\(h.world.a)"
            let op = try await h.token("operator")
            let owner = try await h.token("owner")
            let ownerAgain = try await h.token("owner")
            let property = try await h.token("property")
            let family = try await h.token("family")
            func me(_ token: String) async throws -> TestingHTTPResponse { try await h.send(.GET, "/api/v1/me", token: token) }

            // Warm: the second read is the cache's.
            #expect(try await me(owner).status == .ok)
            let before = try await me(owner).content.decode(MeRead.self)
            #expect(before.households.count == 1)
            #expect(h.app.principals.count >= 1)

            // Own settings show at once.
            let changed = try await h.send(.PATCH, "/api/v1/me", token: owner, json: ["textSize": 3])
            #expect(changed.status == .ok)
            #expect(try await me(owner).content.decode(MeRead.self).settings.textSize == 3)

            // A building renamed: the home's name shows at once.
            let renamed = try await h.send(.PATCH, c + "/buildings/\(h.world.building)", token: op, json: ["name": "一号楼"])
            #expect(renamed.status == .ok, "\(renamed.text)")
            #expect(try await me(owner).content.decode(MeRead.self).households.first?.building == "一号楼")

            // Moved out today: the home is gone from the next read.
            let membership = try #require(
                try await Membership.query(on: h.app.db).filter(\.$personID == h.world.owner).first())
            let moved = try await h.send(
                .PATCH, c + "/households/\(h.world.home)/members/\(membership.requireID())", token: op,
                json: ["movedOut": Calendar.chinaDate(h.clock.now())])
            #expect(moved.status == .ok, "\(moved.text)")
            #expect(try await me(owner).content.decode(MeRead.self).households.isEmpty)

            // A revoked token is refused at once; the person's other token still works.
            #expect(try await h.send(.DELETE, "/api/v1/auth/token", token: ownerAgain).status == .noContent)
            #expect(try await me(ownerAgain).status == .unauthorized)
            #expect(try await me(owner).status == .ok)

            // A role taken away: the community is hidden on the next request.
            #expect(try await h.send(.GET, c, token: property).status == .ok)
            let staff = try #require(
                try await StaffAssignment.query(on: h.app.db).filter(\.$communityID == h.world.a)
                    .filter(\.$role == .propertyStaff).first())
            #expect(try await h.send(.DELETE, c + "/staff/\(staff.requireID())", token: op).status == .noContent)
            #expect(try await h.send(.GET, c, token: property).status == .notFound)

            // A reset by the operator ends every sign-in of the person.
            #expect(try await me(family).status == .ok)
            let reset = try await h.send(.POST, c + "/people/\(h.world.family)/password-reset", token: op)
            #expect(reset.status == .created || reset.status == .ok, "\(reset.text)")
            #expect(try await me(family).status == .unauthorized)
        }
    }

    @Test(.enabled(if: onPostgres)) func anotherServerDropsAChangedPersonWithinASecond() async throws {
        try await withLinli { h in
            try await h.app.asyncBoot()
            try await h.withOtherServers { servers in
                let other = servers[0]
                let c = "/api/v1/communities/\(h.world.a)"
                let op = try await h.token("operator")
                let owner = try await h.token("owner")
                let property = try await h.token("property")
                // Cached on the second server.
                #expect(try await other.send(.GET, "/api/v1/me", token: owner).status == .ok)
                #expect(try await other.send(.GET, c, token: property).status == .ok)
                // A password reset on the first server: the second refuses the old token within a second.
                let reset = try await h.send(.POST, c + "/people/\(h.world.owner)/password-reset", token: op)
                #expect(reset.status == .created || reset.status == .ok)
                #expect(
                    try await eventually(within: 1) {
                        try await other.send(.GET, "/api/v1/me", token: owner).status == .unauthorized
                    })
                // A role revoked on the first server: the second hides the community within a second.
                let staff = try #require(
                    try await StaffAssignment.query(on: h.app.db).filter(\.$communityID == h.world.a)
                        .filter(\.$role == .propertyStaff).first())
                #expect(try await h.send(.DELETE, c + "/staff/\(staff.requireID())", token: op).status == .noContent)
                #expect(try await eventually(within: 1) { try await other.send(.GET, c, token: property).status == .notFound })
            }
        }
    }
}
