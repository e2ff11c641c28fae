import Fluent
import Foundation
import LinliCore
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

@Suite struct MeterWatchTests {
    let usage = UsageTests()

    func notes(_ h: Harness, _ household: UUID) async throws -> [String] {
        try await Notification.query(on: h.app.db).filter(\.$householdID == household)
            .filter(\.$title ~~ ["usage.leak.continuous_flow", "usage.leak.high_flow", "usage.leak.night_flow", "usage.note.anomaly"])
            .all(\.$title).sorted()
    }

    @Test func aRunningToiletTellsTheHouseholdOnceADay() async throws {
        try await withLinli { h in
            // 10 L every hour for two days and more: water in every hour, and all night.
            _ = try await usage.meter(h, from: h.clock.now().addingTimeInterval(-50 * 3600), perHour: 0.01)
            let first = try await MeterWatch.run(now: h.clock.now(), app: h.app)
            let again = try await MeterWatch.run(now: h.clock.now(), app: h.app)
            #expect(first == 2 && again == 0)
            #expect(try await notes(h, h.world.home) == ["usage.leak.continuous_flow", "usage.leak.night_flow"])
            // The neighbours are told nothing; staff get no task for a home's meter.
            #expect(try await notes(h, h.world.otherHome).isEmpty)
            #expect(try await StaffTask.query(on: h.app.db).filter(\.$title == MeterWatch.taskTitle).count() == 0)
        }
    }

    @Test func onlyMetersThatReportedInTheLastTwoHoursAreLookedAt() async throws {
        try await withLinli { h in
            _ = try await usage.meter(h, from: h.clock.now().addingTimeInterval(-50 * 3600), perHour: 0.01)
            func since() -> Int64 { Int64(h.clock.now().timeIntervalSince1970 * 1000) - 2 * 3_600_000 }
            #expect(try await MeterWatch.reporting(since: since(), on: h.app.db).count == 1)
            // Three silent hours: nothing new to see on it, so the hourly watch does not read it.
            h.clock.advance(by: 3 * 3600)
            #expect(try await MeterWatch.reporting(since: since(), on: h.app.db).isEmpty)
            #expect(try await MeterWatch.run(now: h.clock.now(), app: h.app) == 0)
        }
    }

    @Test func aHomeFarAboveItsOwnHourOfWeekIsTold() async throws {
        try await withLinli { h in
            // Four weeks of 5 L an hour, then 300 L in each of the last three hours.
            let start = h.clock.now().addingTimeInterval(-28 * 86_400)
            let token = try await usage.meter(h, from: start, perHour: 0.005)
            let total = 100 + 0.005 * (h.clock.now().timeIntervalSince(start) / 3600).rounded(.down)
            h.clock.advance(by: 3 * 3600)
            try await usage.read(h, token, from: h.clock.now().addingTimeInterval(-2 * 3600), perHour: 0.3, start: total + 0.3)
            _ = try await MeterWatch.run(now: h.clock.now(), app: h.app)
            #expect(try await notes(h, h.world.home).contains("usage.note.anomaly"))
        }
    }

    @Test func aCommunityMeterAsksTheStaffToCheckOnce() async throws {
        try await withLinli { h in
            let op = try await h.token("operator")
            let (_, token) = try await h.device("water_meter", "泵房总水表", token: op, extra: #","zone":"泵房""#)
            // 0.8 m³ an hour for three hours: a strong flow for over 2 hours.
            try await usage.read(h, token, from: h.clock.now().addingTimeInterval(-3 * 3600), perHour: 0.8, start: 5_000)
            #expect(try await MeterWatch.run(now: h.clock.now(), app: h.app) == 1)
            h.clock.advance(by: 86_400)  // the next day it is found again: still one open task
            try await usage.read(h, token, from: h.clock.now().addingTimeInterval(-3 * 3600), perHour: 0.8, start: 5_100)
            _ = try await MeterWatch.run(now: h.clock.now(), app: h.app)
            let tasks = try await StaffTask.query(on: h.app.db).filter(\.$title == MeterWatch.taskTitle).all()
            #expect(tasks.count == 1 && tasks.first?.role == .propertyStaff && tasks.first?.status == .open)
        }
    }
}
