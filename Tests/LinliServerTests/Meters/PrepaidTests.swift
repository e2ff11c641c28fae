import Fluent
import Foundation
import LinliCore
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

@Suite struct PrepaidTests {
    let usage = UsageTests()

    /// Water at 3.45 元 a m³ from today; the home's water meter at 100 m³; prepaid on, low mark 5 元,
    /// 24 h of grace.
    func setup(_ h: Harness) async throws -> (meter: String, meterID: UUID, owner: String) {
        let op = try await h.token("operator")
        let tariff = try await h.send(
            .POST, h.community + "/tariffs", token: op,
            raw: #"{"item":"water","effectiveFrom":"2026-09-21","tierLimits":[5000],"prices":[34500,48300]}"#)
        #expect(tariff.status == .created)
        let meter = try await usage.meter(h, from: h.clock.now().addingTimeInterval(-7200), perHour: 0, start: 100)
        let meterID = try #require(
            try await Device.query(on: h.app.db).filter(\.$householdID == h.world.home).filter(\.$type == "water_meter").first()?.id)
        let on = try await h.send(
            .PUT, h.community + "/households/\(h.world.home)/prepaid", token: op,
            raw: #"{"enabled":true,"lowBalanceFen":500,"graceHours":24}"#)
        #expect(on.status == .ok, "\(on.text)")
        // Staff who do not keep the money, and residents, cannot turn it on.
        let staff = try await h.send(
            .PUT, h.community + "/households/\(h.world.home)/prepaid", token: try await h.token("property"), raw: #"{"enabled":false}"#)
        #expect(staff.status == .forbidden)
        return (meter, meterID, try await h.token("owner"))
    }

    func read(_ h: Harness, _ meter: String, total: Double) async throws {
        let ms = Int64(h.clock.now().timeIntervalSince1970 * 1000)
        let r = try await h.send(.POST, "/api/v1/\(meter)/telemetry", raw: #"{"ts":\#(ms),"values":{"water_total":\#(total)}}"#)
        #expect(r.status == .ok, "\(r.text)")
    }

    func state(_ h: Harness, _ owner: String) async throws -> PrepaidRead {
        try await h.send(.GET, "/api/v1/me/households/\(h.world.home)/prepaid", token: owner).content.decode(PrepaidRead.self)
    }

    func topUp(_ h: Harness, _ owner: String, _ fen: Int, key: String) async throws -> TestingHTTPResponse {
        try await h.send(
            .POST, "/api/v1/me/households/\(h.world.home)/prepaid/top-ups", token: owner,
            raw: #"{"amountFen":\#(fen),"requestKey":"\#(key)"}"#)
    }

    func commands(_ h: Harness, _ meter: UUID) async throws -> [String] {
        try await DeviceCommand.query(on: h.app.db).filter(\.$deviceID == meter).sort(\.$id).all(\.$method)
    }

    func notes(_ h: Harness) async throws -> [String] {
        try await Notification.query(on: h.app.db).filter(\.$title ~~ ["prepaid.note.low", "prepaid.note.grace", "prepaid.note.cut", "prepaid.note.restored", "prepaid.note.protected"])
            .sort(\.$createdAt).all(\.$title)
    }

    @Test func aPrepaidHomeRunsOutIsCutOnlyAfterTheGraceAndIsBackWithATopUp() async throws {
        try await withLinli { h in
            let (meter, meterID, owner) = try await setup(h)
            // Three parallel top-ups of 10 元 with one key: one charge.
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for _ in 0..<3 { group.addTask { try await topUp(h, owner, 1_000, key: "t1").status } }
                var all: [HTTPStatus] = []
                for try await status in group { all.append(status) }
                return all
            }
            #expect(statuses == [.created, .created, .created])
            #expect(try await state(h, owner).balanceFen == 1_000)
            #expect(try await MoneyMovement.query(on: h.app.db).filter(\.$purpose == Prepaid.purpose).count() == 1)
            // 2 m³ used: 6.90 元; 3.10 元 left, under the 5 元 mark: told once.
            h.clock.advance(by: 3600)
            try await read(h, meter, total: 102)
            try await Prepaid.run(now: h.clock.now(), app: h.app)
            try await Prepaid.run(now: h.clock.now(), app: h.app)
            var now = try await state(h, owner)
            #expect(now.balanceFen == 310 && now.state == "low" && now.debtFen == 0)
            #expect(try await notes(h) == ["prepaid.note.low"])
            // 1 m³ more: 3.45 元, of which 3.10 paid and 0.35 owed; the grace starts.
            h.clock.advance(by: 3600)
            try await read(h, meter, total: 103)
            try await Prepaid.run(now: h.clock.now(), app: h.app)
            now = try await state(h, owner)
            #expect(now.balanceFen == 0 && now.debtFen == 35 && now.state == "grace")
            // Not cut within the grace period; cut once it has passed — once.
            h.clock.advance(by: 23 * 3600)
            try await Prepaid.run(now: h.clock.now(), app: h.app)
            #expect(try await commands(h, meterID).isEmpty)
            h.clock.advance(by: 2 * 3600)
            try await Prepaid.run(now: h.clock.now(), app: h.app)
            try await Prepaid.run(now: h.clock.now(), app: h.app)
            #expect(try await commands(h, meterID) == ["close_valve"])
            #expect(try await state(h, owner).state == "cut")
            // A top-up of 5 元 pays the 0.35 owed and opens the valve again.
            let back = try await topUp(h, owner, 500, key: "t2")
            #expect(back.status == .created)
            now = try back.content.decode(PrepaidRead.self)
            #expect(now.balanceFen == 465 && now.debtFen == 0 && now.state == "low")
            #expect(try await commands(h, meterID) == ["close_valve", "open_valve"])
            #expect(try await notes(h) == ["prepaid.note.low", "prepaid.note.grace", "prepaid.note.cut", "prepaid.note.restored"])
            // Every fen is on the ledger: 15 元 in, 10.35 元 to the community, 4.65 元 left.
            #expect(try await Books.balance(Books.revenue(h.world.a), on: h.app.db) == 1_035)
            // Bad input, another home, a home not on prepaid.
            #expect(try await topUp(h, owner, 50, key: "small").status == .unprocessableEntity)
            let other = try await h.send(
                .POST, "/api/v1/me/households/\(h.world.otherHome)/prepaid/top-ups", token: try await h.token("neighbour"),
                raw: #"{"amountFen":1000,"requestKey":"n"}"#)
            #expect(other.status == .notFound)
            #expect(
                try await h.send(.POST, "/api/v1/me/households/\(h.world.otherHome)/prepaid/top-ups", token: owner,
                    raw: #"{"amountFen":1000,"requestKey":"n"}"#).status == .notFound)
        }
    }

    @Test func aHomeWithSomeoneOnTheCareWatchIsNeverCutOff() async throws {
        try await withLinli { h in
            let (meter, meterID, owner) = try await setup(h)
            let watch = try await h.watch(h.world.owner, #"{"windowMinutes":720,"consent":true,"consentBy":"self"}"#)
            #expect(watch.status == .ok || watch.status == .created, "\(watch.text)")
            h.clock.advance(by: 3600)
            try await read(h, meter, total: 101)
            try await Prepaid.run(now: h.clock.now(), app: h.app)
            #expect(try await state(h, owner).state == "protected")
            h.clock.advance(by: 48 * 3600)
            try await Prepaid.run(now: h.clock.now(), app: h.app)
            try await Prepaid.run(now: h.clock.now(), app: h.app)
            #expect(try await commands(h, meterID).isEmpty)
            #expect(try await state(h, owner).state == "protected")
            // The property staff are told once, to go and see.
            let told = try await Notification.query(on: h.app.db).filter(\.$title == "prepaid.note.protected").all()
            #expect(told.count == 1 && told.first?.role == .propertyStaff && told.first?.householdID == nil)
        }
    }

    @Test func theBillsPageShowsThePrepaidBalanceAndTopsUpOnce() async throws {
        try await withLinli { h in
            _ = try await setup(h)
            let browser = WebTests.Browser(h)
            try await browser.signIn(h.world.phones["owner"]!)
            let page = try await browser.go(.GET, "/bills")
            #expect(page.text.contains("预付费水电") && page.text.contains("¥0.00"))
            let key = try #require(
                page.text.components(separatedBy: #"name="requestKey" value=""#).dropFirst().first?.prefix(24))
            let form = ["_csrf": browser.csrf(page), "requestKey": String(key), "amount": "20.5"]
            let path = "/bills/households/\(h.world.home)/prepaid"
            #expect(try await browser.go(.POST, path, form: form).status == .seeOther)
            #expect(try await browser.go(.POST, path, form: form).status == .seeOther)
            let after = try await browser.go(.GET, "/bills")
            #expect(after.text.contains("已充值 ¥20.50，余额 ¥20.50"))
            #expect(try await Books.balance(Prepaid.books(h.world.home), on: h.app.db) == 2_050)
            // Someone else's home: 404.
            let other = try await browser.go(.POST, "/bills/households/\(h.world.otherHome)/prepaid", form: form)
            #expect(other.status == .notFound)
        }
    }
}
