import Foundation
import LinliCore
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

@Suite struct BinTests {
    func fill(_ h: Harness, _ token: String, _ value: Double, temperature: Double = 20) async throws {
        h.clock.advance(by: 60)
        let r = try await h.send(
            .POST, "/api/v1/\(token)/telemetry", raw: #"{"fill_level":\#(value),"temperature":\#(temperature)}"#)
        #expect(r.status == .ok, "\(r.text)")
    }

    func bins(_ h: Harness, _ token: String) async throws -> [BinRead] {
        try await h.send(.GET, h.community + "/bins", token: token).content.decode(ListPage<BinRead>.self).items
    }

    func tasks(_ h: Harness, _ token: String) async throws -> [TaskRead] {
        try await h.send(.GET, h.community + "/tasks?per=100", token: token).content.decode(ListPage<TaskRead>.self).items
    }

    @Test func aBinPastItsThresholdIsAskedForOnceAndItsEmptyingClosesTheTask() async throws {
        try await withLinli { h in
            let op = try await h.token("operator")
            let (bin, token) = try await h.device("bin_level", "1栋垃圾桶", token: op)
            try await fill(h, token, 50)
            #expect(try await tasks(h, op).isEmpty)
            // Five readings past 80 % at once: one task.
            h.clock.advance(by: 60)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for value in [81, 82, 83, 84, 85] {
                    group.addTask {
                        _ = try await h.send(.POST, "/api/v1/\(token)/telemetry", raw: #"{"fill_level":\#(value)}"#)
                    }
                }
                try await group.waitForAll()
            }
            var open = try await tasks(h, op).filter { $0.status == "open" }
            #expect(open.count == 1 && open[0].deviceID == bin && open[0].title == "清运垃圾桶")
            #expect(try await bins(h, op)[0].taskID == open[0].id)
            try await fill(h, token, 4)
            open = try await tasks(h, op).filter { $0.status == "open" }
            #expect(open.isEmpty)
            let read = try await bins(h, op)[0]
            #expect(read.lastEmptiedAt != nil && read.taskID == nil && read.overflows == 0 && read.fill == 4)
            let figures = try await h.send(.GET, h.community + "/bins/figures?weeks=1", token: op).content.decode(
                BinFigures.self)
            #expect(figures.bins == 1 && figures.weeks.count == 1 && figures.weeks[0].collections == 1)
        }
    }

    @Test func overflowsAreCountedOncePerTimeAndFireIsAnAlarmAtOnce() async throws {
        try await withLinli { h in
            let op = try await h.token("operator")
            let (_, token) = try await h.device("bin_level", "3栋垃圾桶", token: op)
            try await fill(h, token, 50)
            try await fill(h, token, 100)  // no task yet: an overflow (and the task now)
            try await fill(h, token, 100)
            #expect(try await bins(h, op)[0].overflows == 1)
            // Held at 100 % past the response time with its task open: not counted again (already counted).
            h.clock.advance(by: 3 * 3600)
            try await Bins.forecast(now: h.clock.now(), app: h.app)
            #expect(try await bins(h, op)[0].overflows == 1)
            try await fill(h, token, 3)
            try await fill(h, token, 100)
            #expect(try await bins(h, op)[0].overflows == 2)
            #expect(try await h.alarms(op, "&status=active").isEmpty)
            try await fill(h, token, 100, temperature: 75)
            let alarms = try await h.alarms(op, "&status=active")
            #expect(alarms.map(\.type) == ["bin_fire"] && alarms[0].severity == .critical)
        }
    }

    @Test func theForecastFromHourlyHistoryPredictsTheTimeToNinetyPercent() async throws {
        try await withLinli { h in
            let op = try await h.token("operator")
            let (bin, token) = try await h.device("bin_level", "2栋垃圾桶", token: op)
            // Four days rising 0.6 points an hour.
            let start = h.ms - 96 * 3_600_000
            let items = (0...96).map { i in
                #"{"ts":\#(start + Int64(i) * 3_600_000),"values":{"fill_level":\#(Double(i) * 0.6)}}"#
            }
            let posted = try await h.send(.POST, "/api/v1/\(token)/telemetry", raw: "[" + items.joined(separator: ",") + "]")
            #expect(posted.status == .ok)
            try await Bins.forecast(now: h.clock.now(), app: h.app)  // the job's forecast, kept for the pages
            let read = try await bins(h, op)[0]
            #expect(read.enoughHistory)
            // 57.6 % now, 32.4 points to go at 0.6 an hour: 54 h.
            let hours = (read.fullAt?.timeIntervalSince(h.clock.now()) ?? 0) / 3600
            #expect(abs(hours - 54) < 1.5, "\(hours)")
            #expect(read.askBy.map { $0 < read.fullAt! } ?? false)
            // Not yet due: the job asks nothing.
            try await Bins.forecast(now: h.clock.now(), app: h.app)
            #expect(try await tasks(h, op).isEmpty)
            // The fixed threshold out of the way (95 %), only the forecast asks: an hour before the ask-by
            // time nothing, at it the task — the bin having gone on filling as it does.
            _ = try await h.send(.PATCH, h.community + "/bins/\(bin)", token: op, raw: #"{"threshold":95}"#)
            let from = h.clock.now()
            let askIn = read.askBy!.timeIntervalSince(from)
            for (wait, expected) in [(askIn - 3600, 0), (askIn + 1, 1)] {
                h.clock.advance(by: wait - h.clock.now().timeIntervalSince(from))
                _ = try await h.send(
                    .POST, "/api/v1/\(token)/telemetry", raw: #"{"fill_level":\#(57.6 + 0.6 * wait / 3600)}"#)
                try await Bins.forecast(now: h.clock.now(), app: h.app)
                #expect(try await tasks(h, op).count == expected, "\(wait / 3600) h on")
            }
            #expect(try await tasks(h, op).count == 1)
        }
    }

    @Test func theCleanersRoundAndOneTapDone() async throws {
        try await withLinli { h in
            let op = try await h.token("operator")
            let staff = try await h.token("property")
            let (bin, token) = try await h.device("bin_level", "1栋垃圾桶", token: op)
            _ = try await h.device("bin_level", "5栋垃圾桶", token: op)
            try await fill(h, token, 88)
            let round = try await h.send(.GET, h.community + "/bins/round", token: staff).content.decode(ListPage<BinRead>.self).items
            #expect(round.map(\.deviceID) == [bin])
            let path = h.community + "/bins/\(bin)/done"
            // Five taps at once: one collection.
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for _ in 0..<5 { group.addTask { try await h.send(.POST, path, token: staff).status } }
                return try await group.reduce(into: [HTTPStatus]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .ok }.count == 1 && statuses.filter { $0 == .conflict }.count == 4, "\(statuses)")
            let figures = try await h.send(.GET, h.community + "/bins/figures", token: op).content.decode(BinFigures.self)
            #expect(figures.weeks.last?.collections == 1 && figures.weeks.count == 4)
            #expect(try await h.send(.GET, h.community + "/bins/round", token: staff).content.decode(ListPage<BinRead>.self).items.isEmpty)
            // Residents cannot; another community's operator does not find the bin; an unknown bin is 404.
            let owner = try await h.token("owner")
            #expect(try await h.send(.POST, path, token: owner).status == .forbidden)
            #expect(try await h.send(.GET, h.community + "/bins", token: owner).status == .forbidden)
            let foreign = try await h.token("operatorB")
            #expect(try await h.send(.POST, path, token: foreign).status == .notFound)
            let other = "/api/v1/communities/\(h.world.b)/bins/\(bin)/done"
            #expect(try await h.send(.POST, other, token: foreign).status == .notFound)
            #expect(try await h.send(.POST, h.community + "/bins/\(UUID())/done", token: staff).status == .notFound)
            for body in [#"{"threshold":5}"#, #"{"workingHours":"19:00-07:00"}"#, #"{"capacityLitres":-1}"#] {
                let bad = try await h.send(.PATCH, h.community + "/bins/\(bin)", token: op, raw: body)
                #expect((400..<500).contains(bad.status.code) && bad.problem != nil, "\(body)")
            }
            let set = try await h.send(
                .PATCH, h.community + "/bins/\(bin)", token: op, raw: #"{"workingHours":"06:30-18:00","threshold":75}"#)
            #expect(try set.content.decode(BinRead.self).workingHours == "06:30-18:00")
            let weeks = try await h.send(.GET, h.community + "/bins/figures?weeks=40", token: op)
            #expect((400..<500).contains(weeks.status.code) && weeks.problem != nil)
        }
    }
}
