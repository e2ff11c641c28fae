import Fluent
import Foundation
import LinliCore
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

@Suite struct CommunityMetersTests {
    let usage = UsageTests()

    @Test func thePumpRoomAgainstTheHomesAndEveryMetersState() async throws {
        try await withLinli { h in
            // October: the owner's home used 10 L an hour, the pump room measured 15 L an hour.
            h.clock.advance(by: 42 * 86_400)  // 2 November
            let september30 = Calendar.china.date(from: DateComponents(year: 2026, month: 9, day: 30, hour: 22))!
            _ = try await usage.meter(h, from: september30, perHour: 0.01)
            let op = try await h.token("operator")
            let (_, pump) = try await h.device("water_meter", "泵房总水表", token: op, extra: #","zone":"泵房""#)
            try await usage.read(h, pump, from: september30, perHour: 0.015, start: 5_000)
            // The neighbours' meter has said the same total for four days; an electricity meter never spoke;
            // another water meter stopped a day and a half ago.
            let (_, stuck) = try await h.device(
                "water_meter", "邻居水表", token: op, extra: #","householdID":"\#(h.world.otherHome)""#)
            try await usage.read(h, stuck, from: h.clock.now().addingTimeInterval(-96 * 3600), perHour: 0, start: 42)
            _ = try await h.device("electricity_meter", "公共照明电表", token: op, extra: #","zone":"配电房""#)
            let (_, quiet) = try await h.device("water_meter", "花园水表", token: op, extra: #","zone":"花园""#)
            h.clock.advance(by: -36 * 3600)
            try await usage.read(h, quiet, from: h.clock.now().addingTimeInterval(-5 * 3600), perHour: 0.001, start: 7)
            h.clock.advance(by: 36 * 3600)

            let balance = try await h.send(.GET, h.community + "/meters/balance?kind=water&period=2026-10", token: op)
            #expect(balance.status == .ok, "\(balance.text)")
            let read = try balance.content.decode(NetworkBalanceRead.self)
            // 744 hours: 7.44 m³ in the home, 11.16 at the pump room — the garden's meter did not read the
            // whole month, so the community side is not complete without it.
            #expect(read.homesUsage == 7.44 && read.homesMetered == 2 && read.homesRead == 1)
            #expect(read.lossPercent == nil)

            let states = try await h.send(.GET, h.community + "/meters", token: op).content.decode([MeterStateRead].self)
            let byName = Dictionary(uniqueKeysWithValues: states.map { ($0.name, $0.state) })
            #expect(byName["邻居水表"] == "stuck" && byName["公共照明电表"] == "never" && byName["花园水表"] == "offline")
            #expect(byName["泵房总水表"] == "ok" && byName["水表-\(h.world.home)"] == "ok")
            // Property staff and other communities' operators do not see the meters' figures.
            #expect(try await h.send(.GET, h.community + "/meters", token: try await h.token("property")).status == .forbidden)
            let elsewhere = try await h.send(.GET, h.community + "/meters/balance", token: try await h.token("operatorB"))
            #expect(elsewhere.status == .notFound || elsewhere.status == .forbidden)
            #expect(try await h.send(.GET, h.community + "/meters/balance?period=2026-13", token: op).status == .unprocessableEntity)
        }
    }

    @Test func theLossWhenEveryMeterReadTheMonth() async throws {
        try await withLinli { h in
            h.clock.advance(by: 42 * 86_400)
            let september30 = Calendar.china.date(from: DateComponents(year: 2026, month: 9, day: 30, hour: 22))!
            _ = try await usage.meter(h, from: september30, perHour: 0.01)
            let op = try await h.token("operator")
            let (_, pump) = try await h.device("water_meter", "泵房总水表", token: op, extra: #","zone":"泵房""#)
            try await usage.read(h, pump, from: september30, perHour: 0.015, start: 5_000)
            let read = try await h.send(.GET, h.community + "/meters/balance?kind=water&period=2026-10", token: op)
                .content.decode(NetworkBalanceRead.self)
            #expect(read.communityUsage == 11.16 && read.homesUsage == 7.44 && read.lossPercent == 33.3)
        }
    }
}
