import Fluent
import Foundation
import LinliCore
import NIOConcurrencyHelpers
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

extension Harness {
    var security: String { "/api/v1/me/households/\(world.home)/security" }

    /// A sensor of the world's home (or another household), with its token.
    func sensor(_ type: String, _ name: String, home: UUID? = nil) async throws -> (UUID, String) {
        try await device(
            type, name, token: try await token("operator"), extra: #","householdID":"\#(home ?? world.home)""#)
    }

    func reading(_ token: String, _ json: String) async throws {
        let sent = try await send(.POST, "/api/v1/\(token)/telemetry", raw: json)
        #expect(sent.status == .ok, "\(sent.text)")
    }

    func panel(_ who: String = "owner") async throws -> SecurityRead {
        let read = try await send(.GET, security, token: try await token(who))
        #expect(read.status == .ok, "\(read.text)")
        return try read.content.decode(SecurityRead.self)
    }

    /// Moves the clock and runs what is due (the panels' timers, the escalations, the care watch: every
    /// job runs at least once when `seconds` is 5 or more).
    func pass(_ seconds: TimeInterval) async throws {
        try await app.jobs.schedule(now: clock.now(), on: app.db)
        clock.advance(by: seconds)
        while try await app.jobs.runDue(app) > 0 {}
    }

    func calls(_ who: String = "guard", _ status: String = "open") async throws -> [GuardCallRead] {
        let read = try await send(.GET, community + "/security/calls?status=\(status)", token: try await token(who))
        #expect(read.status == .ok, "\(read.text)")
        return try read.content.decode(ListPage<GuardCallRead>.self).items
    }

    func history(_ who: String = "owner") async throws -> [String] {
        try await send(.GET, security + "/history?per=100", token: try await token(who))
            .content.decode(ListPage<SecurityEventRead>.self).items.map(\.kind)
    }
}

@Suite struct HomeSecurityTests {
    @Test func armAwayEntryDelayAbortWindowAndTheGuardsSteps() async throws {
        try await withLinli { h in
            let owner = try await h.token("owner")
            let (door, doorToken) = try await h.sensor("door_contact", "入户门")
            let settings = try await h.send(
                .PUT, h.security + "/settings", token: owner,
                raw: #"{"exitDelay":10,"entryDelay":10,"abortWindow":5,"code":"1234","duressCode":"9999"}"#)
            #expect(settings.status == .ok, "\(settings.text)")
            #expect(!settings.text.contains("1234") && !settings.text.contains("9999"), "a code was readable")
            let armed = try await h.send(.POST, h.security + "/arm", token: owner, raw: #"{"mode":"armed_away"}"#)
            #expect(armed.status == .ok, "\(armed.text)")
            #expect(try armed.content.decode(SecurityRead.self).state == .arming)
            // Out by the front door during the exit delay: away holds.
            try await h.reading(doorToken, #"{"open":true}"#)
            try await h.reading(doorToken, #"{"open":false}"#)
            try await h.pass(10)
            #expect(try await h.panel().state == .armedAway)
            // Home again: the entry delay runs; nobody disarms; triggered, then after the abort window the guards.
            try await h.reading(doorToken, #"{"open":true}"#)
            #expect(try await h.panel().state == .pending)
            try await h.pass(10)
            #expect(try await h.panel().state == .triggered)
            #expect(try await h.calls().isEmpty, "reported inside the abort window")
            try await h.pass(5)
            let calls = try await h.calls()
            #expect(calls.count == 1)
            let call = try #require(calls.first)
            #expect(call.kind == .intrusion && call.sensorID == door && call.room == "101")
            #expect(call.members.map(\.name).contains("王建华"))
            // Five guards press "acknowledge" at once: one is recorded.
            let guardToken = try await h.token("guard")
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for _ in 0..<5 {
                    group.addTask {
                        try await h.send(
                            .POST, h.community + "/security/calls/\(call.id)/acknowledge", token: guardToken
                        ).status
                    }
                }
                return try await group.reduce(into: [HTTPStatus]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .ok }.count == 1, "\(statuses)")
            #expect(statuses.filter { $0 == .conflict }.count == 4)
            let dispatched = try await h.send(
                .POST, h.community + "/security/calls/\(call.id)/dispatch", token: guardToken, raw: "{}")
            #expect(dispatched.status == .ok, "\(dispatched.text)")
            #expect(try dispatched.content.decode(GuardCallRead.self).guardID != nil)
            #expect(
                try await h.send(.POST, h.community + "/security/calls/\(call.id)/on-site", token: guardToken).status
                    == .ok)
            let noOutcome = try await h.send(
                .POST, h.community + "/security/calls/\(call.id)/resolve", token: guardToken, raw: "{}")
            #expect(noOutcome.status == .unprocessableEntity)
            // The resident disarms: a wrong code is refused and counted, the right one works.
            let wrong = try await h.send(.POST, h.security + "/disarm", token: owner, raw: #"{"code":"1111"}"#)
            #expect(wrong.status == .forbidden)
            #expect(wrong.problem?.errors?.first?.reason == "wrong_code")
            let disarmed = try await h.send(.POST, h.security + "/disarm", token: owner, raw: #"{"code":"1234"}"#)
            #expect(disarmed.status == .ok, "\(disarmed.text)")
            #expect(try disarmed.content.decode(SecurityRead.self).state == .disarmed)
            #expect(try await h.calls().first?.disarmedAt != nil)
            let resolved = try await h.send(
                .POST, h.community + "/security/calls/\(call.id)/resolve", token: guardToken,
                raw: #"{"outcome":"false_alarm","note":"住户忘带钥匙"}"#)
            #expect(resolved.status == .ok, "\(resolved.text)")
            #expect(try await h.calls().isEmpty)
            #expect(try await h.calls("guard", "closed").first?.outcome == .falseAlarm)
            // Each step reached the household.
            let history = try await h.history()
            for kind in [
                "state.arming", "state.armed_away", "state.pending", "state.triggered", "reported", "call.acknowledged",
                "call.dispatched", "call.on_site", "disarmedAfterReport", "state.disarmed", "call.resolved",
            ] {
                #expect(history.contains(kind), "history lacks \(kind): \(history)")
            }
            let figures = try await h.send(.GET, h.community + "/security/figures", token: guardToken)
                .content.decode(GuardFiguresRead.self)
            #expect(figures.calls == 1 && figures.acknowledgedWithin60s == 1)
        }
    }

    @Test func readingAPanelNeverUsedMakesNoRow() async throws {
        try await withLinli { h in
            let read = try await h.panel()
            #expect(read.state == .disarmed && !read.codeSet)
            let browser = WebTests.Browser(h)
            try await browser.signIn(h.world.phones["owner"]!)
            #expect(try await browser.go(.GET, "/security").status == .ok)
            #expect(try await SecurityPanel.query(on: h.app.db).count() == 0)
            // The first change makes it.
            _ = try await h.send(.POST, h.security + "/arm", token: try await h.token("owner"), raw: #"{"mode":"armed_home"}"#)
            #expect(try await SecurityPanel.query(on: h.app.db).count() == 1)
        }
    }

    @Test func disarmedInTheAbortWindowNeverReachesTheGuards() async throws {
        try await withLinli { h in
            let owner = try await h.token("owner")
            let (sensorID, window) = try await h.sensor("door_contact", "阳台窗")
            _ = try await h.send(
                .PUT, h.security + "/settings", token: owner,
                raw: #"{"exitDelay":0,"abortWindow":30,"sensors":{"\#(sensorID)":"perimeter"}}"#)
            _ = try await h.send(.POST, h.security + "/arm", token: owner, raw: #"{"mode":"armed_home"}"#)
            try await h.reading(window, #"{"open":true}"#)
            #expect(try await h.panel().state == .triggered, "a perimeter sensor triggers at once")
            try await h.pass(10)
            _ = try await h.send(.POST, h.security + "/disarm", token: owner, raw: "{}")
            try await h.pass(60)
            #expect(try await h.calls().isEmpty)
            #expect(try await h.history().contains("cancelled"))
        }
    }

    @Test func openSensorsRefuseArmingUnlessForcedAndProblemsAreShown() async throws {
        try await withLinli { h in
            let owner = try await h.token("owner")
            let (door, doorToken) = try await h.sensor("door_contact", "入户门")
            _ = try await h.sensor("motion", "客厅人体")  // never heard from: offline
            try await h.reading(doorToken, #"{"open":true,"battery":12}"#)
            let refused = try await h.send(.POST, h.security + "/arm", token: owner, raw: #"{"mode":"armed_away"}"#)
            #expect(refused.status == .conflict, "\(refused.text)")
            #expect(refused.problem?.errors?.first?.reason == "sensor_open")
            #expect(try await h.panel().state == .disarmed)
            let forced = try await h.send(
                .POST, h.security + "/arm", token: owner, raw: #"{"mode":"armed_away","force":true}"#)
            #expect(forced.status == .ok)
            let read = try forced.content.decode(SecurityRead.self)
            #expect(read.bypassed == [door])
            #expect(read.sensors.first { $0.id == door }?.problems == ["low_battery"])
            #expect(read.sensors.first { $0.type == "motion" }?.problems == ["offline"])
            // Armed already: arming again is refused, not repeated.
            let again = try await h.send(.POST, h.security + "/arm", token: owner, raw: #"{"mode":"armed_home"}"#)
            #expect(again.status == .conflict)
            // Nobody went out through the (bypassed) door: away falls back to home after the exit delay.
            try await h.pass(61)
            #expect(try await h.panel().state == .armedHome)
            #expect(try await h.history().contains("fellBackToHome"))
        }
    }

    /// A sensor deleted while it holds the entry delay: the timer still runs out, and one home's failure
    /// would never hold back the other homes' timers.
    @Test func aDeletedSensorDoesNotStopTheTimers() async throws {
        try await withLinli { h in
            let owner = try await h.token("owner")
            let (door, doorToken) = try await h.sensor("door_contact", "入户门")
            _ = try await h.send(
                .PUT, h.security + "/settings", token: owner, raw: #"{"exitDelay":0,"entryDelay":5,"abortWindow":0}"#)
            _ = try await h.send(.POST, h.security + "/arm", token: owner, raw: #"{"mode":"armed_away"}"#)
            try await h.reading(doorToken, #"{"open":true}"#)
            let deleted = try await h.send(.DELETE, h.community + "/devices/\(door)", token: try await h.token("operator"))
            #expect(deleted.status == .noContent)
            try await h.pass(6)
            #expect(try await h.panel().state == .triggered)
            #expect(try await h.calls().map(\.kind) == [.intrusion])
        }
    }

    /// The home's keypad: the household's code arms and disarms through the device request; a wrong code is
    /// counted like the app's; a keypad of no home, or another device, may not.
    @Test func theKeypadArmsAndDisarmsWithTheCode() async throws {
        try await withLinli { h in
            let owner = try await h.token("owner")
            _ = try await h.send(.PUT, h.security + "/settings", token: owner, raw: #"{"exitDelay":0,"code":"2468"}"#)
            let (_, keypad) = try await h.sensor("alarm_keypad", "门口键盘")
            func ask(_ token: String, _ body: String) async throws -> TestingHTTPResponse {
                try await h.send(.POST, "/api/v1/\(token)/rpc", raw: body)
            }
            let noCode = try await ask(keypad, #"{"method":"armSecurity","params":{"mode":"armed_away"}}"#)
            #expect(noCode.status == .forbidden && noCode.problem?.errors?.first?.reason == "wrong_code")
            let armed = try await ask(keypad, #"{"method":"armSecurity","params":{"mode":"armed_away","code":"2468"}}"#)
            #expect(armed.status == .ok, "\(armed.text)")
            #expect(armed.text.contains("armed_away"))
            let wrong = try await ask(keypad, #"{"method":"disarmSecurity","params":{"code":"1111"}}"#)
            #expect(wrong.status == .forbidden)
            #expect(try await h.panel().state == .armedAway)
            let disarmed = try await ask(keypad, #"{"method":"disarmSecurity","params":{"code":"2468"}}"#)
            #expect(disarmed.status == .ok && disarmed.text.contains("disarmed"))
            // A door contact is no keypad; a keypad in no home arms nothing.
            let (_, door) = try await h.sensor("door_contact", "入户门")
            #expect(try await ask(door, #"{"method":"armSecurity","params":{"code":"2468"}}"#).status == .forbidden)
            let (_, loose) = try await h.device("alarm_keypad", "库房键盘", token: try await h.token("operator"))
            #expect(try await ask(loose, #"{"method":"armSecurity","params":{"code":"2468"}}"#).status == .forbidden)
            #expect(try await ask(keypad, #"{"method":"armSecurity","params":{"code":"12"}}"#).status == .unprocessableEntity)
            #expect(try await h.panel().state == .disarmed)
            #expect(try await h.history().filter { $0 == "state.armed_away" }.count == 1)
        }
    }

    /// The schedule arms at its time, never forces an open window (it says so), and disarms in the
    /// morning; bad entries are refused.
    @Test func theScheduleArmsAndDisarms() async throws {
        try await withLinli { h in
            let owner = try await h.token("owner")
            // The test clock starts at 22:13 China time: night at 22:30, off at 06:30.
            let set = try await h.send(
                .PUT, h.security + "/settings", token: owner,
                raw: #"{"exitDelay":0,"schedule":[{"action":"armed_night","at":"22:30"},{"action":"disarmed","at":"06:30"}]}"#)
            #expect(set.status == .ok, "\(set.text)")
            #expect(try set.content.decode(SecurityRead.self).settings.schedule.count == 2)
            try await h.pass(10 * 60)
            #expect(try await h.panel().state == .disarmed)
            try await h.pass(10 * 60)
            #expect(try await h.panel().state == .armedNight)
            try await h.pass(8 * 3600)
            #expect(try await h.panel().state == .disarmed)
            // An open window at the next evening's time: not armed, and the household is told.
            let (_, window) = try await h.sensor("door_contact", "阳台窗")
            try await h.reading(window, #"{"open":true}"#)
            try await h.pass(16 * 3600)
            #expect(try await h.panel().state == .disarmed)
            #expect(try await h.history().contains("scheduleRefused"))
            for bad in [
                #"{"schedule":[{"action":"armed_forever","at":"22:30"}]}"#, #"{"schedule":[{"action":"disarmed","at":"25:00"}]}"#,
                #"{"schedule":[{"action":"disarmed","at":"07:00","days":[8]}]}"#,
            ] {
                let refused = try await h.send(.PUT, h.security + "/settings", token: owner, raw: bad)
                #expect(refused.status == .unprocessableEntity, "\(bad): \(refused.status)")
            }
        }
    }

    @Test func duressDisarmsAndCallsTheGuardsSilently() async throws {
        try await withLinli { h in
            let owner = try await h.token("owner")
            _ = try await h.send(
                .PUT, h.security + "/settings", token: owner, raw: #"{"exitDelay":0,"code":"1234","duressCode":"9999"}"#)
            _ = try await h.send(.POST, h.security + "/arm", token: owner, raw: #"{"mode":"armed_night"}"#)
            let disarmed = try await h.send(.POST, h.security + "/disarm", token: owner, raw: #"{"code":"9999"}"#)
            #expect(disarmed.status == .ok)
            #expect(try disarmed.content.decode(SecurityRead.self).state == .disarmed)
            #expect(try await h.calls().map(\.kind) == [.duress])
            let history = try await h.history()
            #expect(history.contains("state.disarmed") && !history.contains("duress"), "\(history)")
            let notes = try await h.send(.GET, "/api/v1/me/notifications?per=100", token: owner).text
            #expect(!notes.contains("胁迫") && !notes.lowercased().contains("duress"), "the household saw the duress call")
        }
    }

    @Test func hazardsCallTheGuardsInEveryStateAndRepeatsJoinTheOpenCall() async throws {
        try await withLinli { h in
            // The neighbour (a Linli user elsewhere) is this home's emergency contact: told in the app.
            let contacts = try await h.send(
                .PUT, "/api/v1/me/households/\(h.world.home)/emergency-contacts", token: try await h.token("owner"),
                raw: #"{"contacts":[{"name":"周杰","phone":"139 0000 0003","relation":"朋友"},{"name":"王小明","phone":"13711112222"}]}"#)
            #expect(contacts.status == .ok, "\(contacts.text)")
            let (_, smoke) = try await h.sensor("smoke", "厨房烟感")
            let (_, button) = try await h.sensor("emergency_button", "床头紧急按钮")
            try await h.reading(smoke, #"{"smoke":true}"#)
            try await h.reading(smoke, #"{"smoke":true}"#)
            try await h.reading(button, #"{"pressed":true}"#)
            let calls = try await h.calls()
            #expect(Set(calls.map(\.kind)) == [.hazard, .panic])
            #expect(calls.first { $0.kind == .hazard }?.repeats == 1)
            #expect(calls.allSatisfy { $0.priority == 0 })
            #expect(calls.first?.emergencyContacts.map(\.name) == ["周杰", "王小明"])
            #expect(try await h.panel().state == .disarmed)
            let told = try await h.send(.GET, "/api/v1/me/notifications?per=100", token: try await h.token("neighbour"))
                .content.decode(ListPage<NotificationRead>.self).items.map(\.title)
            #expect(told.contains("您家人的家中有烟雾、燃气或漏水报警，保安已收到"), "\(told)")
            #expect(told.contains("您家人按下了紧急按钮，保安已收到"))
            let worker = try await h.send(.GET, "/api/v1/me/notifications?per=100", token: try await h.token("worker"))
                .content.decode(ListPage<NotificationRead>.self).items.map(\.title)
            #expect(worker == ["有住户按下了紧急按钮，请立即联系"], "\(worker)")
        }
    }

    @Test func unacknowledgedCallsEscalateAt60And120Seconds() async throws {
        try await withLinli { h in
            let (_, button) = try await h.sensor("emergency_button", "紧急按钮")
            try await h.reading(button, #"{"pressed":true}"#)
            try await h.pass(30)
            #expect(try await h.calls().first?.escalations == 0)
            try await h.pass(30)
            #expect(try await h.calls().first?.escalations == 1)
            try await h.pass(60)
            #expect(try await h.calls().first?.escalations == 2)
            try await h.pass(600)
            #expect(try await h.calls().first?.escalations == 2)
            let guardNotes = try await h.send(.GET, "/api/v1/me/notifications?per=100", token: try await h.token("guard"))
                .content.decode(ListPage<NotificationRead>.self).items
            #expect(guardNotes.count == 2, "\(guardNotes.map(\.title))")
        }
    }

    @Test func tenancyAndBadInput() async throws {
        try await withLinli { h in
            let owner = try await h.token("owner")
            // Another household, another community's operator, staff without a home: not found.
            for who in ["neighbour", "guard", "operatorB", "operator"] {
                let read = try await h.send(.GET, h.security, token: try await h.token(who))
                #expect(read.status == .notFound, "\(who) read the home's panel")
                let arm = try await h.send(
                    .POST, h.security + "/arm", token: try await h.token(who), raw: #"{"mode":"armed_away"}"#)
                #expect(arm.status == .notFound, "\(who) armed the home")
            }
            let bDesk = try await h.send(.GET, h.community + "/security/calls", token: try await h.token("operatorB"))
            #expect(bDesk.status == .notFound)
            let residentDesk = try await h.send(.GET, h.community + "/security/calls", token: owner)
            #expect(residentDesk.status == .notFound || residentDesk.status == .forbidden)
            let (_, button) = try await h.sensor("emergency_button", "紧急按钮")
            try await h.reading(button, #"{"pressed":true}"#)
            let call = try #require(try await h.calls().first)
            let foreign = try await h.send(
                .POST, "/api/v1/communities/\(h.world.b)/security/calls/\(call.id)/acknowledge",
                token: try await h.token("operatorB"))
            #expect(foreign.status == .notFound)
            // Bad input: 4xx problems, nothing changed.
            for (path, body) in [
                ("/arm", #"{"mode":"armed_forever"}"#), ("/arm", #"{"mode":"armed_away","code":"12ab"}"#),
                ("/disarm", #"{"code":"1"}"#), ("/settings", #"{"exitDelay":999}"#),
                ("/settings", #"{"sensors":{"\#(UUID())":"entry"}}"#), ("/settings", #"{"code":"12"}"#),
                ("/settings", #"{"code":"1234","duressCode":"1234"}"#), ("/arm", #"{"mode":"#),
            ] {
                let bad = try await h.send(path == "/settings" ? .PUT : .POST, h.security + path, token: owner, raw: body)
                #expect((400..<500).contains(bad.status.code), "\(path) \(body): \(bad.status)")
                #expect(bad.problem != nil, "\(path) \(body): no problem body")
            }
            #expect(try await h.panel().state == .disarmed)
            #expect(try await h.panel().codeSet == false)
        }
    }

    @Test func theResidentArmsAndDisarmsFromThePageAndTheGuardWorksTheConsole() async throws {
        try await withLinli { h in
            let resident = WebTests.Browser(h)
            try await resident.signIn(h.world.phones["owner"]!)
            let page = try await resident.go(.GET, "/security")
            #expect(page.status == .ok && page.text.contains("已撤防"), "\(page.text.prefix(300))")
            let armed = try await resident.go(
                .POST, SecurityRoute.arm(h.world.home).path, form: ["_csrf": resident.csrf(page), "mode": "armed_night"])
            #expect(armed.status == .seeOther)
            #expect(try await h.panel().state == .arming)
            #expect(try await resident.go(.GET, "/security").text.contains("布防中"))
            let (_, button) = try await h.sensor("emergency_button", "紧急按钮")
            try await h.reading(button, #"{"pressed":true}"#)
            let guardBrowser = WebTests.Browser(h)
            try await guardBrowser.signIn(h.world.phones["guard"]!)
            let desk = try await guardBrowser.go(.GET, SecurityRoute.desk(h.world.a).path)
            #expect(desk.status == .ok && desk.text.contains("紧急按钮") && desk.text.contains("1栋 101"))
            let call = try #require(try await h.calls().first)
            let ack = try await guardBrowser.go(
                .POST, SecurityRoute.callStep(h.world.a, call.id, .acknowledged).path,
                form: ["_csrf": guardBrowser.csrf(desk)])
            #expect(ack.status == .seeOther)
            #expect(try await h.calls().first?.step == .acknowledged)
            // Twice: the second press is told it was done already, nothing changes.
            let again = try await guardBrowser.go(
                .POST, SecurityRoute.callStep(h.world.a, call.id, .acknowledged).path,
                form: ["_csrf": guardBrowser.csrf(desk)])
            #expect(again.status == .conflict && again.text.contains("这一步已经有人做了"))
            #expect(try await resident.go(.GET, "/security").text.contains("已接警"))
            // The household's page of someone else's home: not there.
            let neighbour = WebTests.Browser(h)
            try await neighbour.signIn(h.world.phones["neighbour"]!)
            let foreign = try await neighbour.go(
                .POST, SecurityRoute.arm(h.world.home).path,
                form: ["_csrf": neighbour.csrf(try await neighbour.go(.GET, "/security")), "mode": "armed_away"])
            #expect(foreign.status == .notFound)
            #expect(try await h.panel().state == .arming)
        }
    }
}
