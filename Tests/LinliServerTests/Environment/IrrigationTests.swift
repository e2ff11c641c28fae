import Foundation
import LinliCore
import NIOConcurrencyHelpers
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

@Suite struct IrrigationTests {
    @Test func theScalePreviewAnswersWhatThisWeatherWouldDo() async throws {
        try await withLinli { h in
            let path = h.community + "/irrigation/scale-preview"
            let staff = try await h.token("property")
            let hot = try await h.send(.POST, path, token: staff, raw: #"{"temperatureC":30,"humidityPct":50,"rainMm":0}"#)
            #expect(hot.status == .ok, "\(hot.text)")
            let read = try hot.content.decode(WateringScaleRead.self)
            #expect(read.scale == 144 && read.factors.temperature == 64 && read.factors.humidity == -20 && !read.missingData)
            let weighted = try await h.send(
                .POST, path, token: staff,
                raw: #"{"temperatureC":40,"humidityPct":40,"rainMm":25.4,"weights":{"rain":50}}"#)
            #expect(try weighted.content.decode(WateringScaleRead.self).scale == 126)
            // No humidity: 100, and it says why.
            let missing = try await h.send(.POST, path, token: staff, raw: #"{"temperatureC":30,"rainMm":0}"#)
            let fallback = try missing.content.decode(WateringScaleRead.self)
            #expect(fallback.scale == 100 && fallback.missingData && fallback.factors.temperature == nil)
            for body in [
                #"{"temperatureC":300}"#, #"{"humidityPct":-1}"#, #"{"rainMm":-2}"#, #"{"weights":{"rain":500}}"#,
                #"{"temperatureC":"hot"}"#, "[]",
            ] {
                let bad = try await h.send(.POST, path, token: staff, raw: body)
                #expect((400..<500).contains(bad.status.code) && bad.problem != nil, "\(body): \(bad.status)")
            }
            // A resident, a guard and another community's operator may not ask.
            for who in ["owner", "guard"] {
                #expect(try await h.send(.POST, path, token: try await h.token(who), raw: "{}").status == .forbidden)
            }
            let foreign = try await h.send(.POST, path, token: try await h.token("operatorB"), raw: "{}")
            #expect(foreign.status == .notFound)
        }
    }
}

/// A zone with its devices, for the runtime's tests.
struct ZoneFixture {
    let op: String
    let staff: String
    let valve: UUID
    let valveToken: String
    let sensorToken: String
    let stationToken: String
    let zone: UUID

    static func make(_ h: Harness, program: String? = nil, maxRun: Int = 60) async throws -> ZoneFixture {
        let op = try await h.token("operator")
        let (valve, valveToken) = try await h.device("irrigation_valve", "东区阀门", token: op)
        let (sensor, sensorToken) = try await h.device("soil_sensor", "东区土壤", token: op)
        let (_, stationToken) = try await h.device("weather_station", "气象站", token: op)
        _ = try await h.send(.POST, "/api/v1/\(valveToken)/telemetry", raw: #"{"valve_open":false,"flow":0}"#)
        _ = try await h.send(.POST, "/api/v1/\(sensorToken)/telemetry", raw: #"{"soil_moisture":20}"#)
        _ = try await h.send(
            .POST, "/api/v1/\(stationToken)/telemetry", raw: #"{"temperature":21.2,"humidity":30,"rain":0}"#)
        let programPart = program.map { #","programs":[\#($0)]"# } ?? ""
        let created = try await h.send(
            .POST, h.community + "/irrigation/zones", token: op,
            raw: #"{"name":"东区草坪","valveID":"\#(valve)","sensorIDs":["\#(sensor)"],"plant":"lawn","targetMoisture":35,"maxRunMinutes":\#(maxRun),"litresPerMinute":20\#(programPart)}"#
        )
        #expect(created.status == .created, "\(created.text)")
        let zone = try created.content.decode(ZoneRead.self)
        return ZoneFixture(
            op: op, staff: try await h.token("property"), valve: valve, valveToken: valveToken,
            sensorToken: sensorToken, stationToken: stationToken, zone: zone.id)
    }

    func path(_ h: Harness, _ tail: String = "") -> String { h.community + "/irrigation/zones/\(zone)" + tail }

    func valve(_ h: Harness, open: Bool, flow: Double = 0) async throws {
        let r = try await h.send(.POST, "/api/v1/\(valveToken)/telemetry", raw: #"{"valve_open":\#(open),"flow":\#(flow)}"#)
        #expect(r.status == .ok)
    }

    func soil(_ h: Harness, _ moisture: Double) async throws {
        _ = try await h.send(.POST, "/api/v1/\(sensorToken)/telemetry", raw: #"{"soil_moisture":\#(moisture)}"#)
    }

    func read(_ h: Harness) async throws -> ZoneRead {
        try await h.send(.GET, path(h), token: op).content.decode(ZoneRead.self)
    }

    func runs(_ h: Harness) async throws -> [RunRead] {
        try await h.send(.GET, path(h, "/runs?per=100"), token: op).content.decode(ListPage<RunRead>.self).items
    }

    /// The valve's commands, oldest first.
    func commands(_ h: Harness) async throws -> [String] {
        try await h.commands(op).filter { $0.deviceID == valve }.sorted { $0.id < $1.id }.map(\.method)
    }

    func tick(_ h: Harness) async throws { try await Irrigation.tick(now: h.clock.now(), app: h.app) }
}

@Suite struct IrrigationRuntimeTests {
    /// The clock of the harness is 22:13:20 China time; the program starts at 22:15.
    static let program =
        #"{"weekdays":[1,2,3,4,5,6,7],"starts":["22:15"],"minutes":10,"cycleMinutes":5,"soakMinutes":5}"#

    @Test func aProgramRunsInCyclesWithSoaksAndCountsItsWater() async throws {
        try await withLinli { h in
            let z = try await ZoneFixture.make(h, program: Self.program)
            var zone = try await z.read(h)
            #expect(zone.mode == "automatic" && zone.scale == 100 && zone.moisture == 20)
            #expect(zone.nextRun.map { Calendar.chinaDate($0) } == Calendar.chinaDate(h.clock.now()))
            try await z.tick(h)
            #expect(try await z.runs(h).isEmpty, "nothing before 22:15")
            h.clock.advance(by: 100)  // 22:15:00
            try await z.tick(h)
            try await z.tick(h)  // a second tick decides nothing twice
            var runs = try await z.runs(h)
            #expect(runs.count == 1 && runs[0].status == .opening && runs[0].scale == 100 && runs[0].plannedSeconds == 600)
            #expect(try await z.commands(h) == ["open_valve"])
            try await z.valve(h, open: true, flow: 19)
            #expect(try await z.runs(h)[0].status == .running)
            h.clock.advance(by: 300)
            try await z.tick(h)
            #expect(try await z.runs(h)[0].status == .soaking)
            try await z.valve(h, open: false)
            h.clock.advance(by: 300)
            try await z.tick(h)
            #expect(try await z.runs(h)[0].status == .opening)
            try await z.valve(h, open: true, flow: 21)
            h.clock.advance(by: 300)
            try await z.tick(h)
            runs = try await z.runs(h)
            #expect(runs[0].status == .closing && runs[0].stopReason == .timeUp && runs[0].openSeconds == 600)
            try await z.valve(h, open: false)
            runs = try await z.runs(h)
            #expect(runs[0].status == .done && runs[0].closedAt != nil)
            // Ten minutes at the valve's own mean flow (19 and 21 L/min): 200 L.
            #expect(runs[0].litres == 200, "\(String(describing: runs[0].litres))")
            #expect(try await z.commands(h) == ["open_valve", "close_valve", "open_valve", "close_valve"])
            zone = try await z.read(h)
            #expect(zone.litresWeek == 200 && zone.litresMonth == 200 && zone.activeRun == nil)
        }
    }

    @Test func aStartThatComesWhileAnotherRunWatersWaitsForIt() async throws {
        try await withLinli { h in
            // Two programs starting at 22:15: one valve, one run at a time.
            let z = try await ZoneFixture.make(
                h, program: #"\#(Self.program),{"weekdays":[1,2,3,4,5,6,7],"starts":["22:15"],"minutes":4}"#)
            h.clock.advance(by: 100)
            try await z.tick(h)
            #expect(try await z.runs(h).count == 1)
            try await z.valve(h, open: true)
            h.clock.advance(by: 300)
            try await z.tick(h)  // soaking: the second program still waits
            #expect(try await z.runs(h).count == 1)
            try await z.valve(h, open: false)
            h.clock.advance(by: 300)
            try await z.tick(h)
            try await z.valve(h, open: true)
            h.clock.advance(by: 300)
            try await z.tick(h)
            try await z.valve(h, open: false)  // the first program's run is done
            try await z.tick(h)
            let runs = try await z.runs(h)
            let second = runs.first { $0.plannedSeconds == 240 }
            let first = runs.first { $0.plannedSeconds == 600 }
            #expect(runs.count == 2 && second?.status == .opening && first?.status == .done, "\(runs)")
        }
    }

    @Test func startsAreSkippedForRainSoilAndAHoldWithTheirReasons() async throws {
        for (setup, reason) in [("rain", IrrigationSkip.rain), ("soil", .soil), ("hold", .manualOff), ("delay", .rainDelay)] {
            try await withLinli { h in
                let z = try await ZoneFixture.make(h, program: Self.program)
                h.clock.advance(by: 100)  // 22:15: a reading at the fixture's instant would be the same point
                switch setup {
                case "rain":
                    _ = try await h.send(.POST, "/api/v1/\(z.stationToken)/telemetry", raw: #"{"rain":8}"#)
                case "soil": try await z.soil(h, 40)
                case "hold":
                    let held = try await h.send(.POST, z.path(h, "/hold"), token: z.staff, raw: #"{"hours":2}"#)
                    #expect(held.status == .ok, "\(held.text)")
                    #expect(try held.content.decode(ZoneRead.self).override?.kind == "off")
                default:
                    let delayed = try await h.send(
                        .POST, z.path(h, "/hold"), token: z.staff, raw: #"{"hours":3,"kind":"rain"}"#)
                    #expect(try delayed.content.decode(ZoneRead.self).override?.kind == "rain_delay")
                }
                try await z.tick(h)
                let runs = try await z.runs(h)
                #expect(runs.map(\.status) == [.skipped] && runs.first?.skipReason == reason, "\(setup) \(runs)")
                #expect(try await z.commands(h).isEmpty, "\(setup): no valve command")
            }
        }
    }

    @Test func aRunStopsWhenTheSoilReachesItsTarget() async throws {
        try await withLinli { h in
            let z = try await ZoneFixture.make(h, program: Self.program)
            h.clock.advance(by: 100)
            try await z.tick(h)
            try await z.valve(h, open: true, flow: 20)
            h.clock.advance(by: 120)
            try await z.soil(h, 36)
            let run = try await z.runs(h)[0]
            #expect(run.status == .closing && run.stopReason == .target && run.openSeconds == 120)
            #expect(try await z.commands(h) == ["open_valve", "close_valve"])
        }
    }

    @Test func soilThatGetsThereDuringTheSoakEndsTheRunWithItsWaterCounted() async throws {
        try await withLinli { h in
            let z = try await ZoneFixture.make(h, program: Self.program)
            h.clock.advance(by: 100)
            try await z.tick(h)
            try await z.valve(h, open: true, flow: 20)
            h.clock.advance(by: 300)
            try await z.tick(h)  // the first cycle's five minutes: soak
            try await z.valve(h, open: false)
            try await z.soil(h, 37)
            h.clock.advance(by: 300)
            try await z.tick(h)
            let run = try await z.runs(h)[0]
            #expect(run.status == .done && run.stopReason == .target && run.openSeconds == 300 && run.litres == 100, "\(run)")
            #expect(try await z.commands(h) == ["open_valve", "close_valve"], "no second cycle")
        }
    }

    @Test func aRunByHandEndsByItselfAndAHoldReturnsToAutomatic() async throws {
        try await withLinli { h in
            let z = try await ZoneFixture.make(h, maxRun: 30)
            for body in [#"{"minutes":-5}"#, #"{"minutes":0}"#, #"{"minutes":31}"#, #"{"minutes":"ten"}"#, "{}"] {
                let bad = try await h.send(.POST, z.path(h, "/run"), token: z.staff, raw: body)
                #expect((400..<500).contains(bad.status.code) && bad.problem != nil, "\(body): \(bad.status)")
            }
            #expect(try await z.commands(h).isEmpty)
            let started = try await h.send(.POST, z.path(h, "/run"), token: z.staff, raw: #"{"minutes":10}"#)
            #expect(started.status == .ok, "\(started.text)")
            var zone = try started.content.decode(ZoneRead.self)
            #expect(zone.mode == "override" && zone.override?.kind == "run" && zone.activeRun?.status == .opening)
            try await z.valve(h, open: true, flow: 18)
            // Soil at the target does not stop a run by hand: staff asked for ten minutes.
            h.clock.advance(by: 60)
            try await z.soil(h, 50)
            try await z.tick(h)
            #expect(try await z.read(h).activeRun?.status == .running)
            h.clock.advance(by: 540)
            try await z.tick(h)
            zone = try await z.read(h)
            #expect(zone.mode == "automatic" && zone.activeRun?.status == .closing)
            try await z.valve(h, open: false)
            #expect(try await z.runs(h)[0].stopReason == .timeUp)
            // A hold of 25 h is refused; one of 2 h ends by itself.
            let long = try await h.send(.POST, z.path(h, "/hold"), token: z.staff, raw: #"{"hours":25}"#)
            #expect(long.status.code == 422 || long.status == .badRequest, "\(long.status)")
            _ = try await h.send(.POST, z.path(h, "/hold"), token: z.staff, raw: #"{"hours":2}"#)
            #expect(try await z.read(h).mode == "override")
            h.clock.advance(by: 7201)
            try await z.tick(h)
            #expect(try await z.read(h).mode == "automatic")
            // Stop during a run by hand: closed at once, reason manual.
            _ = try await h.send(.POST, z.path(h, "/run"), token: z.staff, raw: #"{"minutes":5}"#)
            try await z.valve(h, open: true)
            let stopped = try await h.send(.POST, z.path(h, "/stop"), token: z.staff)
            #expect(try stopped.content.decode(ZoneRead.self).activeRun?.stopReason == .manual)
        }
    }

    @Test func parallelRequestsToWaterAZoneStartOneRun() async throws {
        try await withLinli { h in
            let z = try await ZoneFixture.make(h, maxRun: 30)
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for _ in 0..<5 {
                    group.addTask { try await h.send(.POST, z.path(h, "/run"), token: z.staff, raw: #"{"minutes":10}"#).status }
                }
                return try await group.reduce(into: [HTTPStatus]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .ok }.count == 1 && statuses.filter { $0 == .conflict }.count == 4, "\(statuses)")
            let runs = try await z.runs(h)
            let commands = try await z.commands(h)
            #expect(runs.count == 1 && commands == ["open_valve"])
            // Once it is over, the zone may be watered by hand again.
            _ = try await h.send(.POST, z.path(h, "/stop"), token: z.staff)
            #expect(try await h.send(.POST, z.path(h, "/run"), token: z.staff, raw: #"{"minutes":3}"#).status == .ok)
        }
    }

    @Test func aValveNotHeardFromIsNotSentToWater() async throws {
        try await withLinli { h in
            let z = try await ZoneFixture.make(h, program: Self.program)
            // A day later the station and the soil speak, the valve has been silent for a day.
            h.clock.advance(by: 86_400 + 100)
            try await z.soil(h, 20)
            _ = try await h.send(
                .POST, "/api/v1/\(z.stationToken)/telemetry", raw: #"{"temperature":21.2,"humidity":30,"rain":0}"#)
            try await z.tick(h)
            let runs = try await z.runs(h)
            #expect(runs.map(\.status) == [.skipped] && runs[0].skipReason == .valveOffline)
            #expect(try await z.commands(h).isEmpty)
        }
    }

    @Test func aValveThatDoesNotAnswerOrOpensUnaskedIsAlarmed() async throws {
        try await withLinli { h in
            let z = try await ZoneFixture.make(h)
            _ = try await h.send(.POST, z.path(h, "/run"), token: z.staff, raw: #"{"minutes":10}"#)
            h.clock.advance(by: 181)
            try await z.tick(h)
            var run = try await z.runs(h)[0]
            #expect(run.status == .closing && run.stopReason == .noConfirm)
            #expect(try await h.alarms(z.op, "&status=active").map(\.type) == ["valve_no_response"])
            h.clock.advance(by: 181)
            try await z.tick(h)
            run = try await z.runs(h)[0]
            #expect(run.status == .done && run.closedAt == nil, "over, though the valve never said so")
            // Later the valve reports open with no run: it is told to close, and the desk hears of it.
            let before = try await z.commands(h).count
            try await z.valve(h, open: true)
            let after = try await z.commands(h)
            #expect(after.count == before + 1 && after.last == "close_valve")
            // It goes on saying so before it took the command: still one close on its way.
            let closes = try await z.commands(h).filter { $0 == "close_valve" }.count
            h.clock.advance(by: 60)
            try await z.valve(h, open: true)
            #expect(try await z.commands(h).filter { $0 == "close_valve" }.count == closes)
            #expect(try await h.alarms(z.op, "&status=active").map(\.type).contains("valve_open_unplanned"))
        }
    }

    @Test func aSilentSoilSensorLeavesTheWeatherAloneAndRaisesAnAlert() async throws {
        try await withLinli { h in
            let z = try await ZoneFixture.make(h, program: Self.program)
            try await z.soil(h, 50)  // wet, but a day old by the next start
            h.clock.advance(by: 86_400 + 100)
            try await z.valve(h, open: false)
            _ = try await h.send(
                .POST, "/api/v1/\(z.stationToken)/telemetry", raw: #"{"temperature":21.2,"humidity":30,"rain":0}"#)
            try await z.tick(h)
            let runs = try await z.runs(h)
            #expect(runs.map(\.status) == [.opening] && runs[0].moisture == nil, "watered by the weather alone")
            #expect(try await h.alarms(z.op, "&status=active").map(\.type) == ["soil_stale"])
            #expect(try await z.read(h).staleSensors.count == 1)
            // The sensor speaks again: its alert clears.
            try await z.soil(h, 22)
            #expect(try await h.alarms(z.op, "&status=active").isEmpty)
        }
    }

    @Test func zonesRefuseBadInputAndOtherCommunities() async throws {
        try await withLinli { h in
            let z = try await ZoneFixture.make(h)
            let op = z.op
            let zones = h.community + "/irrigation/zones"
            for body in [
                #"{"name":"无阀门"}"#, #"{"name":"x","valveID":"\#(z.valve)"}"#,  // the valve is taken
                #"{"name":"y","valveID":"\#(UUID())"}"#,
                #"{"name":"z","valveID":"\#(z.valve)","programs":[{"weekdays":[],"starts":["06:00"],"minutes":10}]}"#,
                #"{"name":"w","valveID":"\#(z.valve)","programs":[{"weekdays":[1],"starts":["06:00"],"minutes":-1}]}"#,
                #"{"name":"v","valveID":"\#(z.valve)","maxRunMinutes":20,"programs":[{"weekdays":[1],"starts":["06:00"],"minutes":15}]}"#,
                #"{"name":"u","valveID":"\#(z.valve)","programs":[{"weekdays":[1],"starts":["25:00"],"minutes":5}]}"#,
            ] {
                let bad = try await h.send(.POST, zones, token: op, raw: body)
                #expect((400..<500).contains(bad.status.code) && bad.problem != nil, "\(body): \(bad.status) \(bad.text)")
            }
            let one = #"{"weekdays":[1,3,5],"starts":["05:00","12:00","19:00"],"minutes":3}"#
            let noDays = try await h.send(
                .PATCH, z.path(h), token: op,
                raw: #"{"programs":[\#(one),{"weekdays":[],"starts":["06:00"],"minutes":10}]}"#)
            #expect(noDays.text.contains("programs.1.days") && noDays.text.contains("no_days"), "\(noDays.text)")
            // WaterSense's three programs of three start times each; five programs are too many.
            let three = try await h.send(.PATCH, z.path(h), token: op, raw: #"{"programs":[\#(one),\#(one),\#(one)]}"#)
            let programs = try three.content.decode(ZoneRead.self).programs
            #expect(three.status == .ok && programs.count == 3, "\(three.text)")
            let five = try await h.send(
                .PATCH, z.path(h), token: op, raw: "{\"programs\":[" + Array(repeating: one, count: 5).joined(separator: ",") + "]}")
            #expect(five.status.code == 422 && five.text.contains("too_many"), "\(five.text)")
            #expect(try await h.send(.GET, zones + "/\(UUID())", token: op).status == .notFound)
            #expect(try await h.send(.POST, zones + "/\(UUID())/run", token: op, raw: #"{"minutes":5}"#).status == .notFound)
            // Residents and guards do not run valves; another community's operator does not see the zone.
            for who in ["owner", "guard"] {
                let t = try await h.token(who)
                #expect(try await h.send(.POST, z.path(h, "/run"), token: t, raw: #"{"minutes":5}"#).status == .forbidden)
            }
            let owner = try await h.token("owner")
            #expect(try await h.send(.GET, zones, token: owner).status == .forbidden)
            let foreign = try await h.token("operatorB")
            #expect(try await h.send(.GET, z.path(h), token: foreign).status == .notFound)
            #expect(try await h.send(.POST, z.path(h, "/run"), token: foreign, raw: #"{"minutes":5}"#).status == .notFound)
            let other = "/api/v1/communities/\(h.world.b)/irrigation/zones/\(z.zone)"
            #expect(try await h.send(.GET, other, token: foreign).status == .notFound)
            #expect(try await h.send(.POST, other + "/run", token: foreign, raw: #"{"minutes":5}"#).status == .notFound)
            #expect(try await z.commands(h).isEmpty)
        }
    }
}

@Suite struct IrrigationRestartTests {
    /// A server stops while a valve is open; the next one, on the same database, closes it on time.
    @Test func aRestartMidRunClosesTheValveOnTime() async throws {
        let (choice, schema) = testDatabase()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("linli-restart-\(UUID()).sqlite").path
        let database: DatabaseChoice = schema == nil ? .sqlite(path: file) : choice
        defer { try? FileManager.default.removeItem(atPath: file) }
        let clock = ManualClock(Date(timeIntervalSince1970: 1_790_000_000))
        let first = try await makeTestApplication()
        var fixture: ZoneFixture?
        var world: World?
        do {
            try await configure(first, database: database, clock: clock)
            try await first.autoMigrate()
            world = try await World.make(on: first.db)
            let h = Harness(app: first, clock: clock, world: world!)
            let z = try await ZoneFixture.make(h, maxRun: 30)
            fixture = z
            _ = try await h.send(.POST, z.path(h, "/run"), token: z.staff, raw: #"{"minutes":10}"#)
            try await z.valve(h, open: true, flow: 20)
            #expect(try await z.runs(h)[0].status == .running)
        } catch {
            try await first.asyncShutdown()
            throw error
        }
        try await first.asyncShutdown()
        // Down for 12 minutes: the run's ten are over when the next server starts.
        clock.advance(by: 720)
        let second = try await makeTestApplication()
        do {
            try await configure(second, database: database, clock: clock)
            try await second.autoMigrate()
            let h = Harness(app: second, clock: clock, world: world!)
            let z = fixture!
            try await second.jobs.schedule(now: clock.now(), on: second.db)
            try await z.tick(h)
            let run = try await z.runs(h)[0]
            #expect(run.status == .closing && run.stopReason == .timeUp, "\(run)")
            #expect(try await z.commands(h) == ["open_valve", "close_valve"])
            try await z.valve(h, open: false)
            let done = try await z.runs(h)[0]
            let zone = try await z.read(h)
            #expect(done.status == .done && zone.mode == "automatic")
        } catch {
            if let schema { try? await RawSQL.dropSchema(schema, on: second.db) }
            try await second.asyncShutdown()
            throw error
        }
        if let schema { try? await RawSQL.dropSchema(schema, on: second.db) }
        try await second.asyncShutdown()
    }
}

@Suite struct EnvironmentPageTests {
    @Test func staffRunAZoneFromThePageAndTheCleanerTapsDone() async throws {
        try await withLinli { h in
            let z = try await ZoneFixture.make(h, maxRun: 30)
            let (bin, binToken) = try await h.device("bin_level", "1栋垃圾桶", token: z.op)
            _ = try await h.send(.POST, "/api/v1/\(binToken)/telemetry", raw: #"{"fill_level":86}"#)
            let staff = WebTests.Browser(h)
            try await staff.signIn(h.world.phones["property"]!)
            let c = "/console/\(h.world.a)/environment"
            var page = try await staff.go(.GET, c)
            #expect(page.status == .ok && page.text.contains("东区草坪") && page.text.contains("自动模式"))
            #expect(page.text.contains("<svg class=\"chart\"") && page.text.contains("1栋垃圾桶"))
            let posted = try await staff.go(
                .POST, c + "/zones/\(z.zone)", form: ["_csrf": staff.csrf(page), "action": "run", "minutes": "5"])
            #expect(posted.status == .seeOther)
            page = try await staff.go(.GET, c)
            #expect(page.text.contains("正在开阀") && page.text.contains("手动浇灌中"))
            // Over the safety maximum: a message on the page, nothing started.
            let over = try await staff.go(
                .POST, c + "/zones/\(z.zone)", form: ["_csrf": staff.csrf(page), "action": "run", "minutes": "45"])
            #expect(over.status == .unprocessableEntity && over.text.contains("超过阀门的安全上限"), "\(over.text)")
            #expect(try await z.commands(h) == ["open_valve"])
            // The cleaner's round lists the bin; one tap and it is gone.
            var round = try await staff.go(.GET, c + "/round", language: "en")
            #expect(round.status == .ok && round.text.contains("1栋垃圾桶") && round.text.contains("Emptied"))
            let done = try await staff.go(.POST, c + "/bins/\(bin)", form: ["_csrf": staff.csrf(round)])
            #expect(done.status == .seeOther)
            round = try await staff.go(.GET, c + "/round", language: "en")
            #expect(round.text.contains("No bins to empty today."))
            // A zone's name reaches the page's markup (and the chart's SVG title) escaped only.
            _ = try await h.send(.PATCH, z.path(h), token: z.op, raw: #"{"name":"<b>草坪</b>\"x"}"#)
            page = try await staff.go(.GET, c)
            #expect(!page.text.contains("<b>草坪</b>") && page.text.contains("&lt;b&gt;草坪&lt;/b&gt;"))
            // A resident sees neither page.
            let owner = WebTests.Browser(h)
            try await owner.signIn(h.world.phones["owner"]!)
            #expect([.forbidden, .notFound].contains(try await owner.go(.GET, c).status))
            #expect([.forbidden, .notFound].contains(try await owner.go(.GET, c + "/round").status))
        }
    }
}

@Suite struct EnvironmentFeedTests {
    @Test func theConsoleHearsOfARunOverItsWebSocket() async throws {
        try await withLinli { h in
            let z = try await ZoneFixture.make(h)
            try await h.app.server.start(address: .hostname("127.0.0.1", port: 0))
            let port = h.app.http.server.shared.localAddress?.port ?? 0
            let frames = NIOLockedValueBox<[String]>([])
            var headers = HTTPHeaders()
            headers.bearerAuthorization = BearerAuthorization(token: z.op)
            let socket = NIOLockedValueBox<WebSocket?>(nil)
            try await WebSocket.connect(
                to: "ws://127.0.0.1:\(port)\(EnvironmentFeed.path(h.world.a))", headers: headers,
                on: h.app.eventLoopGroup.next()
            ) { ws in
                socket.withLockedValue { $0 = ws }
                ws.onText { _, text in frames.withLockedValue { $0.append(text) } }
            }.get()
            #expect(try await eventually(within: 2) { frames.withLockedValue { $0.contains { $0.contains("hello") } } })
            _ = try await h.send(.POST, z.path(h, "/run"), token: z.staff, raw: #"{"minutes":5}"#)
            #expect(try await eventually(within: 2) { frames.withLockedValue { $0.contains { $0.contains("environment") } } })
            try await socket.withLockedValue { $0 }?.close()
            // Another community's operator is not let in.
            var foreign = HTTPHeaders()
            foreign.bearerAuthorization = BearerAuthorization(token: try await h.token("operatorB"))
            await #expect(throws: (any Error).self) {
                try await WebSocket.connect(
                    to: "ws://127.0.0.1:\(port)\(EnvironmentFeed.path(h.world.a))", headers: foreign,
                    on: h.app.eventLoopGroup.next()) { ws in _ = ws.close() }.get()
            }
            await h.app.server.shutdown()
        }
    }
}
