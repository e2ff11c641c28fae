import Fluent
import Foundation
import LinliCore
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

extension Harness {
    var care: String { community + "/care" }

    func watch(_ person: UUID, _ body: String, who: String = "worker") async throws -> TestingHTTPResponse {
        try await send(.PUT, care + "/watch/\(person)", token: try await token(who), raw: body)
    }

    func checks(_ status: String = "open") async throws -> [CareCheckRead] {
        let read = try await send(.GET, care + "/checks?status=\(status)", token: try await token("worker"))
        #expect(read.status == .ok, "\(read.text)")
        return try read.content.decode(ListPage<CareCheckRead>.self).items
    }

    /// A person's notifications (with a token made before: signing in is a sign of life).
    func notes(_ who: String, token given: String? = nil) async throws -> [String] {
        let bearer: String
        if let given { bearer = given } else { bearer = try await token(who) }
        return try await send(.GET, "/api/v1/me/notifications?per=100", token: bearer)
            .content.decode(ListPage<NotificationRead>.self).items.map(\.title)
    }
}

@Suite struct CareWatchTests {
    @Test func silenceClimbsTheLadderAndTheVisitEndsIt() async throws {
        try await withLinli { h in
            let owner = h.world.owner
            // Real clocks have fractions of a second: no conditional write may compare dates for equality.
            h.clock.advance(by: 0.123_456)
            // Signed in before the watch starts (a sign-in is a sign of life).
            let ownerToken = try await h.token("owner")
            let set = try await h.watch(owner, #"{"windowMinutes":10,"consent":true,"consentBy":"self"}"#)
            #expect(set.status == .ok, "\(set.text)")
            _ = try await h.send(
                .PUT, "/api/v1/me/households/\(h.world.home)/emergency-contacts", token: ownerToken,
                raw: #"{"contacts":[{"name":"周杰","phone":"13900000003"}]}"#)
            try await h.pass(60 * 5)
            #expect(try await h.checks().isEmpty)
            try await h.pass(60 * 6)
            let opened = try await h.checks()
            #expect(opened.map(\.step) == [.reminder] && opened.first?.reason == .noSignOfLife)
            #expect(try await h.notes("owner", token: ownerToken).contains { $0.hasPrefix("社区关心您") })
            try await h.pass(125)
            #expect(try await h.checks().first?.step == .family)
            #expect(try await h.notes("neighbour").contains { $0.hasPrefix("您家人一段时间没有活动") })
            try await h.pass(13 * 60)
            let climbed = try #require(try await h.checks().first)
            #expect(climbed.step == .worker && climbed.emergencyContacts.map(\.name) == ["周杰"])
            #expect(try await h.notes("worker").contains { $0.contains("请上门探访") })
            // The visit, once.
            let visit = try await h.send(
                .POST, h.care + "/checks/\(climbed.id)/visit", token: try await h.token("worker"),
                raw: #"{"outcome":"fine","note":"在楼下散步"}"#)
            #expect(visit.status == .ok, "\(visit.text)")
            let again = try await h.send(
                .POST, h.care + "/checks/\(climbed.id)/visit", token: try await h.token("worker"),
                raw: #"{"outcome":"hospital"}"#)
            #expect(again.status == .conflict)
            #expect(try await h.checks("done").map(\.outcome) == ["fine"])
            // The same silence opens no second check; a sign of life starts a new count.
            try await h.pass(600)
            #expect(try await h.checks().isEmpty)
            let (_, door) = try await h.sensor("door_contact", "入户门")
            try await h.reading(door, #"{"open":true}"#)
            let watched = try await h.send(.GET, h.care + "/watch", token: try await h.token("worker"))
                .content.decode(ListPage<CareWatchRead>.self).items
            #expect(watched.first?.lastSignKind == "door_contact")
            try await h.pass(60 * 5)
            #expect(try await h.checks().isEmpty)
            try await h.pass(60 * 6)
            #expect(try await h.checks().count == 1)
            // 我很好: the person answers, the check closes.
            let fine = try await h.send(.POST, "/api/v1/me/care/check-in", token: ownerToken)
            #expect(fine.status == .ok, "\(fine.text)")
            #expect(try fine.content.decode(CheckInRead.self).acknowledged == 1)
            #expect(try await h.checks().isEmpty)
        }
    }

    @Test func awayHomesAndGatePassesHoldTheCheckBack() async throws {
        try await withLinli { h in
            _ = try await h.watch(h.world.owner, #"{"windowMinutes":10,"consent":true}"#)
            // Armed away: silence is expected.
            _ = try await h.send(.PUT, h.security + "/settings", token: try await h.token("owner"), raw: #"{"exitDelay":0}"#)
            _ = try await h.send(.POST, h.security + "/arm", token: try await h.token("owner"), raw: #"{"mode":"armed_away"}"#)
            try await h.pass(60 * 11)
            #expect(try await h.checks().isEmpty)
            let held = try await h.send(.GET, h.care + "/watch", token: try await h.token("worker"))
                .content.decode(ListPage<CareWatchRead>.self).items
            #expect(held.first?.suppressed == "armed_away")
            _ = try await h.send(.POST, h.security + "/disarm", token: try await h.token("owner"), raw: "{}")
            // A gate let the person through a minute ago: a sign of life.
            let pass = AccessEvent()
            pass.communityID = h.world.a
            pass.deviceID = UUID()
            pass.eventID = "gate-1"
            pass.personID = h.world.owner
            pass.method = .face
            pass.allow = true
            pass.reason = .resident
            pass.latencyMs = 3
            pass.at = h.clock.now()
            pass.source = "terminal"
            try await pass.create(on: h.app.db)
            try await h.pass(60 * 9)
            #expect(try await h.checks().isEmpty)
            try await h.pass(60 * 6)
            #expect(try await h.checks().count == 1)
        }
    }

    @Test func outByTheGateHoldsTheCheckBackUntilTheyAreBackIn() async throws {
        try await withLinli { h in
            let access = AccessTests()
            let s = try await access.setup(h)
            let card = try await h.send(
                .POST, h.community + "/credentials", token: s.op,
                raw: #"{"personID":"\#(h.world.owner)","kind":"card","value":"CARD-OUT"}"#)
            #expect(card.status == .created)
            _ = try await h.watch(h.world.owner, #"{"windowMinutes":10,"consent":true}"#)
            func pass(_ event: String, _ direction: String) async throws -> TestingHTTPResponse {
                try await access.decide(
                    h, s,
                    #"{"gate":"\#(s.gate)","method":"card","credential":"CARD-OUT","eventId":"\#(event)","direction":"\#(direction)"}"#
                )
            }
            let bad = try await pass("bad-1", "sideways")
            #expect((400..<500).contains(bad.status.code) && bad.problem != nil, "\(bad.status)")
            #expect(try await AccessEvent.query(on: h.app.db).count() == 0)
            let out = try await pass("out-1", "out")
            #expect(try out.content.decode(DecideAnswer.self).allow)
            try await h.pass(60 * 11)
            #expect(try await h.checks().isEmpty)
            let held = try await h.send(.GET, h.care + "/watch", token: try await h.token("worker"))
                .content.decode(ListPage<CareWatchRead>.self).items
            #expect(held.first?.suppressed == "out_by_gate")
            // Back in by the same gate: the silence counts from there.
            _ = try await pass("in-1", "in")
            try await h.pass(60 * 9)
            #expect(try await h.checks().isEmpty)
            try await h.pass(60 * 6)
            #expect(try await h.checks().first?.reason == .noSignOfLife)
        }
    }

    @Test func aMissedDailyCheckInOpensACheck() async throws {
        try await withLinli { h in
            // The test clock starts at 22:13 China time; the check-in is due by 23:00.
            let set = try await h.watch(h.world.owner, #"{"windowMinutes":10080,"checkInBy":"23:00","consent":true}"#)
            #expect(set.status == .ok, "\(set.text)")
            try await h.pass(60 * 30)
            #expect(try await h.checks().isEmpty)
            try await h.pass(60 * 20)
            #expect(try await h.checks().first?.reason == .missedCheckIn)
            // The family member living there answers for them.
            let family = try await h.send(
                .POST, "/api/v1/me/care/check-in", token: try await h.token("family"),
                raw: #"{"personID":"\#(h.world.owner)"}"#)
            #expect(family.status == .ok)
            #expect(try await h.checks().isEmpty)
            try await h.pass(60 * 10)
            #expect(try await h.checks().isEmpty, "the answered deadline opened a second check")
        }
    }

    @Test func theCallButtonsFineKeyAndTheWorkersCallAreCheckIns() async throws {
        try await withLinli { h in
            // The test clock starts at 22:13 China time; the check-in is due by 23:00.
            _ = try await h.watch(h.world.owner, #"{"windowMinutes":10080,"checkInBy":"23:00","consent":true}"#)
            let (_, button) = try await h.sensor("emergency_button", "床头呼叫器")
            try await h.pass(60 * 50)
            #expect(try await h.checks().first?.reason == .missedCheckIn)
            // 我很好 on the home's call button: the check closes, the day is checked in, the guards hear nothing.
            try await h.reading(button, #"{"fine":true}"#)
            #expect(try await h.checks().isEmpty)
            #expect(try await CareWatch.query(on: h.app.db).first()?.lastCheckInAt != nil)
            #expect(try await h.calls().isEmpty)
            // The next day's deadline is missed; the worker calls and logs it.
            try await h.pass(24 * 3600)
            #expect(try await h.checks().count == 1)
            let worker = try await h.token("worker")
            let call = try await h.send(.POST, h.care + "/watch/\(h.world.owner)/call", token: worker)
            #expect(call.status == .ok, "\(call.text)")
            #expect(try call.content.decode(CheckInRead.self).acknowledged == 1)
            #expect(try await h.checks().isEmpty)
            try await h.pass(60)
            #expect(try await h.checks().isEmpty, "the logged call did not count as the day's check-in")
            // Nobody watched by that id; another community's operator; a resident.
            #expect(try await h.send(.POST, h.care + "/watch/\(UUID())/call", token: worker).status == .notFound)
            let foreign = try await h.send(
                .POST, "/api/v1/communities/\(h.world.b)/care/watch/\(h.world.owner)/call",
                token: try await h.token("operatorB"))
            #expect(foreign.status == .notFound)
            let resident = try await h.send(
                .POST, h.care + "/watch/\(h.world.owner)/call", token: try await h.token("neighbour"))
            #expect(resident.status == .forbidden)
        }
    }

    @Test func tenancyConsentAndBadInput() async throws {
        try await withLinli { h in
            let owner = h.world.owner
            #expect(try await h.watch(owner, #"{"consent":true}"#, who: "operatorB").status == .notFound)
            #expect(try await h.watch(owner, #"{"consent":true}"#, who: "guard").status == .forbidden)
            #expect(try await h.watch(owner, #"{"consent":true}"#, who: "owner").status == .forbidden)
            #expect(try await h.watch(UUID(), #"{"consent":true}"#).status == .notFound)
            for body in [
                #"{"consent":false}"#, #"{"windowMinutes":0,"consent":true}"#,
                #"{"checkInBy":"25:00","consent":true}"#, #"{"quietHours":"late","consent":true}"#,
                #"{"consentBy":"neighbour","consent":true}"#, #"{"consent":"yes"}"#, "[]",
            ] {
                let bad = try await h.watch(owner, body)
                #expect((400..<500).contains(bad.status.code) && bad.problem != nil, "\(body): \(bad.status)")
            }
            #expect(try await CareWatch.query(on: h.app.db).count() == 0)
            #expect(try await h.watch(owner, #"{"windowMinutes":10,"consent":true}"#).status == .ok)
            // Another community's operator reads nothing; a neighbour cannot answer for the owner.
            let foreign = try await h.send(
                .GET, "/api/v1/communities/\(h.world.b)/care/watch", token: try await h.token("operatorB"))
            #expect(try foreign.content.decode(ListPage<CareWatchRead>.self).items.isEmpty)
            let neighbour = try await h.send(
                .POST, "/api/v1/me/care/check-in", token: try await h.token("neighbour"), raw: #"{"personID":"\#(owner)"}"#)
            #expect(neighbour.status == .notFound)
            // Not watched: nothing to check in to.
            #expect(try await h.send(.POST, "/api/v1/me/care/check-in", token: try await h.token("neighbour")).status == .notFound)
            try await h.pass(60 * 11)
            let check = try #require(try await h.checks().first)
            let badVisit = try await h.send(
                .POST, h.care + "/checks/\(check.id)/visit", token: try await h.token("worker"), raw: #"{"outcome":"gone"}"#)
            #expect(badVisit.status == .unprocessableEntity)
            let foreignVisit = try await h.send(
                .POST, "/api/v1/communities/\(h.world.b)/care/checks/\(check.id)/visit",
                token: try await h.token("operatorB"), raw: #"{"outcome":"fine"}"#)
            #expect(foreignVisit.status == .notFound)
            // Consent withdrawn: the watch ends.
            #expect(try await h.watch(owner, #"{"consent":false}"#).status == .ok)
            #expect(try await h.send(.GET, h.care + "/watch", token: try await h.token("worker")).content
                .decode(ListPage<CareWatchRead>.self).items.isEmpty)
        }
    }

    @Test func theWorkerPageAndTheResidentsButton() async throws {
        try await withLinli { h in
            _ = try await h.watch(h.world.owner, #"{"windowMinutes":10,"consent":true}"#)
            try await h.pass(60 * 11)
            let worker = WebTests.Browser(h)
            try await worker.signIn(h.world.phones["worker"]!)
            let page = try await worker.go(.GET, CareRoute.worker(h.world.a).path)
            #expect(page.status == .ok && page.text.contains("王建华") && page.text.contains("已提醒本人"))
            let resident = WebTests.Browser(h)
            try await resident.signIn(h.world.phones["owner"]!)
            let mine = try await resident.go(.GET, "/care")
            #expect(mine.text.contains("我很好") && mine.text.contains("社区在关心您"))
            let answered = try await resident.go(.POST, CareRoute.checkIn.path, form: ["_csrf": resident.csrf(mine)])
            #expect(answered.status == .seeOther)
            #expect(try await h.checks().isEmpty)
        }
    }
}
