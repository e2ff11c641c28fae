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

            let states = try await h.send(.GET, h.community + "/meters", token: op).content.decode(ListPage<MeterStateRead>.self).items
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

@Suite struct MeterReplacementTests {
    let usage = UsageTests()

    @Test func aRecordedReplacementMakesTheMonthExactAgain() async throws {
        try await withLinli { h in
            // August at 10 L an hour; on 15 August 10:30 the meter is swapped: the old one ends at its last
            // reading + 5 L, the new one starts at 0.5 m³.
            let july31 = Calendar.china.date(from: DateComponents(year: 2026, month: 7, day: 31, hour: 22))!
            let swap = Calendar.china.date(from: DateComponents(year: 2026, month: 8, day: 15, hour: 10, minute: 30))!
            let op = try await h.token("operator")
            let (meterID, token) = try await h.device(
                "water_meter", "水表-换", token: op, extra: #","householdID":"\#(h.world.home)""#)
            var readings: [String] = []
            var at = july31
            var total = 100.0
            while at <= h.clock.now() {
                if at > swap, total > 50 { total = 0.5 + 0.005 }  // the first reading after the swap
                readings.append(#"{"ts":\#(Int64(at.timeIntervalSince1970 * 1000)),"values":{"water_total":\#(total)}}"#)
                at = at.addingTimeInterval(3600)
                total += 0.01
            }
            let sent = try await h.send(.POST, "/api/v1/\(token)/telemetry", raw: "[" + readings.joined(separator: ",") + "]")
            #expect(sent.status == .ok, "\(sent.text)")
            func august() async throws -> UsageFigure {
                try await usage.usage(h).content.decode(UsageRead.self).lastMonth
            }
            // Unrecorded, the drop breaks the month: never a negative, never a made-up figure.
            #expect(try await august().complete == false)
            let oldFinal = 100 + 0.01 * (swap.timeIntervalSince(july31) / 3600).rounded(.down) + 0.005
            let body = #"{"at":"\#(ISO8601DateFormatter().string(from: swap))","oldFinal":\#(oldFinal),"newInitial":0.5}"#
            let recorded = try await h.send(.POST, h.community + "/devices/\(meterID)/replacements", token: op, raw: body)
            #expect(recorded.status == .created, "\(recorded.text)")
            let exact = try await august()
            #expect(exact.complete && abs((exact.usage ?? 0) - 7.44) < 0.0005, "\(exact)")
            // The same moment twice, the future, a device that is not a meter; staff who do not manage devices.
            #expect(try await h.send(.POST, h.community + "/devices/\(meterID)/replacements", token: op, raw: body).status == .conflict)
            let future = #"{"at":"2030-01-01T00:00:00Z","oldFinal":1,"newInitial":0}"#
            #expect(try await h.send(.POST, h.community + "/devices/\(meterID)/replacements", token: op, raw: future).status == .unprocessableEntity)
            let (gate, _) = try await h.device("face_gate", "门", token: op)
            #expect(try await h.send(.POST, h.community + "/devices/\(gate)/replacements", token: op, raw: body).status == .unprocessableEntity)
            #expect(
                try await h.send(.POST, h.community + "/devices/\(meterID)/replacements", token: try await h.token("property"), raw: body)
                    .status == .forbidden)
        }
    }
}
