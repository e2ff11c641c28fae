import Foundation
import LinliCore
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

@Suite struct UsageTests {
    /// A water meter of the world's home with a reading every hour from `from` to now, 10 L an hour.
    func meter(_ h: Harness, from: Date, perHour: Double = 0.01, start: Double = 100, in household: UUID? = nil)
        async throws -> String
    {
        let op = try await h.token("operator")
        let home = household ?? h.world.home
        let (_, token) = try await h.device(
            "water_meter", "水表-\(home)", token: op, extra: #","householdID":"\#(home)""#)
        try await read(h, token, from: from, perHour: perHour, start: start)
        return token
    }

    /// Readings every hour from `from` to now, starting at `start`.
    func read(_ h: Harness, _ token: String, from: Date, perHour: Double = 0.01, start: Double) async throws {
        var readings: [String] = []
        var at = from
        var total = start
        while at <= h.clock.now() {
            readings.append(#"{"ts":\#(Int64(at.timeIntervalSince1970 * 1000)),"values":{"water_total":\#(total)}}"#)
            at = at.addingTimeInterval(3600)
            total += perHour
        }
        let sent = try await h.send(.POST, "/api/v1/\(token)/telemetry", raw: "[" + readings.joined(separator: ",") + "]")
        #expect(sent.status == .ok, "\(sent.text)")
    }

    func usage(_ h: Harness, _ who: String = "owner", household: UUID? = nil, kind: String = "water") async throws
        -> TestingHTTPResponse
    {
        try await h.send(
            .GET, "/api/v1/me/households/\(household ?? h.world.home)/usage?kind=\(kind)", token: try await h.token(who))
    }

    @Test func monthsDaysAndHoursFromTheMetersReadingsAndALeakIsSeen() async throws {
        try await withLinli { h in
            // setup: the clock is 2026-09-21 in China; readings from 25 July 00:00 China time.
            let july25 = Calendar.china.date(from: DateComponents(year: 2026, month: 7, day: 25))!
            _ = try await meter(h, from: july25)
            // act
            let r = try await usage(h)
            #expect(r.status == .ok, "\(r.text)")
            let read = try r.content.decode(UsageRead.self)
            // check: August is 31 days × 24 h × 10 L; a year ago nothing was read (missing, not 0).
            #expect(read.meters == 1 && read.unit == "m³")
            #expect(read.lastMonth == .init(usage: 7.44, complete: true))
            #expect(read.sameMonthLastYear.usage == nil)
            let september1 = Calendar.china.date(from: DateComponents(year: 2026, month: 9, day: 1))!
            let hoursSoFar = (h.clock.now().timeIntervalSince(september1) / 3600).rounded(.down)
            #expect(read.thisMonth.complete && abs((read.thisMonth.usage ?? 0) - hoursSoFar * 0.01) < 0.011)
            #expect(read.days.count == 21 && read.days.prefix(20).allSatisfy { $0.usage == 0.24 })
            #expect(read.hours.count >= 24 && read.hours.dropLast().allSatisfy { $0.usage == 0.01 })
            // 10 L every hour, night and day: a running toilet.
            #expect(Set(read.leaks) == ["continuous_flow", "night_flow"])
            #expect(read.comparison == nil && !read.aboveUsual)
        }
    }

    @Test func usageFollowsTheHouseholdsAuthorityAndRefusesAnUnknownKind() async throws {
        try await withLinli { h in
            #expect(try await usage(h, household: h.world.otherHome).status == .notFound)
            #expect(try await usage(h, "operator").status == .notFound)
            #expect(try await usage(h, kind: "gas").status == .unprocessableEntity)
            // A home with no meter: nothing to read, said as missing.
            let read = try await usage(h, kind: "electricity").content.decode(UsageRead.self)
            #expect(read.meters == 0 && read.thisMonth.usage == nil && read.days.isEmpty)
        }
    }

    @Test func theComparisonIsAMedianAndARankAmongSimilarHomesOfTheBuilding() async throws {
        try await withLinli { h in
            // setup: the owner's home (2 people, 88 m²) and four homes of two people, 80 m², with meters.
            let september1 = Calendar.china.date(from: DateComponents(year: 2026, month: 9, day: 1))!
            let from = september1.addingTimeInterval(-7200)
            _ = try await meter(h, from: from, perHour: 0.01)
            for (index, rate) in [0.005, 0.008, 0.02, 0.03].enumerated() {
                let home = try await Fixture.household(h, room: "30\(index)", floor: 3)
                _ = try await Fixture.resident(h, "甲\(index)", phone: "1370000100\(index)", in: home)
                _ = try await Fixture.resident(h, "乙\(index)", phone: "1370000200\(index)", in: home, relation: .family)
                _ = try await meter(h, from: from, perHour: rate, in: home)
            }
            // act
            let read = try await usage(h).content.decode(UsageRead.self)
            // check: the owner's home is the median, third of five; no neighbour's figure is given.
            let comparison = try #require(read.comparison)
            #expect(comparison.peers == 5 && comparison.rank == 3)
            #expect(abs(comparison.median - (read.thisMonth.usage ?? -1)) < 0.011)
        }
    }
}
