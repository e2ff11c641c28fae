import Foundation
import LinliCore
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

@Suite struct RecyclingTests {
    /// A recycling bin of community A, paper at 0.80 元/kg and glass unpaid, and the owner's PIN 2468.
    func bin(_ h: Harness) async throws -> (id: UUID, token: String) {
        let op = try await h.token("operator")
        let (id, token) = try await h.device("recycling_bin", "中心广场回收箱", token: op)
        let prices = try await h.send(
            .POST, h.community + "/recycling/prices", token: op,
            raw: #"{"prices":[{"box":"paper","pricePerKgFen":80},{"box":"metal","pricePerKgFen":150},{"box":"glass","pricePerKgFen":0}]}"#)
        #expect(prices.status == .created, "\(prices.text)")
        let pin = try await h.send(.PUT, "/api/v1/me/recycling-pin", token: try await h.token("owner"), raw: #"{"pin":"2468"}"#)
        #expect(pin.status == .noContent, "\(pin.text)")
        return (id, token)
    }

    func signIn(_ h: Harness, _ token: String, phone: String = "13900000001", pin: String = "2468") async throws
        -> TestingHTTPResponse
    {
        try await h.send(
            .POST, "/api/v1/devices/recycling/sessions", raw: #"{"phone":"\#(phone)","pin":"\#(pin)"}"#,
            headers: ["Authorization": "Bearer \(token)"])
    }

    func weigh(_ h: Harness, _ token: String, _ session: UUID, event: String, box: String = "paper", net: Int = 1234)
        async throws -> TestingHTTPResponse
    {
        try await h.send(
            .POST, "/api/v1/devices/recycling/weighings",
            raw: #"{"sessionID":"\#(session)","eventId":"\#(event)","box":"\#(box)","grossGrams":\#(net + 300),"tareGrams":300,"netGrams":\#(net),"scaleID":"scale-1"}"#,
            headers: ["Authorization": "Bearer \(token)"])
    }

    func wallet(_ h: Harness, _ who: String = "owner", household: UUID? = nil) async throws -> TestingHTTPResponse {
        try await h.send(
            .GET, "/api/v1/me/households/\(household ?? h.world.home)/wallet", token: try await h.token(who))
    }

    @Test func aResidentSignsInWithPhoneAndPinAndTheWeighingIsCreditedOnce() async throws {
        try await withLinli { h in
            // setup
            let (_, token) = try await bin(h)
            // act
            let session = try await signIn(h, token)
            #expect(session.status == .created, "\(session.text)")
            let read = try session.content.decode(RecyclingSessionRead.self)
            let first = try await weigh(h, token, read.sessionID, event: "e-1")
            let again = try await weigh(h, token, read.sessionID, event: "e-1", net: 9_999)
            let glass = try await weigh(h, token, read.sessionID, event: "e-2", box: "glass", net: 5_000)
            // check: 1.234 kg × 80 fen = 98.72 → 99 fen; the repeat answers the same and credits nothing.
            #expect(read.maskedName == "王*华")
            #expect(read.prices.map(\.box) == ["metal", "paper", "glass"])
            #expect(try first.content.decode(WeighingRead.self) == .init(creditedFen: 99, balanceFen: 99))
            #expect(try again.content.decode(WeighingRead.self) == .init(creditedFen: 99, balanceFen: 99))
            #expect(try glass.content.decode(WeighingRead.self) == .init(creditedFen: 0, balanceFen: 99))
            let wallet = try await wallet(h).content.decode(WalletRead.self)
            #expect(wallet.balanceFen == 99)
            #expect(wallet.recycling == [.init(box: "paper", netGrams: 1234, creditedFen: 99), .init(box: "glass", netGrams: 5000, creditedFen: 0)])
            // Both people of the home see it; the family member reads the same wallet.
            #expect(try await self.wallet(h, "family").content.decode(WalletRead.self).balanceFen == 99)
            let entries = try await h.send(.GET, "/api/v1/me/households/\(h.world.home)/wallet/entries", token: try await h.token("owner"))
                .content.decode(ListPage<WalletEntryRead>.self)
            #expect(entries.items.map(\.kind) == ["weighing"] && entries.items[0].fen == 99)
            let (ledgerEntries, weighings) = try await (h.count(LedgerEntry.self), h.count(RecyclingWeighing.self))
            #expect(ledgerEntries == 1 && weighings == 2)
        }
    }

    @Test func parallelRepeatsOfOneWeighingCreditExactlyOnce() async throws {
        try await withLinli { h in
            let (_, token) = try await bin(h)
            let session = try await signIn(h, token).content.decode(RecyclingSessionRead.self).sessionID
            let answers = try await withThrowingTaskGroup(of: (HTTPStatus, WeighingRead?).self) { group in
                for _ in 0..<100 {
                    group.addTask {
                        let r = try await weigh(h, token, session, event: "same-event", net: 2_000)
                        return (r.status, try? r.content.decode(WeighingRead.self))
                    }
                }
                var all: [(HTTPStatus, WeighingRead?)] = []
                for try await answer in group { all.append(answer) }
                return all
            }
            let wrong = answers.filter { !($0.0 == .ok && $0.1 == .init(creditedFen: 160, balanceFen: 160)) }
            #expect(wrong.isEmpty, "\(wrong.map { "\($0.0.code) \(String(describing: $0.1))" })")
            #expect(try await wallet(h).content.decode(WalletRead.self).balanceFen == 160)
            let counts = try await (h.count(RecyclingWeighing.self), h.count(LedgerEntry.self), h.count(LedgerPosting.self))
            #expect(counts == (1, 1, 2))
            let payouts = try await Books.balance(Books.recyclingPayouts(h.world.a), on: h.app.db)
            #expect(payouts == -160)
        }
    }

    @Test func aWrongPinThreeTimesLocksThePhoneAndSaysNothingAboutWhichWasWrong() async throws {
        try await withLinli { h in
            let (_, token) = try await bin(h)
            let unknown = try await signIn(h, token, phone: "13911112222")
            #expect(unknown.status == .unauthorized && unknown.text.contains("invalid_credentials"))
            for _ in 0..<3 {
                let wrong = try await signIn(h, token, pin: "1111")
                #expect(wrong.status == .unauthorized || wrong.status == .tooManyRequests, "\(wrong.text)")
            }
            // The right PIN now is refused too, for a while.
            let locked = try await signIn(h, token)
            #expect(locked.status == .tooManyRequests, "\(locked.text)")
            h.clock.advance(by: 16 * 60)
            #expect(try await signIn(h, token).status == .created)
            #expect(try await h.count(RecyclingSession.self) == 1)
        }
    }

    @Test func fiveWrongPinsLockThePinUntilANewOneIsSetAndOldHashesAreUpgraded() async throws {
        try await withLinli { h in
            let (_, token) = try await bin(h)
            // Slow guessing, under the phone's 15-minute throttle: the fifth wrong PIN locks it for good.
            for _ in 0..<Recycling.pinLockAfter {
                let wrong = try await signIn(h, token, pin: "1111")
                #expect(wrong.status == .unauthorized, "\(wrong.text)")
                h.clock.advance(by: 16 * 60)
            }
            let locked = try await signIn(h, token)
            #expect(locked.status == .locked && locked.text.contains("pin_locked"), "\(locked.text)")
            h.clock.advance(by: 7 * 86_400)
            #expect(try await signIn(h, token).status == .locked)
            #expect(try await h.count(RecyclingSession.self) == 0)
            // The resident sets a new PIN on their phone: unlocked, and a good sign-in clears the count.
            let reset = try await h.send(
                .PUT, "/api/v1/me/recycling-pin", token: try await h.token("owner"), raw: #"{"pin":"8642"}"#)
            #expect(reset.status == .noContent)
            #expect(try await signIn(h, token, pin: "8642").status == .created)
            // A PIN stored before bcrypt still works once and is rehashed.
            let row = try #require(try await RecyclingPin.query(on: h.app.db).first())
            row.pinHash = Recycling.legacyPinHash("8642", person: row.personID)
            row.failedAttempts = 2
            try await row.save(on: h.app.db)
            #expect(try await signIn(h, token, pin: "8642").status == .created)
            let upgraded = try #require(try await RecyclingPin.query(on: h.app.db).first())
            #expect(upgraded.pinHash.hasPrefix("$2") && upgraded.failedAttempts == 0)
        }
    }

    @Test func badWeighingsAndPricesAreRefusedAndNothingIsStored() async throws {
        try await withLinli { h in
            let (_, token) = try await bin(h)
            let session = try await signIn(h, token).content.decode(RecyclingSessionRead.self).sessionID
            let cases: [(String, String)] = [
                (#"{"sessionID":"\#(session)","eventId":"x1","box":"paper","grossGrams":100,"tareGrams":300,"netGrams":-200,"scaleID":"s"}"#, "netGrams"),
                (#"{"sessionID":"\#(session)","eventId":"x2","box":"gold","grossGrams":500,"tareGrams":0,"netGrams":500,"scaleID":"s"}"#, "unknown_box"),
                (#"{"sessionID":"\#(session)","eventId":"x3","box":"paper","grossGrams":500,"tareGrams":0,"netGrams":400,"scaleID":"s"}"#, "not_gross_minus_tare"),
                (#"{"sessionID":"\#(UUID())","eventId":"x4","box":"paper","grossGrams":500,"tareGrams":0,"netGrams":500,"scaleID":"s"}"#, "unknown_session"),
                (#"{"sessionID":"\#(session)","eventId":"x5","box":"textile","grossGrams":500,"tareGrams":0,"netGrams":500,"scaleID":"s"}"#, "box_not_priced"),
                (#"{"sessionID":"\#(session)","eventId":"x6","box":"paper","grossGrams":0,"tareGrams":0,"netGrams":0,"scaleID":"s"}"#, "not_positive"),
            ]
            for (body, reason) in cases {
                let r = try await h.send(
                    .POST, "/api/v1/devices/recycling/weighings", raw: body, headers: ["Authorization": "Bearer \(token)"])
                #expect(r.status == .unprocessableEntity && r.text.contains(reason), "\(reason): \(r.status) \(r.text)")
            }
            // A session ends: a weighing well after it is refused.
            h.clock.advance(by: 10 * 60)
            let late = try await weigh(h, token, session, event: "late")
            #expect(late.status == .unprocessableEntity && late.text.contains("session_expired"))
            let stored = try await (h.count(RecyclingWeighing.self), h.count(LedgerEntry.self))
            #expect(stored == (0, 0))
            // Prices: never in the past, known boxes only, once each.
            let op = try await h.token("operator")
            let past = try await h.send(
                .POST, h.community + "/recycling/prices", token: op,
                raw: #"{"effectiveFrom":"2020-01-01T00:00:00Z","prices":[{"box":"paper","pricePerKgFen":90}]}"#)
            #expect(past.status == .unprocessableEntity && past.text.contains("in_the_past"))
            let twice = try await h.send(
                .POST, h.community + "/recycling/prices", token: op,
                raw: #"{"prices":[{"box":"paper","pricePerKgFen":90},{"box":"paper","pricePerKgFen":95},{"box":"gold","pricePerKgFen":1}]}"#)
            #expect(twice.status == .unprocessableEntity && twice.text.contains("duplicate") && twice.text.contains("unknown_box"))
            #expect(try await h.count(RecyclingPrice.self) == 3)
            let shortPin = try await h.send(.PUT, "/api/v1/me/recycling-pin", token: try await h.token("owner"), raw: #"{"pin":"12"}"#)
            #expect(shortPin.status == .unprocessableEntity)
        }
    }

    @Test func aLaterPriceStartsOnItsDayAndAWeighingKeepsItsPrice() async throws {
        try await withLinli { h in
            let (_, token) = try await bin(h)
            let op = try await h.token("operator")
            let tomorrow = h.clock.now().addingTimeInterval(86_400)
            let later = try await h.send(
                .POST, h.community + "/recycling/prices", token: op,
                raw: #"{"effectiveFrom":"\#(ISO8601DateFormatter().string(from: tomorrow))","prices":[{"box":"paper","pricePerKgFen":100}]}"#)
            #expect(later.status == .created, "\(later.text)")
            let list = try later.content.decode(PriceListRead.self)
            #expect(list.upcoming.map(\.pricePerKgFen) == [100] && list.current.first { $0.box == "paper" }?.pricePerKgFen == 80)
            var session = try await signIn(h, token).content.decode(RecyclingSessionRead.self).sessionID
            #expect(try await weigh(h, token, session, event: "today", net: 1_000).content.decode(WeighingRead.self).creditedFen == 80)
            h.clock.advance(by: 86_400 + 60)
            session = try await signIn(h, token).content.decode(RecyclingSessionRead.self).sessionID
            #expect(try await weigh(h, token, session, event: "tomorrow", net: 1_000).content.decode(WeighingRead.self).creditedFen == 100)
            let rows = try await RecyclingWeighing.query(on: h.app.db).sort(\.$createdAt).all()
            #expect(rows.map(\.pricePerKgFen) == [80, 100])
        }
    }

    @Test func walletsAndBinsFollowTheirAuthority() async throws {
        try await withLinli { h in
            let (_, token) = try await bin(h)
            // Another household's wallet, even for the operator: 404.
            #expect(try await wallet(h, "owner", household: h.world.otherHome).status == .notFound)
            #expect(try await wallet(h, "operator").status == .notFound)
            #expect(try await wallet(h, "neighbour").status == .notFound)
            #expect(try await wallet(h, "neighbour", household: h.world.otherHome).status == .ok)
            // Another device of the community is not a bin; a bad token is 401.
            let op = try await h.token("operator")
            let (_, sensorToken) = try await h.device("smoke", "烟感", token: op)
            #expect(try await signIn(h, sensorToken).status == .forbidden)
            #expect(try await signIn(h, "nope").status == .unauthorized)
            // A resident of community B cannot sign in at A's bin, even with a right PIN.
            let bPin = try await h.send(.PUT, "/api/v1/me/recycling-pin", token: try await h.token("bResident"), raw: #"{"pin":"1357"}"#)
            #expect(bPin.status == .noContent)
            #expect(try await signIn(h, token, phone: "13900000009", pin: "1357").status == .unauthorized)
            // A session from one bin is no good at another.
            let (_, otherBin) = try await h.device("recycling_bin", "2号回收箱", token: op)
            let session = try await signIn(h, token).content.decode(RecyclingSessionRead.self).sessionID
            let elsewhere = try await weigh(h, otherBin, session, event: "e")
            #expect(elsewhere.status == .unprocessableEntity && elsewhere.text.contains("unknown_session"))
            // The PIN is never readable: it is stored as a hash only.
            let stored = try await RecyclingPin.query(on: h.app.db).all()
            #expect(stored.count == 2 && stored.allSatisfy { $0.pinHash.hasPrefix("$2") && !$0.pinHash.contains("2468") })
        }
    }

    @Test func theDailyReconciliationFindsNoDifferenceAndRunsOncePerDay() async throws {
        try await withLinli { h in
            let (bin, token) = try await bin(h)
            let session = try await signIn(h, token).content.decode(RecyclingSessionRead.self).sessionID
            for (i, net) in [1_234, 777, 5_001, 333].enumerated() {
                let r = try await weigh(h, token, session, event: "r\(i)", box: i == 2 ? "metal" : "paper", net: net)
                #expect(r.status == .ok)
            }
            h.clock.advance(by: 86_400)
            try await Reconciliation.run(now: h.clock.now(), on: h.app.db)
            try await Reconciliation.run(now: h.clock.now(), on: h.app.db)
            let rows = try await h.send(.GET, h.community + "/recycling/reconciliations", token: try await h.token("operator"))
                .content.decode(ListPage<ReconciliationRead>.self).items
            // 99 + 62 + 750 + 27 fen.
            #expect(rows.count == 1 && rows[0].deviceID == bin && rows[0].weighings == 4)
            #expect(rows[0].expectedFen == 938 && rows[0].creditedFen == 938 && rows[0].ledgerFen == 938 && rows[0].differenceFen == 0)
            let guardian = try await h.send(.GET, h.community + "/recycling/reconciliations", token: try await h.token("property"))
            #expect(guardian.status == .forbidden)
        }
    }

    @Test func aResidentWithoutASmartphoneSignsInWithTheAccessCard() async throws {
        try await withLinli { h in
            let (_, token) = try await bin(h)
            let issued = try await h.send(
                .POST, h.community + "/credentials", token: try await h.token("operator"),
                raw: #"{"personID":"\#(h.world.owner)","kind":"card","value":"CARD-7788"}"#)
            #expect(issued.status == .created, "\(issued.text)")
            func card(_ value: String) async throws -> TestingHTTPResponse {
                try await h.send(
                    .POST, "/api/v1/devices/recycling/sessions", raw: #"{"card":"\#(value)"}"#,
                    headers: ["Authorization": "Bearer \(token)"])
            }
            let session = try await card("CARD-7788")
            #expect(session.status == .created, "\(session.text)")
            let read = try session.content.decode(RecyclingSessionRead.self)
            #expect(read.maskedName == "王*华" && !read.prices.isEmpty)
            let weighed = try await weigh(h, token, read.sessionID, event: "card-1")
            #expect(try weighed.content.decode(WeighingRead.self).creditedFen == 99)
            // An unknown card is refused like a wrong PIN; a card too long is bad input.
            let unknown = try await card("CARD-0000")
            #expect(unknown.status == .unauthorized && unknown.text.contains("invalid_credentials"))
            #expect(try await card(String(repeating: "9", count: 200)).status == .unprocessableEntity)
            // Neither opened a session.
            #expect(try await RecyclingSession.query(on: h.app.db).count() == 1)
        }
    }
}
