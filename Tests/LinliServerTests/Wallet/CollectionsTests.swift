import Fluent
import Foundation
import LinliCore
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

@Suite struct CollectionsTests {
    let recycling = RecyclingTests()

    func collect(_ h: Harness, _ bin: UUID, grams: Int, key: String, token: String? = nil) async throws -> TestingHTTPResponse {
        try await h.send(
            .POST, h.community + "/recycling/collections", token: try await token.asyncOr { try await h.token("property") },
            raw: #"{"deviceID":"\#(bin)","box":"paper","grams":\#(grams),"requestKey":"\#(key)"}"#)
    }

    @Test func aFullBoxAsksForACollectionAndTheReweighingIsCheckedAgainstTheCredits() async throws {
        try await withLinli { h in
            let (bin, token) = try await recycling.bin(h)
            let session = try await recycling.signIn(h, token).content.decode(RecyclingSessionRead.self)
            _ = try await recycling.weigh(h, token, session.sessionID, event: "e-1", net: 1_234)
            _ = try await recycling.weigh(h, token, session.sessionID, event: "e-2", net: 2_000)
            // The bin says it is 95 % full: one task, however often the job looks.
            let fill = try await h.send(.POST, "/api/v1/\(token)/telemetry", raw: #"{"fill_level":95}"#)
            #expect(fill.status == .ok, "\(fill.text)")
            #expect(try await Collections.run(now: h.clock.now(), app: h.app) == 1)
            #expect(try await Collections.run(now: h.clock.now(), app: h.app) == 0)
            // The collector weighs 3.3 kg of paper against 3.234 kg credited: 2 % apart, not flagged; the
            // task is done; the same request again records nothing more.
            h.clock.advance(by: 60)
            let first = try await collect(h, bin, grams: 3_300, key: "c1")
            #expect(first.status == .created, "\(first.text)")
            let read = try first.content.decode(CollectionRead.self)
            #expect(read.expectedGrams == 3_234 && !read.flagged)
            #expect(try await collect(h, bin, grams: 3_300, key: "c1").content.decode(CollectionRead.self) == read)
            let task = try #require(try await StaffTask.query(on: h.app.db).filter(\.$title == Collections.taskTitle).first())
            #expect(task.status == .done)
            // The next kilogram comes back as 1.2 kg: 20 % off, flagged.
            h.clock.advance(by: 30)
            _ = try await recycling.weigh(h, token, session.sessionID, event: "e-3", net: 1_000)
            h.clock.advance(by: 30)
            let second = try await collect(h, bin, grams: 1_200, key: "c2").content.decode(CollectionRead.self)
            #expect(second.expectedGrams == 1_000 && second.flagged)
            let list = try await h.send(.GET, h.community + "/recycling/collections", token: try await h.token("operator"))
            #expect(try list.content.decode(ListPage<CollectionRead>.self).items.map(\.flagged) == [true, false])
            // Bad input; a bin of another community; guards and residents.
            #expect(try await collect(h, bin, grams: -1, key: "bad").status == .unprocessableEntity)
            let elsewhere = try await h.send(
                .POST, "/api/v1/communities/\(h.world.b)/recycling/collections", token: try await h.token("operatorB"),
                raw: #"{"deviceID":"\#(bin)","box":"paper","grams":1,"requestKey":"x"}"#)
            #expect(elsewhere.status == .notFound)
            #expect(try await collect(h, bin, grams: 1, key: "g", token: try await h.token("guard")).status == .forbidden)
            #expect(try await collect(h, bin, grams: 1, key: "o", token: try await h.token("owner")).status == .forbidden)
        }
    }

    @Test func operatorsReadKgPerBoxAndThePayoutsByWeekAndMonth() async throws {
        try await withLinli { h in
            let (_, token) = try await recycling.bin(h)
            let session = try await recycling.signIn(h, token).content.decode(RecyclingSessionRead.self)
            _ = try await recycling.weigh(h, token, session.sessionID, event: "e-1", net: 1_234)
            _ = try await recycling.weigh(h, token, session.sessionID, event: "e-2", box: "metal", net: 2_000)
            let op = try await h.token("operator")
            for by in ["week", "month"] {
                let read = try await h.send(.GET, h.community + "/recycling/figures?by=\(by)", token: op)
                #expect(read.status == .ok, "\(read.text)")
                let figures = try read.content.decode([RecyclingFigures].self)
                #expect(figures.count == (by == "week" ? 8 : 6))
                let now = try #require(figures.last)
                #expect(now.boxes.map(\.box) == ["metal", "paper"] && now.boxes.map(\.netGrams) == [2_000, 1_234])
                #expect(now.boxes.map(\.creditedFen) == [300, 99] && now.payoutsFen == 0)
            }
            #expect(try await h.send(.GET, h.community + "/recycling/figures?by=day", token: op).status == .unprocessableEntity)
            #expect(try await h.send(.GET, h.community + "/recycling/figures", token: try await h.token("property")).status == .forbidden)
        }
    }
}

extension Optional where Wrapped == String {
    func asyncOr(_ make: () async throws -> String) async rethrows -> String {
        if let self { return self }
        return try await make()
    }
}
