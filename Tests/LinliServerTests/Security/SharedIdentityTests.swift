import Fluent
import Foundation
import LinliCore
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

/// Class 1 of the trust issue: an operator of one community never takes over a person shared with
/// another one (or an operator, or an administrator), and every change to a person is audited in
/// each of their communities.
@Suite struct SharedIdentityTests {
    func id(_ h: Harness, _ key: String) async throws -> UUID {
        try #require(try await Person.query(on: h.app.db).filter(\.$phone == h.world.phones[key]!).first()?.id)
    }

    func link(_ h: Harness, _ token: String, phone: String, into household: UUID, community: UUID) async throws
        -> HTTPStatus
    {
        try await h.send(
            .POST, "/api/v1/communities/\(community)/households/\(household)/members", token: token,
            json: ["phone": phone, "relation": "tenant"]
        ).status
    }

    @Test func anOperatorCannotTakeOverAPersonLinkedFromElsewhere() async throws {
        try await withLinli { h in
            let operatorA = try await h.token("operator")
            let a = h.world.a
            // Link another community's operator, its resident and the platform administrator into an A home.
            for key in ["operatorB", "bResident", "admin"] {
                let status = try await link(h, operatorA, phone: h.world.phones[key]!, into: h.world.emptyHome, community: a)
                #expect(status == .created, "linking \(key)")
            }
            for key in ["operatorB", "bResident", "admin"] {
                let person = try await id(h, key)
                let rename = try await h.send(
                    .PATCH, "/api/v1/communities/\(a)/people/\(person)", token: operatorA,
                    raw: #"{"name":"被改名","isElderly":true}"#)
                #expect(rename.status == .forbidden, "rename \(key)")
                #expect(rename.problem?.code == "person_shared")
                let setPassword = try await h.send(
                    .PATCH, "/api/v1/communities/\(a)/people/\(person)", token: operatorA,
                    raw: #"{"password":"taken-over-1"}"#)
                #expect(setPassword.status == .unprocessableEntity, "password of \(key)")
                let reset = try await h.send(
                    .POST, "/api/v1/communities/\(a)/people/\(person)/password-reset", token: operatorA)
                #expect(reset.status == .forbidden, "reset of \(key)")
                #expect(reset.problem?.code == "person_shared")
                // Their own password still signs them in, and nothing about them changed.
                _ = try await h.token(key)
                let stored = try #require(try await Person.find(person, on: h.app.db))
                #expect(stored.name != "被改名" && !stored.isElderly)
            }
            // Another operator of A is off limits too.
            let second = try await h.send(
                .POST, "/api/v1/communities/\(a)/staff", token: operatorA,
                json: ["phone": "13800000055", "name": "二号运营", "role": "operator", "password": "second-op-1"])
            #expect(second.status == .created)
            let secondID = try #require(try await Person.query(on: h.app.db).filter(\.$phone == "13800000055").first()?.id)
            let resetOperator = try await h.send(
                .POST, "/api/v1/communities/\(a)/people/\(secondID)/password-reset", token: operatorA)
            #expect(resetOperator.status == .forbidden)
            // A staff grant of an existing phone never sets its password.
            let grant = try await h.send(
                .POST, "/api/v1/communities/\(a)/staff", token: operatorA,
                json: ["phone": h.world.phones["bResident"]!, "role": "guard", "password": "taken-over-2"])
            #expect(grant.status == .created)
            let signIn = try await h.send(
                .POST, "/api/v1/auth/token", json: ["phone": h.world.phones["bResident"]!, "password": "taken-over-2"])
            #expect(signIn.status == .unauthorized)
        }
    }

    @Test func aResetIsOneTimeEndsEverySignInAndIsAuditedWithoutTheHash() async throws {
        try await withLinli { h in
            let operatorA = try await h.token("operator")
            let ownerToken = try await h.token("owner")
            let owner = h.world.owner
            let start = try await h.send(
                .POST, "/api/v1/communities/\(h.world.a)/people/\(owner)/password-reset", token: operatorA)
            #expect(start.status == .created)
            let code = try start.content.decode(ResetStarted.self).code
            #expect(code.count == 14)
            // The old token and the old password stop working at once.
            #expect(try await h.send(.GET, "/api/v1/me", token: ownerToken).status == .unauthorized)
            let old = try await h.send(
                .POST, "/api/v1/auth/token", json: ["phone": h.world.phones["owner"]!, "password": World.password])
            #expect(old.status == .unauthorized)
            // The code is stored only as a hash and is never readable again.
            let row = try #require(try await PasswordReset.query(on: h.app.db).first())
            #expect(row.codeHash != code && !row.codeHash.contains(Secret.normalisedResetCode(code)))
            let person = try await h.send(.GET, "/api/v1/communities/\(h.world.a)/people/\(owner)", token: operatorA)
            #expect(!person.text.contains(code) && !person.text.contains(Secret.normalisedResetCode(code)))

            // Eight parallel uses of the code: exactly one sets the password.
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for i in 0..<8 {
                    group.addTask {
                        try await h.send(
                            .POST, "/api/v1/auth/password-reset",
                            json: [
                                "phone": h.world.phones["owner"]!, "code": code.lowercased(),
                                "newPassword": "brand-new-\(i)",
                            ]
                        ).status
                    }
                }
                return try await group.reduce(into: [HTTPStatus]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .ok }.count == 1, "\(statuses)")
            #expect(statuses.allSatisfy { $0 == .ok || $0 == .unauthorized || $0 == .tooManyRequests })

            let audit = try await AuditEntry.query(on: h.app.db).filter(\.$entityID == owner).all()
            #expect(audit.contains { $0.action == "password_reset" && $0.communityID == h.world.a })
            #expect(audit.contains { $0.action == "password_change" })
            for entry in audit {
                #expect(!(entry.before ?? "").contains("$2") && !(entry.after ?? "").contains("$2"))
            }
        }
    }

    @Test func aSharedPersonsOwnChangesAreAuditedInEachCommunity() async throws {
        try await withLinli { h in
            let operatorB = try await h.token("operatorB")
            // The owner of an A home also rents in B.
            #expect(
                try await link(h, operatorB, phone: h.world.phones["owner"]!, into: h.world.bHome, community: h.world.b)
                    == .created)
            // Now operator A has no authority over the owner's shared facts.
            let operatorA = try await h.token("operator")
            let rename = try await h.send(
                .PATCH, "/api/v1/communities/\(h.world.a)/people/\(h.world.owner)", token: operatorA,
                json: ["name": "新名字"])
            #expect(rename.status == .forbidden)
            #expect(rename.problem?.code == "person_shared")

            let token = try await h.token("owner")
            let change = try await h.send(
                .PATCH, "/api/v1/me", token: token,
                json: ["currentPassword": World.password, "newPassword": "owner-new-pass"])
            #expect(change.status == .ok)
            let audit = try await AuditEntry.query(on: h.app.db).filter(\.$entityID == h.world.owner)
                .filter(\.$action == "password_change").all()
            #expect(Set(audit.map(\.communityID)) == [h.world.a, h.world.b])
        }
    }

    @Test func theOperatorsOwnResidentCanBeCorrectedAndIsAuditedOnce() async throws {
        try await withLinli { h in
            let operatorA = try await h.token("operator")
            let ok = try await h.send(
                .PATCH, "/api/v1/communities/\(h.world.a)/people/\(h.world.family)", token: operatorA,
                json: ["name": "陈静怡"])
            #expect(ok.status == .ok)
            let audit = try await AuditEntry.query(on: h.app.db).filter(\.$entityID == h.world.family).all()
            #expect(audit.count == 1 && audit.first?.communityID == h.world.a)
        }
    }
}
