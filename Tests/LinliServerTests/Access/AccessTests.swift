import Fluent
import Foundation
import LinliCore
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

/// Gate decisions end to end: a gate with a terminal, residents with cards, QR and faces, visitors.
@Suite struct AccessTests {
    struct Setup {
        let op: String
        let gate: UUID
        let terminal: String
    }

    func setup(_ h: Harness) async throws -> Setup {
        let op = try await h.token("operator")
        let (device, token) = try await h.device("face_gate", "正门闸机", token: op)
        let gate = try await h.send(
            .POST, h.community + "/gates", token: op, raw: #"{"name":"正门","kind":"main","deviceIDs":["\#(device)"]}"#)
        #expect(gate.status == .created, "\(gate.text)")
        let gateID = try gate.content.decode(GateRead.self).id
        return Setup(op: op, gate: gateID, terminal: token)
    }

    /// Asks the gate, then waits for the log row (it is written after the answer, in a group commit).
    func decide(_ h: Harness, _ s: Setup, _ body: String) async throws -> TestingHTTPResponse {
        let response = try await h.send(
            .POST, "/api/v1/devices/access/decide", raw: body,
            headers: ["Authorization": "Bearer \(s.terminal)"])
        await (try h.app.accessLog).idle()
        return response
    }

    func vector(_ seed: UInt64, noise: Double = 0) -> [Float] {
        var rng = SeededRandom(seed: seed)
        var base = (0..<128).map { _ in Float(rng.noise(1)) }
        if noise > 0 {
            var jitter = SeededRandom(seed: seed &+ 99)
            base = base.map { $0 + Float(jitter.noise(noise)) }
        }
        return base
    }

    func json(_ vector: [Float]) -> String { "[" + vector.map { String($0) }.joined(separator: ",") + "]" }

    @Test func cardsMoveOutAndIdempotentEvents() async throws {
        try await withLinli { h in
            let s = try await setup(h)
            let issued = try await h.send(
                .POST, h.community + "/credentials", token: s.op,
                raw: #"{"personID":"\#(h.world.owner)","kind":"card","value":"CARD-0001"}"#)
            #expect(issued.status == .created)
            let body = #"{"gate":"\#(s.gate)","method":"card","credential":"CARD-0001","eventId":"e-1"}"#
            let first = try await decide(h, s, body)
            let answer = try first.content.decode(DecideAnswer.self)
            #expect(answer.allow && answer.reason == "resident" && answer.person?.maskedName == "王*华")
            #expect(!first.text.contains("1390000"))
            // The same event id: the same answer and one log row.
            #expect(try await decide(h, s, body).content.decode(DecideAnswer.self) == answer)
            #expect(try await AccessEvent.query(on: h.app.db).count() == 1)
            // An unknown card, then the owner moves out: refused with the reason.
            let unknown = try await decide(
                h, s, #"{"gate":"\#(s.gate)","method":"card","credential":"NOPE","eventId":"e-2"}"#)
            #expect(try unknown.content.decode(DecideAnswer.self).reason == "unknown_credential")
            let membership = try #require(
                try await Membership.query(on: h.app.db).filter(\.$personID == h.world.owner).first())
            membership.movedOut = "2026-01-01"
            try await membership.save(on: h.app.db)
            let moved = try await decide(
                h, s, #"{"gate":"\#(s.gate)","method":"card","credential":"CARD-0001","eventId":"e-3"}"#)
            #expect(
                try moved.content.decode(DecideAnswer.self)
                    == DecideAnswer(allow: false, reason: "moved_out", person: answer.person, score: nil))
            // A terminal of another gate's community or a bad token is refused.
            #expect(try await h.send(.POST, "/api/v1/devices/access/decide", raw: body).status == .unauthorized)
        }
    }

    @Test func aRetryIsAnsweredFromMemoryOrFromTheLogAndBadBodiesAre400() async throws {
        try await withLinli { h in
            let s = try await setup(h)
            let now = h.app.clock.now()
            let ms = Int64(now.timeIntervalSince1970 * 1000)
            // A decision logged just before this server started (say, before a restart): a terminal's retry
            // gets that answer, although the credential would be refused now.
            let device = try #require(try await Gate.find(s.gate, on: h.app.db)?.deviceIDs.first)
            let logged = AccessEvent()
            logged.communityID = h.world.a
            logged.gateID = s.gate
            logged.deviceID = device
            logged.eventID = "before-restart"
            logged.personID = h.world.owner
            logged.method = .card
            logged.allow = true
            logged.reason = .resident
            logged.latencyMs = 1
            logged.at = now.addingTimeInterval(-60)
            logged.source = "server"
            try await logged.create(on: h.app.db)
            let retry = try await decide(
                h, s,
                #"{"gate":"\#(s.gate)","method":"card","credential":"GONE","eventId":"before-restart","ts":\#(ms)}"#)
            let answer = try retry.content.decode(DecideAnswer.self)
            #expect(answer.allow && answer.reason == "resident" && answer.person?.maskedName == "王*华")
            // New event ids with a current ts are decided without a log lookup; repeated, from memory.
            let fresh = #"{"gate":"\#(s.gate)","method":"card","credential":"GONE","eventId":"new-1","ts":\#(ms)}"#
            #expect(try await decide(h, s, fresh).content.decode(DecideAnswer.self).reason == "unknown_credential")
            #expect(try await decide(h, s, fresh).content.decode(DecideAnswer.self).reason == "unknown_credential")
            // A ts an hour old is looked up in the log: the logged answer again, one row per event id.
            let old =
                #"{"gate":"\#(s.gate)","method":"card","credential":"X","eventId":"before-restart","ts":\#(ms - 3_600_000)}"#
            #expect(try await decide(h, s, old).content.decode(DecideAnswer.self).allow)
            #expect(try await AccessEvent.query(on: h.app.db).count() == 2)
            // The decision body is read by its own parser: the same problems as every other endpoint.
            for (body, status, field, reason) in [
                (#"{"gate":"\#(s.gate)","method":"face","#, 400, "", "malformed_json"),
                (#"{"gate":"\#(s.gate)","method":"face","eventId":"b","vector":["x"]}"#, 400, "vector", "wrong_type"),
                (#"{"gate":"\#(s.gate)","method":"card","credential":"C"}"#, 400, "eventId", "missing_field"),
                (
                    #"{"gate":"not-a-uuid","method":"card","credential":"C","eventId":"b"}"#, 422, "gate",
                    "invalid_value"
                ),
                (#"[1,2]"#, 400, "", "wrong_type"),
            ] {
                let bad = try await decide(h, s, body)
                #expect(bad.status.code == UInt(status), "\(body)")
                let issue = bad.problem?.errors?.first
                #expect(issue?.field == field && issue?.reason == reason, "\(body): \(bad.text)")
            }
        }
    }

    @Test func staffPassOnlyOnShift() async throws {
        try await withLinli { h in
            let s = try await setup(h)
            // The test clock reads 22:13 China time.
            let (staff, _) = try await Fixture.token(.guard_, h, phone: "13700001111", name: "赵保安", shift: "08:00-20:00")
            #expect(staff.shift == "08:00-20:00")
            let card = try await h.send(
                .POST, h.community + "/credentials", token: s.op,
                raw: #"{"personID":"\#(staff.personID)","kind":"card","value":"GUARD-1"}"#)
            #expect(card.status == .created, "\(card.text)")
            var n = 0
            func pass() async throws -> String {
                n += 1
                return try await decide(
                    h, s, #"{"gate":"\#(s.gate)","method":"card","credential":"GUARD-1","eventId":"g-\#(n)"}"#
                ).content.decode(DecideAnswer.self).reason
            }
            #expect(try await pass() == "off_shift")
            let night = try await h.send(
                .PUT, h.community + "/staff/\(staff.id)/shift", token: s.op, raw: #"{"shift":"22:00-06:00"}"#)
            #expect(try night.content.decode(StaffRead.self).shift == "22:00-06:00")
            #expect(try await pass() == "staff")
            h.clock.advance(by: 8 * 3600)  // 06:13
            #expect(try await pass() == "off_shift")
            _ = try await h.send(.PUT, h.community + "/staff/\(staff.id)/shift", token: s.op, raw: #"{"shift":null}"#)
            #expect(try await pass() == "staff")
            let bad = try await h.send(
                .PUT, h.community + "/staff/\(staff.id)/shift", token: s.op, raw: #"{"shift":"25:00-26:00"}"#)
            #expect(bad.status == .unprocessableEntity && bad.problem?.errors?.first?.field == "shift")
        }
    }

    @Test func rotatingQRCannotBeReplayed() async throws {
        try await withLinli { h in
            let s = try await setup(h)
            let owner = try await h.token("owner")
            let qr = try await h.send(.GET, "/api/v1/me/access/qr", token: owner)
            let payload = try qr.content.decode(AccessAPI.QRRead.self).payload
            #expect(payload.hasPrefix("L1:"))
            let ok = try await decide(
                h, s, #"{"gate":"\#(s.gate)","method":"qr","credential":"\#(payload)","eventId":"q-1"}"#)
            #expect(try ok.content.decode(DecideAnswer.self).allow)
            let again = try await decide(
                h, s, #"{"gate":"\#(s.gate)","method":"qr","credential":"\#(payload)","eventId":"q-2"}"#)
            #expect(try again.content.decode(DecideAnswer.self).reason == "qr_replayed")
            h.clock.advance(by: 300)
            let screenshot = try await decide(
                h, s, #"{"gate":"\#(s.gate)","method":"qr","credential":"\#(payload)","eventId":"q-3"}"#)
            #expect(try screenshot.content.decode(DecideAnswer.self).reason == "qr_expired")
        }
    }

    @Test func visitorPassEntriesAreCounted() async throws {
        try await withLinli { h in
            let s = try await setup(h)
            let owner = try await h.token("owner")
            let now = h.clock.now()
            let created = try await h.send(
                .POST, "/api/v1/me/visitor-passes", token: owner,
                raw:
                    #"{"householdID":"\#(h.world.home)","visitorName":"李阿姨","validFrom":"\#(ISO8601DateFormatter().string(from: now.addingTimeInterval(-60)))","validUntil":"\#(ISO8601DateFormatter().string(from: now.addingTimeInterval(7200)))","entries":1}"#
            )
            #expect(created.status == .created, "\(created.text)")
            let pass = try created.content.decode(PassCreated.self)
            #expect(pass.pin.count == 6)
            let first = try await decide(
                h, s, #"{"gate":"\#(s.gate)","method":"pin","credential":"\#(pass.pin)","eventId":"v-1"}"#)
            #expect(try first.content.decode(DecideAnswer.self).reason == "visitor")
            let second = try await decide(
                h, s, #"{"gate":"\#(s.gate)","method":"qr","credential":"\#(pass.pass.qr)","eventId":"v-2"}"#)
            #expect(try second.content.decode(DecideAnswer.self).reason == "pass_used_up")
            // The owner sees the pass and its uses in the history; the neighbour sees neither.
            let history = try await h.send(.GET, "/api/v1/me/access/history", token: owner)
            #expect(try history.content.decode(ListPage<EventRead>.self).items.count == 2)
            let neighbour = try await h.token("neighbour")
            #expect(
                try await h.send(.GET, "/api/v1/me/access/history", token: neighbour).content.decode(
                    ListPage<EventRead>.self
                ).items.isEmpty)
            #expect(
                try await h.send(.GET, "/api/v1/me/visitor-passes", token: neighbour).content.decode(
                    ListPage<PassRead>.self
                ).items.isEmpty)
            #expect(
                try await h.send(.POST, "/api/v1/me/visitor-passes/\(pass.pass.id)/revoke", token: neighbour).status
                    == .notFound)
        }
    }

    @Test func faceNeedsConsentMatchesAndIsForgottenOnWithdrawal() async throws {
        try await withLinli { h in
            let s = try await setup(h)
            let owner = try await h.token("owner")
            _ = try await h.send(.PUT, h.community + "/access-settings", token: s.op, raw: #"{"serverMatching":true}"#)
            let enrol = #"{"personID":"\#(h.world.owner)","model":"arcface-128","vector":\#(json(vector(1)))}"#
            let headers: HTTPHeaders = ["Authorization": "Bearer \(s.terminal)"]
            let refused = try await h.send(.POST, "/api/v1/devices/access/enrol", raw: enrol, headers: headers)
            #expect(refused.status == .unprocessableEntity && refused.problem?.errors?.first?.reason == "no_consent")
            #expect(try await FaceVector.query(on: h.app.db).count() == 0)
            let consent = try await h.send(
                .POST, "/api/v1/me/access/consent", token: owner,
                raw: #"{"communityID":"\#(h.world.a)","version":"\#(FaceConsentText.version)","serverMatching":true}"#)
            #expect(consent.status == .created)
            #expect(
                try await h.send(.POST, "/api/v1/devices/access/enrol", raw: enrol, headers: headers).status == .created
            )
            // Stored sealed, not as plain floats.
            let stored = try #require(try await FaceVector.query(on: h.app.db).first())
            #expect(stored.sealed.count == 128 * 4 + 28)
            let probe =
                #"{"gate":"\#(s.gate)","method":"face","model":"arcface-128","vector":\#(json(vector(1, noise: 0.2))),"liveness":0.95,"eventId":"f-1"}"#
            let matched = try await decide(h, s, probe).content.decode(DecideAnswer.self)
            #expect(matched.allow && matched.person?.id == h.world.owner && (matched.score ?? 0) > 0.9)
            let spoof =
                #"{"gate":"\#(s.gate)","method":"face","model":"arcface-128","vector":\#(json(vector(1))),"liveness":0.2,"eventId":"f-2"}"#
            #expect(try await decide(h, s, spoof).content.decode(DecideAnswer.self).reason == "liveness_failed")
            // Bad vectors: 400 with the field.
            for (body, reason) in [
                (
                    #"{"gate":"\#(s.gate)","method":"face","model":"arcface-128","vector":[1,2,3],"eventId":"b-1"}"#,
                    "wrong_dimension"
                ),
                (
                    #"{"gate":"\#(s.gate)","method":"face","model":"other","vector":\#(json(vector(2))),"eventId":"b-2"}"#,
                    "unknown_model"
                ),
            ] {
                let bad = try await decide(h, s, body)
                #expect(bad.status == .badRequest && bad.problem?.errors?.first?.reason == reason)
            }
            #expect(
                try await decide(
                    h, s, #"{"gate":"\#(s.gate)","method":"face","model":"arcface-128","vector":[NaN],"eventId":"b-3"}"#
                ).status == .badRequest)
            // An edge terminal syncs the face (it matches locally).
            let synced = try await h.send(.GET, "/api/v1/devices/access/sync?since=0", headers: headers).content.decode(
                SyncAnswer.self)
            #expect(synced.items.map { "\($0.kind) \($0.op)" } == ["face add"])
            #expect(synced.items[0].vector?.count == 128 && synced.items[0].maskedName == "王*华")
            // Withdrawal deletes the vectors and the face no longer opens the gate.
            #expect(
                try await h.send(
                    .DELETE, "/api/v1/me/access/consent/\(h.world.owner)?communityID=\(h.world.a)", token: owner
                ).status == .noContent)
            #expect(try await FaceVector.query(on: h.app.db).count() == 0)
            let after = try await decide(h, s, probe.replacingOccurrences(of: "f-1", with: "f-3")).content.decode(
                DecideAnswer.self)
            #expect(!after.allow)
            // ...and the terminal drops it at its next sync.
            let next = try await h.send(.GET, "/api/v1/devices/access/sync?since=\(synced.version)", headers: headers)
                .content.decode(SyncAnswer.self)
            #expect(next.items.map { "\($0.kind) \($0.op)" } == ["face remove"] && next.items[0].vector == nil)
            // Decisions the terminal made itself are uploaded once, however often they are sent.
            let upload =
                #"[{"eventId":"edge-1","gate":"\#(s.gate)","method":"face","allow":true,"reason":"resident","personID":"\#(h.world.owner)","score":0.91,"ts":1790000000000}]"#
            for _ in 0..<2 {
                #expect(
                    try await h.send(.POST, "/api/v1/devices/access/events", raw: upload, headers: headers).status
                        == .ok)
            }
            #expect(try await AccessEvent.query(on: h.app.db).filter(\.$source == "edge").count() == 1)
            let data = try await h.send(.GET, h.community + "/face-data", token: s.op).content.decode(FaceDataRead.self)
            #expect(data.people == 0 && data.filingThreshold == 100_000 && !data.filingRequired)
            #expect(data.withdrawnConsents == 1 && data.activeConsents == 0 && data.faceDecisions30Days > 0)
            // The processing log keeps what happened, by whom, after the face data is gone.
            let log = try await h.send(.GET, h.community + "/face-data/log?sort=at", token: s.op).content.decode(
                ListPage<FaceProcessingRead>.self)
            let byAction = Dictionary(uniqueKeysWithValues: log.items.map { ($0.action, $0) })
            #expect(Set(byAction.keys) == [.serverConsent, .enrol, .withdraw, .delete] && log.items.count == 4)
            #expect(log.items.allSatisfy { $0.person == "王*华" } && byAction[.enrol]?.actor == "正门闸机")
            #expect(byAction[.delete]?.vectors == 1 && byAction[.serverConsent]?.actor == "王*华")
            let guardToken = try await h.token("guard")
            #expect(try await h.send(.GET, h.community + "/face-data/log", token: guardToken).status == .forbidden)
            let browser = WebTests.Browser(h)
            try await browser.signIn(h.world.phones["operator"]!)
            let page = try await browser.go(.GET, "/console/\(h.world.a)/face-data")
            #expect(page.status == .ok && page.text.contains("删除人脸信息") && page.text.contains("10 万人备案门槛"))
        }
    }

    @Test func residentPageShowsTheCodeConsentAndPasses() async throws {
        try await withLinli { h in
            let browser = WebTests.Browser(h)
            try await browser.signIn(h.world.phones["owner"]!)
            let page = try await browser.go(.GET, "/access")
            #expect(page.status == .ok && page.text.contains("<svg") && page.text.contains("我的通行码"))
            #expect(page.text.contains("不同意不影响您使用通行码"))
            let qr = try await browser.go(.GET, "/access/qr")
            #expect(
                qr.headers.contentType?.subType == "svg+xml" && Int(qr.headers.first(name: "X-Refresh-In") ?? "") != nil
            )
            // Consent needs the box ticked.
            let unticked = try await browser.go(
                .POST, "/access/consent", form: ["_csrf": browser.csrf(page), "communityID": h.world.a.uuidString])
            #expect(unticked.status == .unprocessableEntity)
            #expect(try await FaceConsent.query(on: h.app.db).count() == 0)
            _ = try await browser.go(
                .POST, "/access/consent",
                form: ["_csrf": browser.csrf(page), "communityID": h.world.a.uuidString, "agree": "1"])
            #expect(try await FaceConsent.query(on: h.app.db).count() == 1)
            let created = try await browser.go(
                .POST, "/access/passes",
                form: [
                    "_csrf": browser.csrf(page), "householdID": h.world.home.uuidString, "visitorName": "快递员",
                    "day": Calendar.chinaDate(h.clock.now()), "hours": "4", "entries": "2",
                ])
            // The PIN is shown once, in the answer itself, never again on the page.
            #expect(created.status == .created && created.text.contains("下面是访客密码"))
            #expect(created.headers.first(name: .cacheControl)?.contains("no-store") == true)
            let pin = try #require(
                created.text.range(of: #"id="secret">"#).map { String(created.text[$0.upperBound...].prefix(6)) })
            #expect(pin.count == 6 && pin.allSatisfy(\.isNumber))
            let after = try await browser.go(.GET, "/access")
            #expect(!after.text.contains(pin) && after.text.contains("快递员 · 有效"))
            let pass = try #require(try await VisitorPass.query(on: h.app.db).first())
            _ = try await browser.go(.POST, "/access/passes/\(pass.id!)/revoke", form: ["_csrf": browser.csrf(after)])
            #expect(try await VisitorPass.query(on: h.app.db).first()?.revoked == true)
            #expect(try await AccessChange.query(on: h.app.db).filter(\.$op == .remove).count() == 2)
            // A child under 14 in the household: the guardian consents for them on the same page, and withdraws.
            let child = try #require(try await Person.find(h.world.family, on: h.app.db))
            child.birthYear = Calendar.chinaYear(h.clock.now()) - 9
            try await child.save(on: h.app.db)
            let withChild = try await browser.go(.GET, "/access")
            #expect(withChild.text.contains("陈静（未满 14 周岁，由您作为监护人同意）"))
            let given = try await browser.go(
                .POST, "/access/consent",
                form: [
                    "_csrf": browser.csrf(withChild), "communityID": h.world.a.uuidString,
                    "personID": h.world.family.uuidString, "agree": "1",
                ])
            #expect(given.status == .seeOther)
            let childConsent = try #require(
                try await FaceConsent.query(on: h.app.db).filter(\.$personID == h.world.family).first())
            #expect(childConsent.givenBy == h.world.owner && childConsent.withdrawnAt == nil)
            // The neighbour cannot consent for a child of another household.
            let other = WebTests.Browser(h)
            try await other.signIn(h.world.phones["neighbour"]!)
            let theirs = try await other.go(.GET, "/access")
            #expect(!theirs.text.contains("陈静"))
            let refused = try await other.go(
                .POST, "/access/consent",
                form: [
                    "_csrf": other.csrf(theirs), "communityID": h.world.a.uuidString,
                    "personID": h.world.family.uuidString, "agree": "1",
                ])
            #expect(refused.status == .notFound)
            _ = try await browser.go(
                .POST, "/access/consent/withdraw",
                form: [
                    "_csrf": browser.csrf(withChild), "communityID": h.world.a.uuidString,
                    "personID": h.world.family.uuidString,
                ])
            #expect(
                try await FaceConsent.query(on: h.app.db).filter(\.$personID == h.world.family).first()?.withdrawnAt
                    != nil)
        }
    }

    @Test func guardSeesDecisionsExportsTheLogAndDeniesAPerson() async throws {
        try await withLinli { h in
            let s = try await setup(h)
            _ = try await h.send(
                .POST, h.community + "/credentials", token: s.op,
                raw: #"{"personID":"\#(h.world.owner)","kind":"card","value":"CARD-9"}"#)
            _ = try await decide(h, s, #"{"gate":"\#(s.gate)","method":"card","credential":"CARD-9","eventId":"g-1"}"#)
            let browser = WebTests.Browser(h)
            try await browser.signIn(h.world.phones["guard"]!)
            let c = "/console/\(h.world.a)"
            let page = try await browser.go(.GET, c + "/gates")
            #expect(page.status == .ok && page.text.contains("王*华") && page.text.contains("住户通行"))
            let denied = try await browser.go(
                .POST, c + "/deny-list",
                form: ["_csrf": browser.csrf(page), "phone": h.world.phones["owner"]!, "reason": "欠费纠纷"])
            #expect(denied.status == .seeOther)
            let blocked = try await decide(
                h, s, #"{"gate":"\#(s.gate)","method":"card","credential":"CARD-9","eventId":"g-2"}"#)
            #expect(try blocked.content.decode(DecideAnswer.self).reason == "deny_list")
            let csv = try await browser.go(.GET, c + "/access-log.csv")
            #expect(csv.headers.contentType?.subType == "csv")
            let lines = csv.text.split(separator: "\n")
            #expect(lines.count == 3 && lines[0].hasSuffix("time,gate,method,person,allow,reason,score,source"))
            #expect(
                lines[1].contains("deny_list") && lines[2].contains("resident") && !csv.text.contains("13900000001"))
            // Search: refused decisions only, in the table and in the export; terminals with their status.
            let refused = try await browser.go(.GET, c + "/gates?allow=false&method=card&from=2026-09-01")
            #expect(refused.text.contains("禁止名单") && refused.text.contains("正门闸机") && refused.text.contains("从未上线"))
            #expect(refused.text.contains("access-log.csv?allow=false&amp;method=card&amp;from=2026-09-01"))
            let filtered = try await browser.go(.GET, c + "/access-log.csv?allow=false")
            #expect(filtered.text.split(separator: "\n").count == 2)
            let none = try await browser.go(.GET, c + "/access-log.csv?to=2026-01-01")
            #expect(none.text.split(separator: "\n").count == 1)
            #expect(try await browser.go(.GET, c + "/gates?from=yesterday").status == .badRequest)
            // The guard takes the person off the deny list again: the card opens the gate.
            let removed = try await browser.go(
                .POST, c + "/deny-list/\(h.world.owner)/remove", form: ["_csrf": browser.csrf(refused)])
            #expect(removed.status == .seeOther)
            let again = try await decide(
                h, s, #"{"gate":"\#(s.gate)","method":"card","credential":"CARD-9","eventId":"g-3"}"#)
            #expect(try again.content.decode(DecideAnswer.self).reason == "resident")
            #expect(
                try await h.send(
                    .DELETE, h.community + "/deny-list/\(h.world.owner)", token: try await h.token("guard")
                )
                .status == .notFound)
        }
    }

    @Test func residentUnlocksTheirLockAndSeesTheConfirmation() async throws {
        try await withLinli { h in
            let op = try await h.token("operator")
            let (lock, lockToken) = try await h.device(
                "door_lock", "1栋101门锁", token: op, extra: #","householdID":"\#(h.world.home)""#)
            let owner = try await h.token("owner")
            let neighbour = try await h.token("neighbour")
            #expect(try await h.send(.POST, "/api/v1/me/locks/\(lock)/unlock", token: neighbour).status == .notFound)
            let unlock = try await h.send(.POST, "/api/v1/me/locks/\(lock)/unlock", token: owner)
            #expect(unlock.status == .created)
            let command = try unlock.content.decode(CommandRead.self)
            #expect(command.status == .queued && command.twoWay)
            // The lock takes the command and confirms; the app shows it.
            let poll = try await h.send(.GET, "/api/v1/\(lockToken)/rpc?timeout=1000")
            #expect(poll.text.contains("unlock"))
            _ = try await h.send(.POST, "/api/v1/\(lockToken)/rpc/\(command.id)", raw: #"{"result":"unlocked"}"#)
            _ = try await h.send(
                .POST, "/api/v1/\(lockToken)/telemetry", raw: #"{"locked":false,"unlock_method":"app"}"#)
            let locks = try await h.send(.GET, "/api/v1/me/locks", token: owner).content.decode(ListPage<LockRead>.self).items
            #expect(locks.count == 1 && locks[0].lastCommand?.status == .successful && locks[0].locked == false)
            #expect(
                try await h.send(.GET, "/api/v1/me/locks", token: neighbour).content.decode(ListPage<LockRead>.self).items.isEmpty)
            // A one-time code for the cleaner goes to the lock as a command.
            let code = try await h.send(
                .POST, "/api/v1/me/locks/\(lock)/codes", token: owner, raw: #"{"label":"保洁","hours":4,"oneTime":true}"#)
            let created = try code.content.decode(LockCodeCreated.self)
            #expect(created.code.count == 6 && created.command.method == "set_code")
            #expect(created.command.params["oneTime"] == .bool(true))
            let events = try await h.send(.GET, "/api/v1/me/locks/\(lock)/events", token: owner).content.decode(
                Locks.LockEvents.self)
            #expect(
                events.commands.map(\.method) == ["set_code", "unlock"]
                    && events.reports["unlock_method"]?.first?.value == .string("app"))
            // The page shows the lock with its buttons.
            let browser = WebTests.Browser(h)
            try await browser.signIn(h.world.phones["owner"]!)
            let page = try await browser.go(.GET, "/access")
            #expect(page.text.contains("1栋101门锁 · 未上锁") && page.text.contains("设置密码 · 排队中"))
            let sent = try await browser.go(.POST, "/access/locks/\(lock)/unlock", form: ["_csrf": browser.csrf(page)])
            #expect(sent.status == .seeOther)
            #expect(try await DeviceCommand.query(on: h.app.db).filter(\.$method == "unlock").count() == 2)
            // The lock confirms the code; the list shows it (never the code itself); revoking sends delete_code.
            _ = try await h.send(.POST, "/api/v1/\(lockToken)/rpc/\(created.command.id)", raw: #"{"result":"ok"}"#)
            let listed = try await h.send(.GET, "/api/v1/me/locks/\(lock)/codes", token: owner)
            let codes = try listed.content.decode(ListPage<LockCodeRead>.self).items
            #expect(codes.count == 1 && codes[0].label == "保洁" && codes[0].setStatus == .successful)
            #expect(!listed.text.contains(created.code))
            #expect(try await h.send(.GET, "/api/v1/me/locks/\(lock)/codes", token: neighbour).status == .notFound)
            #expect(
                try await h.send(.DELETE, "/api/v1/me/locks/\(lock)/codes/\(created.id)", token: neighbour).status
                    == .notFound)
            let withCodes = try await browser.go(.GET, "/access")
            #expect(withCodes.text.contains("保洁 · 只能用一次") && withCodes.text.contains("/codes/\(created.id)/revoke"))
            let revoked = try await browser.go(
                .POST, "/access/locks/\(lock)/codes/\(created.id)/revoke", form: ["_csrf": browser.csrf(withCodes)])
            #expect(revoked.status == .seeOther)
            let delete = try #require(
                try await DeviceCommand.query(on: h.app.db).filter(\.$method == "delete_code").first())
            #expect(delete.params.contains(created.id.uuidString))
            let after = try await h.send(.GET, "/api/v1/me/locks/\(lock)/codes", token: owner).content.decode(ListPage<LockCodeRead>.self).items
            #expect(after.first?.revokedAt != nil && after.first?.deleteStatus == .queued)
            #expect(
                try await h.send(.DELETE, "/api/v1/me/locks/\(lock)/codes/\(created.id)", token: owner).status
                    == .conflict)
        }
    }
}
