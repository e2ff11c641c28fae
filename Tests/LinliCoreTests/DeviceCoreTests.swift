import Foundation
import Testing

@testable import LinliCore

/// Every feature's device types, as the server adds them at start.
let everyDeviceType: [DeviceType] = {
    let types = AccessDevices.types + SecurityDevices.types + EnvironmentDevices.types + RecyclingDevices.types
        + MeterDevices.types + HubDevices.types
    DeviceCatalog.add(types)
    return types
}()

@Suite struct TelemetryParserTests {
    let now: Int64 = 1_790_000_000_000
    let soil = everyDeviceType.first { $0.key == "soil_sensor" }!

    func parse(_ text: String, _ type: DeviceType? = nil) throws -> (readings: [Reading], refused: [Refusal]) {
        try TelemetryParser.parse(JSON.parse(text)!, type: type ?? soil, now: now)
    }

    @Test func acceptsTheThreeThingsBoardShapes() throws {
        let flat = try parse(#"{"soil_moisture": 31.5, "battery": 88}"#)
        #expect(flat.readings.map(\.key) == ["battery", "soil_moisture"])
        #expect(flat.readings.allSatisfy { $0.ts == now })
        let stamped = try parse(#"{"ts": 1789999990000, "values": {"soil_moisture": 30}}"#)
        #expect(stamped.readings == [Reading(key: "soil_moisture", ts: 1_789_999_990_000, value: .number(30))])
        let array = try parse(#"[{"ts": 1789999990000, "values": {"soil_moisture": 30}}, {"soil_temperature": 12}]"#)
        #expect(array.readings.count == 2 && array.refused.isEmpty)
    }

    @Test func refusesWrongTypeUnitRangeAndKeyButKeepsTheRest() throws {
        let result = try parse(
            #"{"soil_moisture": "wet", "soil_temperature": {"value": 300, "unit": "K"}, "battery": 140, "colour": 1, "rssi": -70}"#
        )
        #expect(result.readings.map(\.key) == ["rssi"])
        let reasons = Dictionary(uniqueKeysWithValues: result.refused.map { ($0.key, $0.reason) })
        #expect(
            reasons == [
                "soil_moisture": .wrongType, "soil_temperature": .wrongUnit, "battery": .outOfRange,
                "colour": .unknownKey,
            ])
    }

    @Test func convertsKnownUnits() throws {
        let fahrenheit = try parse(#"{"soil_temperature": {"value": 50, "unit": "°F"}}"#)
        #expect(fahrenheit.readings.first?.value == .number(10))
        let meter = try parse(#"{"water_total": {"value": 1500, "unit": "L"}}"#, MeterDevices.types.first { $0.key == "water_meter" })
        #expect(meter.readings.first?.value == .number(1.5))
    }

    @Test func refusesTimestampsFromTheFutureAndRejectsMalformedPayloads() throws {
        let future = try parse(#"{"ts": 1890000000000, "values": {"soil_moisture": 30}}"#)
        #expect(future.readings.isEmpty && future.refused.first?.reason == .invalidTimestamp)
        #expect(throws: TelemetryPayloadError.malformed) { try parse("42") }
        #expect(throws: TelemetryPayloadError.malformed) { try parse(#"[1, 2]"#) }
        #expect(throws: TelemetryPayloadError.malformed) { try parse(#"{"ts": 1, "values": 3}"#) }
    }

    @Test func genericSensorsTakeAnyKey() throws {
        let generic = DeviceCatalog.generic
        let result = try parse(#"{"co2": 412, "status": "ok", "on": true, "info": {"fw": "1.2"}}"#, generic)
        #expect(result.refused.isEmpty)
        #expect(result.readings.first { $0.key == "info" }?.value == .json(#"{"fw":"1.2"}"#))
    }

    @Test func catalogueCoversEveryTypeOfTheIssue() {
        _ = everyDeviceType
        for key in [
            "face_gate", "access_reader", "door_lock", "door_contact", "motion", "smoke", "gas", "water_leak",
            "emergency_button", "soil_sensor", "irrigation_valve", "bin_level", "recycling_bin", "water_meter",
            "electricity_meter", "tv_box", "kiosk", "generic_sensor",
        ] {
            #expect(DeviceCatalog.type(key) != nil, "\(key)")
        }
    }
}

@Suite struct AggregationTests {
    @Test func bucketsFollowChinaTime() {
        // 2025-11-25 23:30 in Beijing is 15:30 UTC; its day starts at 2025-11-24 16:00 UTC.
        let ts: Int64 = 1_764_084_600_000
        #expect(TimeBuckets.start(of: ts, .day) == 1_764_000_000_000)
        #expect(TimeBuckets.start(of: ts, .hour) == 1_764_082_800_000)
        let month = TimeBuckets.start(of: ts, .month)
        #expect(TimeBuckets.yearMonth(month) == (2025, 11))
        #expect(TimeBuckets.yearMonth(TimeBuckets.next(after: month, .month)) == (2025, 12))
        #expect(CivilDays.civil(fromDays: CivilDays.days(year: 2024, month: 2, day: 29)) == (2024, 2, 29))
    }

    @Test func rollUpsOfRollUpsEqualTheRawAggregate() {
        let points: [(ts: Int64, value: Double)] = (0..<500).map { i in
            (Int64(1_764_000_000_000) + Int64(i) * 400_000, Double((i * 37) % 101))
        }
        let hourly = TimeBuckets.group(points, .hour)
        let dailyFromHours = TimeBuckets.merge(hourly, .day)
        let dailyFromRaw = TimeBuckets.group(points, .day)
        #expect(dailyFromHours.map(\.start) == dailyFromRaw.map(\.start))
        #expect(dailyFromHours.map(\.aggregate) == dailyFromRaw.map(\.aggregate))
        let total = dailyFromRaw.reduce(0) { $0 + $1.aggregate.count }
        #expect(total == 500)
    }
}

@Suite struct RuleEngineTests {
    let minute: Int64 = 60_000
    let start: Int64 = 1_790_000_000_000

    var dryLawn: Rule {
        Rule(
            name: "lawn dry", scope: RuleScope(deviceType: "soil_sensor"), key: "soil_moisture",
            condition: RuleCondition(.below, value: 20), forMinutes: 10,
            actions: [
                RuleAction(.alarm, alarmType: "soil_dry", severity: .major),
                RuleAction(.command, method: "open_valve", params: .object(["minutes": .number(15)])),
                RuleAction(.command, on: .clear, method: "close_valve"),
            ])
    }

    @Test func firesOnlyAfterTheConditionHeldLongEnoughAndClearsOnce() {
        let rule = dryLawn
        var state = RuleState()
        #expect(RuleEngine.evaluate(rule, &state, value: 15, ts: start) == nil)
        #expect(RuleEngine.evaluate(rule, &state, value: 14, ts: start + 5 * minute) == nil)
        #expect(RuleEngine.evaluate(rule, &state, value: 13, ts: start + 10 * minute) == .fire)
        #expect(RuleEngine.evaluate(rule, &state, value: 12, ts: start + 11 * minute) == nil)
        #expect(RuleEngine.evaluate(rule, &state, value: 25, ts: start + 20 * minute) == .clear)
        #expect(RuleEngine.evaluate(rule, &state, value: 26, ts: start + 21 * minute) == nil)
        #expect(RuleEngine.actions(rule, for: .clear).map(\.method) == ["close_valve"])
    }

    @Test func aWetReadingInsideTheWindowRestartsIt() {
        let rule = dryLawn
        var state = RuleState()
        _ = RuleEngine.evaluate(rule, &state, value: 15, ts: start)
        _ = RuleEngine.evaluate(rule, &state, value: 30, ts: start + 6 * minute)
        #expect(RuleEngine.evaluate(rule, &state, value: 15, ts: start + 8 * minute) == nil)
        #expect(RuleEngine.tick(rule, &state, now: start + 17 * minute) == nil)
        #expect(RuleEngine.tick(rule, &state, now: start + 18 * minute) == .fire)
    }

    @Test func noDataAndRateOfChange() {
        var silent = Rule(
            name: "silent", scope: RuleScope(), key: "water_total", condition: RuleCondition(.noData, value: 30),
            actions: [])
        var state = RuleState(lastTs: start)
        #expect(RuleEngine.tick(silent, &state, now: start + 29 * minute) == nil)
        #expect(RuleEngine.tick(silent, &state, now: start + 30 * minute) == .fire)
        #expect(RuleEngine.tick(silent, &state, now: start + 40 * minute) == nil)
        #expect(RuleEngine.evaluate(silent, &state, value: 1, ts: start + 41 * minute) == .clear)
        silent.condition = RuleCondition(.rateAbove, value: 2)
        var rate = RuleState()
        #expect(RuleEngine.evaluate(silent, &rate, value: 100, ts: start) == nil)
        #expect(RuleEngine.evaluate(silent, &rate, value: 101, ts: start + minute) == nil)
        #expect(RuleEngine.evaluate(silent, &rate, value: 110, ts: start + 2 * minute) == .fire)
    }

    @Test func scopeFiltersAndDisabledRules() {
        let building = UUID()
        var rule = dryLawn
        rule.scope.buildingID = building
        let inside = DeviceFacts(id: UUID(), type: "soil_sensor", buildingID: building)
        let elsewhere = DeviceFacts(id: UUID(), type: "soil_sensor", buildingID: UUID())
        let otherType = DeviceFacts(id: UUID(), type: "gas", buildingID: building)
        #expect(RuleEngine.applies(rule, to: inside))
        #expect(!RuleEngine.applies(rule, to: elsewhere))
        #expect(!RuleEngine.applies(rule, to: otherType))
        rule.enabled = false
        #expect(!RuleEngine.applies(rule, to: inside))
    }

    @Test func validationNamesTheMissingField() {
        #expect(RuleCondition(.between, low: 5).missingField == "high")
        #expect(RuleCondition(.between, low: 5, high: 1).missingField == "high")
        #expect(RuleAction(.alarm, alarmType: "x").missingField == "severity")
        #expect(RuleAction(.task, title: "look").missingField == "role")
    }
}

@Suite struct LifecycleTests {
    @Test func alarmsFollowThingsBoardStates() {
        #expect(AlarmStatus.activeUnack.acknowledged() == .activeAck)
        #expect(AlarmStatus.activeAck.cleared() == .clearedAck)
        #expect(AlarmStatus.activeUnack.cleared() == .clearedUnack)
        #expect(AlarmStatus.clearedUnack.acknowledged() == .clearedAck)
        #expect(AlarmStatus.clearedAck.cleared() == nil)
        #expect(Severity.critical > Severity.warning)
    }

    @Test func commandsExpireRetryAndTimeOut() {
        let t0 = Date(timeIntervalSince1970: 1_790_000_000)
        let expires = t0.addingTimeInterval(3600)
        func sweep(_ status: CommandStatus, at seconds: TimeInterval, retries: Int = 0) -> CommandStatus? {
            CommandPolicy.sweep(
                status: status, now: t0.addingTimeInterval(seconds), expiresAt: expires, sentAt: t0,
                deliveredAt: t0, retries: retries, maxRetries: 3, replyTimeout: 60)
        }
        #expect(sweep(.queued, at: 10) == nil)
        #expect(sweep(.queued, at: 3600) == .expired)
        #expect(sweep(.sent, at: 10) == nil)
        #expect(sweep(.sent, at: 31) == .queued)
        #expect(sweep(.sent, at: 31, retries: 3) == .failed)
        #expect(sweep(.delivered, at: 59) == nil)
        #expect(sweep(.delivered, at: 60) == .timeout)
        #expect(sweep(.successful, at: 9999) == nil)
    }
}
