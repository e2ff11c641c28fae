import Fluent
import Foundation
import LinliCore
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

/// Class 8 of the trust issue: face data follows the consent.
@Suite struct FaceConsentTests {
    let access = AccessTests()

    func consent(_ h: Harness, _ token: String, person: UUID? = nil, server: Bool) async throws -> HTTPStatus {
        let who = person.map { #","personID":"\#($0)""# } ?? ""
        return try await h.send(
            .POST, "/api/v1/me/access/consent", token: token,
            raw: #"{"communityID":"\#(h.world.a)","version":"\#(FaceConsentText.version)","serverMatching":\#(server)\#(who)}"#
        ).status
    }

    func enrol(_ h: Harness, _ s: AccessTests.Setup, _ person: UUID, seed: UInt64) async throws -> HTTPStatus {
        try await h.send(
            .POST, "/api/v1/devices/access/enrol",
            raw: #"{"personID":"\#(person)","model":"arcface-128","vector":\#(access.json(access.vector(seed)))}"#,
            headers: ["Authorization": "Bearer \(s.terminal)"]
        ).status
    }

    func probe(_ h: Harness, _ s: AccessTests.Setup, seed: UInt64, id: String, liveness: String? = "0.95") async throws
        -> DecideAnswer
    {
        let live = liveness.map { #","liveness":\#($0)"# } ?? ""
        return try await access.decide(
            h, s,
            #"{"gate":"\#(s.gate)","method":"face","model":"arcface-128","vector":\#(access.json(access.vector(seed, noise: 0.2)))\#(live),"eventId":"\#(id)"}"#
        ).content.decode(DecideAnswer.self)
    }

    @Test func onlyTheFurtherConsentIsMatchedOnTheServerAndLivenessIsRequired() async throws {
        try await withLinli { h in
            let s = try await access.setup(h)
            _ = try await h.send(.PUT, h.community + "/access-settings", token: s.op, raw: #"{"serverMatching":true}"#)
            let owner = try await h.token("owner")
            let family = try await h.token("family")
            #expect(try await consent(h, owner, server: false) == .created)
            #expect(try await consent(h, family, server: true) == .created)
            #expect(try await enrol(h, s, h.world.owner, seed: 1) == .created)
            #expect(try await enrol(h, s, h.world.family, seed: 2) == .created)
            // The owner consented to recognition in the terminal only: never matched here.
            let ownerProbe = try await probe(h, s, seed: 1, id: "o-1")
            #expect(!ownerProbe.allow && ownerProbe.person == nil)
            let familyProbe = try await probe(h, s, seed: 2, id: "f-1")
            #expect(familyProbe.allow && familyProbe.person?.id == h.world.family)
            // Without a liveness score: refused, unless the community turns the requirement off.
            #expect(try await probe(h, s, seed: 2, id: "f-2", liveness: nil).reason == "liveness_failed")
            _ = try await h.send(
                .PUT, h.community + "/access-settings", token: s.op, raw: #"{"serverMatching":true,"livenessRequired":false}"#)
            #expect(try await probe(h, s, seed: 2, id: "f-3", liveness: nil).allow)
            // The owner gives the further consent: matched from then on.
            #expect(try await consent(h, owner, server: true) == .created)
            #expect(try await probe(h, s, seed: 1, id: "o-2").person?.id == h.world.owner)
        }
    }

    @Test func aDamagedVectorIsLeftOutAndReportedWhileTheOthersMatch() async throws {
        try await withLinli { h in
            let s = try await access.setup(h)
            _ = try await h.send(.PUT, h.community + "/access-settings", token: s.op, raw: #"{"serverMatching":true}"#)
            for (key, person, seed) in [("owner", h.world.owner, UInt64(1)), ("family", h.world.family, 2)] {
                #expect(try await consent(h, try await h.token(key), server: true) == .created)
                #expect(try await enrol(h, s, person, seed: seed) == .created)
            }
            // The owner's row is damaged, and the galleries load again (a restart).
            let row = try #require(try await FaceVector.query(on: h.app.db).filter(\.$personID == h.world.owner).first())
            row.sealed = Data(repeating: 1, count: row.sealed.count)
            try await row.save(on: h.app.db)
            try h.app.faceGalleries.reload(h.world.a)
            #expect(try await probe(h, s, seed: 2, id: "d-1").person?.id == h.world.family)
            #expect(try await probe(h, s, seed: 1, id: "d-2").person == nil)
            let notes = try await Notification.query(on: h.app.db).filter(\.$role == .operator_).all()
            #expect(notes.contains { $0.title.contains("人脸") })
        }
    }

    @Test func onlyTheOwnerOrARegisteredGuardianConsentsForAChild() async throws {
        try await withLinli { h in
            let op = try await h.token("operator")
            let a = "/api/v1/communities/\(h.world.a)"
            let child = try await Fixture.resident(
                h, "王小宝", phone: "13912340000", in: h.world.home, relation: .family, birthYear: 2018, isChild: true)
            // A tenant rents a room in the same flat.
            let tenant = try await h.send(
                .POST, a + "/households/\(h.world.home)/members", token: op,
                raw: #"{"phone":"\#(h.world.phones["neighbour"]!)","relation":"tenant"}"#)
            #expect(tenant.status == .created)
            #expect(try await consent(h, try await h.token("neighbour"), person: child.id, server: false) == .forbidden)
            #expect(try await consent(h, try await h.token("family"), person: child.id, server: false) == .forbidden)
            #expect(try await consent(h, try await h.token("owner"), person: child.id, server: false) == .created)
            // The operators register the child's mother (a family member of the flat) as a guardian: she
            // may now consent and withdraw for the child; the tenant still may not, nor may anyone be
            // registered who does not live with the child.
            let guardians = a + "/people/\(child.id)/guardians"
            let family = try await h.token("family")
            #expect(
                try await h.send(.POST, guardians, token: family, raw: #"{"guardianID":"\#(h.world.family)"}"#).status
                    == .forbidden)
            let registered = try await h.send(.POST, guardians, token: op, raw: #"{"guardianID":"\#(h.world.family)"}"#)
            #expect(registered.status == .created, "\(registered.text)")
            #expect(
                try await h.send(.POST, guardians, token: op, raw: #"{"guardianID":"\#(h.world.family)"}"#).status
                    == .conflict)
            let outsider = try #require(try await Person.query(on: h.app.db).filter(\.$phone == h.world.phones["worker"]!).first())
            let notHousemate = try await h.send(
                .POST, guardians, token: op, raw: #"{"guardianID":"\#(try outsider.requireID())"}"#)
            #expect(notHousemate.problem?.errors?.first?.reason == "not_a_housemate", "\(notHousemate.text)")
            let listed = try await h.send(.GET, guardians, token: op).content.decode(ListPage<GuardianRead>.self).items
            #expect(listed.map(\.guardianID) == [h.world.family])
            #expect(
                try await h.send(.GET, "/api/v1/communities/\(h.world.b)/people/\(child.id)/guardians", token: try await h.token("operatorB"))
                    .status == .notFound)
            let withdrawn = try await h.send(
                .DELETE, "/api/v1/me/access/consent/\(child.id)?communityID=\(h.world.a)", token: family)
            #expect(withdrawn.status == .noContent, "\(withdrawn.text)")
            #expect(try await consent(h, family, person: child.id, server: false) == .created)
            #expect(try await consent(h, try await h.token("neighbour"), person: child.id, server: false) == .forbidden)
            #expect(
                try await AuditEntry.query(on: h.app.db).filter(\.$entity == "guardian").filter(\.$action == "grant")
                    .count() == 1)
            #expect(try await h.send(.DELETE, guardians + "/\(h.world.family)", token: op).status == .noContent)
            #expect(try await h.send(.DELETE, guardians + "/\(h.world.family)", token: op).status == .notFound)

            // The same from the console: the child's page lists the adults living with the child.
            let browser = WebTests.Browser(h)
            try await browser.signIn(h.world.phones["operator"]!)
            let page = try await browser.go(.GET, "/console/\(h.world.a)/people/\(child.id)", language: "en")
            #expect(page.text.contains("Guardians") && page.text.contains("No guardian registered yet."))
            #expect(page.text.contains(#"<option value="\#(h.world.family)">"#))
            let added = try await browser.go(
                .POST, "/console/\(h.world.a)/people/\(child.id)/guardians",
                form: ["_csrf": browser.csrf(page), "guardianID": h.world.family.uuidString])
            #expect(added.status == .seeOther)
            let after = try await browser.go(.GET, "/console/\(h.world.a)/people/\(child.id)", language: "en")
            #expect(after.text.contains("/guardians/\(h.world.family)/remove"))
            let wrong = try await browser.go(
                .POST, "/console/\(h.world.a)/people/\(child.id)/guardians",
                form: ["_csrf": browser.csrf(after), "guardianID": try outsider.requireID().uuidString], language: "en")
            #expect(wrong.status == .unprocessableEntity, "\(wrong.status)")
            #expect(wrong.text.contains("The guardian must live in the child&#39;s household") || wrong.text.contains("child's household"))
        }
    }

    @Test func movingOutTakesBackFacesCardsAndCodes() async throws {
        try await withLinli { h in
            let s = try await access.setup(h)
            let owner = try await h.token("owner")
            #expect(try await consent(h, owner, server: true) == .created)
            #expect(try await enrol(h, s, h.world.owner, seed: 1) == .created)
            let card = try await h.send(
                .POST, h.community + "/credentials", token: s.op,
                raw: #"{"personID":"\#(h.world.owner)","kind":"card","value":"CARD-9"}"#)
            #expect(card.status == .created)
            let (lockID, _) = try await h.device(
                "door_lock", "101门锁", token: s.op, extra: #","householdID":"\#(h.world.home)""#)
            let code = try await h.send(
                .POST, "/api/v1/me/locks/\(lockID)/codes", token: owner, raw: #"{"label":"保姆","hours":48,"oneTime":false}"#)
            #expect(code.status == .created)
            let members = try await h.send(.GET, h.community + "/households/\(h.world.home)/members", token: s.op)
                .content.decode(ListPage<MembershipRead>.self).items
            let membership = try #require(members.first { $0.personID == h.world.owner })
            let moved = try await h.send(
                .PATCH, h.community + "/households/\(h.world.home)/members/\(membership.id)", token: s.op,
                raw: #"{"movedOut":"\#(Calendar.chinaDate(h.clock.now()))"}"#)
            #expect(moved.status == .ok, "\(moved.text)")
            #expect(try await FaceVector.query(on: h.app.db).count() == 0)
            #expect(try await AccessCredential.query(on: h.app.db).filter(\.$revoked == false).count() == 0)
            #expect(try await LockCode.query(on: h.app.db).filter(\.$revokedAt == nil).count() == 0)
            #expect(try await DeviceCommand.query(on: h.app.db).filter(\.$method == "delete_code").count() == 1)
            let log = try await FaceProcessing.query(on: h.app.db).filter(\.$action == .delete).all()
            #expect(log.count == 1 && log[0].vectors == 1)
            // Terminals are told at their next sync.
            let sync = try await h.send(
                .GET, "/api/v1/devices/access/sync?since=0", headers: ["Authorization": "Bearer \(s.terminal)"]
            ).content.decode(SyncAnswer.self)
            #expect(sync.items.contains { $0.kind == .face && $0.op == .remove })
            #expect(sync.items.contains { $0.kind == .card && $0.op == .remove })
            #expect(!sync.items.contains { $0.op == .add && $0.personID == h.world.owner })
        }
    }

    @Test func anUnreadableKeyStopsTheServerAndAKeyFileIsNeverReplaced() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("linli-key-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(throws: FaceVault.KeyProblem.self) { try FaceVault.load(keyText: "not base64!", path: dir.path + "/k") }
        #expect(throws: FaceVault.KeyProblem.self) {
            try FaceVault.load(keyText: Data(repeating: 1, count: 16).base64EncodedString(), path: dir.path + "/k")
        }
        // A damaged key file is left exactly as it was.
        let damaged = dir.path + "/damaged.key"
        FileManager.default.createFile(atPath: damaged, contents: Data(repeating: 9, count: 31))
        #expect(throws: FaceVault.KeyProblem.self) { try FaceVault.load(keyText: nil, path: damaged) }
        #expect(FileManager.default.contents(atPath: damaged) == Data(repeating: 9, count: 31))
        // A new file is made once (0600) and then read back as the same key.
        let fresh = dir.path + "/fresh.key"
        let first = try FaceVault.load(keyText: nil, path: fresh)
        let second = try FaceVault.load(keyText: nil, path: fresh)
        let sealed = try first.seal([1, 2, 3])
        #expect(try second.open(sealed) == [1, 2, 3])
        let mode = try FileManager.default.attributesOfItem(atPath: fresh)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }
}
