import Fluent
import Foundation
import LinliCore
import NIOConcurrencyHelpers
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

extension Harness {
    var community: String { "/api/v1/communities/\(world.a)" }

    /// Adds a device of community A as the operator; returns its id and access token.
    func device(_ type: String, _ name: String, token op: String, extra: String = "") async throws -> (UUID, String) {
        let response = try await send(
            .POST, community + "/devices", token: op, raw: #"{"type":"\#(type)","name":"\#(name)"\#(extra)}"#)
        #expect(response.status == .created, "\(response.text)")
        let credentials = try response.content.decode(DeviceCredentials.self)
        return (credentials.device.id, credentials.token)
    }

    var ms: Int64 { Int64(clock.now().timeIntervalSince1970 * 1000) }

    /// Waits (real time, briefly) until `condition` holds; for work finished after a response was written.
    func commands(_ op: String) async throws -> [CommandRead] {
        try await send(.GET, community + "/commands?per=100", token: op).content.decode(ListPage<CommandRead>.self)
            .items
    }

    func alarms(_ op: String, _ query: String = "") async throws -> [AlarmRead] {
        try await send(.GET, community + "/alarms?per=100" + query, token: op).content.decode(ListPage<AlarmRead>.self)
            .items
    }
}

@Suite struct DeviceAPITests {
    /// The exchange a ThingsBoard HTTP client makes, request for request as curl would send it.
    @Test func thingsBoardClientExchange() async throws {
        try await withLinli { h in
            let op = try await h.token("operator")
            let (_, token) = try await h.device("irrigation_valve", "东区阀门1", token: op)
            let base = "/api/v1/\(token)"
            // curl -X POST -d '{"valve_open":false,"flow":0}' $HOST/api/v1/$TOKEN/telemetry
            let flat = try await h.send(.POST, base + "/telemetry", raw: #"{"valve_open":false,"flow":0}"#)
            #expect(flat.status == .ok)
            let stamped = try await h.send(
                .POST, base + "/telemetry", raw: #"{"ts":\#(h.ms - 60_000),"values":{"flow":12.5}}"#)
            #expect(stamped.status == .ok)
            let array = try await h.send(
                .POST, base + "/telemetry",
                raw: #"[{"ts":\#(h.ms - 30_000),"values":{"flow":13}},{"ts":\#(h.ms - 20_000),"values":{"flow":14}}]"#,
                contentType: HTTPMediaType(type: "text", subType: "plain"))
            #expect(array.status == .ok)
            #expect(try array.content.decode(TelemetryAnswer.self).accepted == 2)
            // Client attributes, then reading them back with shared ones.
            let attributes = try await h.send(
                .POST, base + "/attributes", raw: #"{"firmware":"1.4.2","model":"RV-20"}"#)
            #expect(attributes.status == .ok)
            let device = try await h.send(.GET, h.community + "/devices?q=东区", token: op).content.decode(
                ListPage<DeviceRead>.self
            ).items[0]
            #expect(device.online && device.clientAttributes["firmware"] == .string("1.4.2"))
            // A device waiting on attributes/updates receives the change an operator makes.
            async let update = h.send(.GET, base + "/attributes/updates?timeout=5000")
            try await Task.sleep(nanoseconds: 100_000_000)
            let shared = try await h.send(
                .POST, h.community + "/devices/\(device.id)/shared-attributes", token: op, raw: #"{"schedule":"06:00"}"#
            )
            #expect(shared.status == .ok)
            let received = try await update
            #expect(received.status == .ok && received.text == #"{"schedule":"06:00"}"#)
            let read = try await h.send(.GET, base + "/attributes?clientKeys=firmware&sharedKeys=schedule")
            #expect(read.text == #"{"client":{"firmware":"1.4.2"},"shared":{"schedule":"06:00"}}"#)
            // A one-way command: queued, handed out by the long poll, delivered, successful.
            async let poll = h.send(.GET, base + "/rpc?timeout=5000")
            try await Task.sleep(nanoseconds: 100_000_000)
            let sent = try await h.send(
                .POST, h.community + "/devices/\(device.id)/commands", token: op,
                raw: #"{"method":"open_valve","params":{"minutes":15}}"#)
            #expect(sent.status == .created)
            let command = try sent.content.decode(CommandRead.self)
            #expect(command.status == .queued)
            let message = try await poll
            #expect(message.status == .ok)
            #expect(message.text == #"{"id":\#(command.id),"method":"open_valve","params":{"minutes":15}}"#)
            #expect(try await eventually(within: 2) { try await h.commands(op).first?.status == .successful })
            // Nothing queued: 408 after the timeout, as ThingsBoard.
            #expect(try await h.send(.GET, base + "/rpc?timeout=50").status == .requestTimeout)
            // Device-side request.
            let time = try await h.send(.POST, base + "/rpc", raw: #"{"method":"getCurrentTime","params":{}}"#)
            #expect(time.text == #"{"time":\#(h.ms)}"#)
            // Stored: latest values and the series.
            let latest = try await h.send(.GET, h.community + "/devices/\(device.id)/telemetry/latest", token: op)
            let values = try latest.content.decode([LatestValue].self)
            #expect(values.first { $0.key == "flow" }?.value == .number(0))
            let series = try await h.send(.GET, h.community + "/devices/\(device.id)/telemetry?key=flow", token: op)
            #expect(
                try series.content.decode(SeriesRead.self).points.map(\.value) == [
                    .number(0), .number(14), .number(13), .number(12.5),
                ])
            // Group commit is visible in /metrics: readings stored and the transactions they took.
            let metrics = try await h.send(.GET, "/metrics").text
            #expect(metrics.contains("linli_telemetry_readings_total 5"))
            #expect(metrics.contains("linli_telemetry_transactions_total"))
        }
    }

    @Test func twoWayCommandWaitsForTheReply() async throws {
        try await withLinli { h in
            let op = try await h.token("operator")
            let (lockID, token) = try await h.device("door_lock", "1栋101门锁", token: op)
            let sent = try await h.send(
                .POST, h.community + "/devices/\(lockID)/commands", token: op, raw: #"{"method":"unlock"}"#)
            let id = try sent.content.decode(CommandRead.self).id
            let poll = try await h.send(.GET, "/api/v1/\(token)/rpc?timeout=1000")
            #expect(poll.text.contains(#""id":\#(id)"#))
            #expect(try await eventually(within: 2) { try await h.commands(op).first?.status == .delivered })
            let reply = try await h.send(.POST, "/api/v1/\(token)/rpc/\(id)", raw: #"{"result":"unlocked"}"#)
            #expect(reply.status == .ok)
            let done = try await h.commands(op)[0]
            #expect(done.status == .successful && done.response == .object(["result": .string("unlocked")]))
            // Replies to a command of another device are not found.
            let (_, other) = try await h.device("door_lock", "1栋102门锁", token: op)
            #expect(try await h.send(.POST, "/api/v1/\(other)/rpc/\(id)", raw: "{}").status == .notFound)
            // Without a reply in time, a two-way command times out.
            let second = try await h.send(
                .POST, h.community + "/devices/\(lockID)/commands", token: op,
                raw: #"{"method":"lock","replyTimeoutSeconds":30}"#)
            _ = try await h.send(.GET, "/api/v1/\(token)/rpc?timeout=1000")
            let secondID = try second.content.decode(CommandRead.self).id
            #expect(
                try await eventually(within: 2) { try await h.commands(op).first { $0.id == secondID }?.status == .delivered })
            h.clock.advance(by: 31)
            try await h.app.deviceHub.tick()
            #expect(try await h.commands(op).first { $0.id == secondID }?.status == .timeout)
        }
    }

    @Test func commandsExpireAndAreRedeliveredWithTheSameID() async throws {
        try await withLinli { h in
            let op = try await h.token("operator")
            let (valve, token) = try await h.device("irrigation_valve", "阀门", token: op)
            _ = try await h.send(
                .POST, h.community + "/devices/\(valve)/commands", token: op,
                raw: #"{"method":"open_valve","expiresInSeconds":60}"#)
            h.clock.advance(by: 61)
            try await h.app.deviceHub.tick()
            #expect(try await h.commands(op)[0].status == .expired)
            #expect(try await h.send(.GET, "/api/v1/\(token)/rpc?timeout=0").status == .requestTimeout)
            // SENT but never confirmed (the connection broke): handed out again, same id, one retry counted.
            let sent = try await h.send(
                .POST, h.community + "/devices/\(valve)/commands", token: op, raw: #"{"method":"close_valve"}"#)
            let id = try sent.content.decode(CommandRead.self).id
            let claimed = try await CommandQueue.claim(device: valve, now: h.clock.now(), on: h.app.db)
            #expect(claimed?.id == id)
            h.clock.advance(by: 31)
            try await h.app.deviceHub.tick()
            let requeued = try await h.commands(op).first { $0.id == id }
            #expect(requeued?.status == .queued && requeued?.retries == 1)
            let again = try await h.send(.GET, "/api/v1/\(token)/rpc?timeout=1000")
            #expect(again.text.contains(#""id":\#(id)"#))
        }
    }

    @Test func badTokensMalformedBodiesAndRefusedReadings() async throws {
        try await withLinli { h in
            let op = try await h.token("operator")
            let (soil, token) = try await h.device("soil_sensor", "草坪1", token: op)
            let bad = try await h.send(.POST, "/api/v1/not-a-token/telemetry", raw: #"{"soil_moisture":30}"#)
            #expect(bad.status == .unauthorized && bad.problem?.code == "invalid_device_token")
            let malformed = try await h.send(.POST, "/api/v1/\(token)/telemetry", raw: #"{"soil_moisture":"#)
            #expect(malformed.status == .badRequest && malformed.problem?.code == "invalid_body")
            #expect(try await h.send(.POST, "/api/v1/\(token)/telemetry", raw: "[1,2]").status == .badRequest)
            // Part of a batch refused: the rest is stored and the answer names what was refused and why.
            let mixed = try await h.send(
                .POST, "/api/v1/\(token)/telemetry",
                raw:
                    #"{"soil_moisture":{"value":45,"unit":"%"},"soil_temperature":{"value":20,"unit":"K"},"battery":"full"}"#,
                headers: ["Accept-Language": "en"])
            #expect(mixed.status == .ok)
            let answer = try mixed.content.decode(TelemetryAnswer.self)
            #expect(answer.accepted == 1)
            #expect(
                Set(answer.refused.map { "\($0.key):\($0.reason)" }) == [
                    "soil_temperature:wrong_unit", "battery:wrong_type",
                ])
            #expect(answer.refused.first { $0.key == "soil_temperature" }?.message == "Wrong unit")
            let allRefused = try await h.send(.POST, "/api/v1/\(token)/telemetry", raw: #"{"colour":"green"}"#)
            #expect(allRefused.status == .badRequest && allRefused.problem?.code == "telemetry_refused")
            #expect(allRefused.problem?.errors?.first?.reason == "unknown_key")
            let latest = try await TelemetryStore.latest(soil, on: h.app.db)
            #expect(latest.map(\.key) == ["soil_moisture"])
            // A disabled device is refused; a rotated token replaces the old one at once.
            _ = try await h.send(.PATCH, h.community + "/devices/\(soil)", token: op, raw: #"{"disabled":true}"#)
            #expect(
                try await h.send(.POST, "/api/v1/\(token)/telemetry", raw: #"{"soil_moisture":30}"#).status
                    == .forbidden)
            _ = try await h.send(.PATCH, h.community + "/devices/\(soil)", token: op, raw: #"{"disabled":false}"#)
            let rotated = try await h.send(.POST, h.community + "/devices/\(soil)/token", token: op)
            let fresh = try rotated.content.decode(DeviceCredentials.self).token
            #expect(
                try await h.send(.POST, "/api/v1/\(token)/telemetry", raw: #"{"soil_moisture":30}"#).status
                    == .unauthorized)
            #expect(try await h.send(.POST, "/api/v1/\(fresh)/telemetry", raw: #"{"soil_moisture":30}"#).status == .ok)
        }
    }

    @Test func provisioningWithTheCommunityKey() async throws {
        try await withLinli { h in
            let op = try await h.token("operator")
            let set = try await h.send(
                .PUT, h.community + "/provisioning", token: op,
                raw: #"{"enabled":true,"key":"test-key","secret":"test-secret","defaultType":"generic_sensor"}"#)
            #expect(set.status == .ok)
            let request =
                #"{"deviceName":"新传感器","provisionDeviceKey":"test-key","provisionDeviceSecret":"test-secret","deviceType":"water_leak"}"#
            let provisioned = try await h.send(.POST, "/api/v1/provision", raw: request)
            #expect(provisioned.status == .ok)
            let answer = try provisioned.content.decode(Provisioning.Answer.self)
            #expect(answer.status == "SUCCESS" && answer.credentialsType == "ACCESS_TOKEN")
            #expect(
                try await h.send(.POST, "/api/v1/\(answer.credentialsValue)/telemetry", raw: #"{"leak":false}"#).status
                    == .ok)
            #expect(try await h.send(.POST, "/api/v1/provision", raw: request).status == .conflict)
            let wrong = try await h.send(
                .POST, "/api/v1/provision",
                raw: #"{"deviceName":"x","provisionDeviceKey":"test-key","provisionDeviceSecret":"nope"}"#)
            #expect(wrong.status == .unauthorized && wrong.problem?.code == "provision_denied")
            let generic = try await h.send(
                .POST, "/api/v1/provision",
                raw: #"{"deviceName":"温湿度","provisionDeviceKey":"test-key","provisionDeviceSecret":"test-secret"}"#)
            #expect(generic.status == .ok)
            let devices = try await h.send(.GET, h.community + "/devices?type=generic_sensor", token: op)
            #expect(try devices.content.decode(ListPage<DeviceRead>.self).items.map(\.name) == ["温湿度"])
        }
    }

    @Test func csvImportIsAllOrNothing() async throws {
        try await withLinli { h in
            let op = try await h.token("operator")
            let csvType = HTTPMediaType(type: "text", subType: "csv")
            let bad = try await h.send(
                .POST, h.community + "/devices/import", token: op,
                raw: "类型,名称,楼栋,房号\nsmoke,1栋101烟感,1栋,101\nteapot,茶壶,,\nsmoke,1栋999烟感,1栋,999\n", contentType: csvType)
            #expect(bad.status == .unprocessableEntity)
            #expect(
                bad.problem?.errors?.map { "\($0.line ?? 0):\($0.reason)" } == [
                    "3:unknown_device_type", "4:import.unknown_household",
                ])
            #expect(try await h.count(Device.self) == 0)
            let good = try await h.send(
                .POST, h.community + "/devices/import", token: op,
                raw: "type,name,building,room,zone\nsmoke,1栋101烟感,1栋,101,\nsoil_sensor,东区草坪,,,东区\n",
                contentType: csvType)
            #expect(good.status == .created)
            let rows = try good.content.decode([ImportedDevice].self)
            #expect(rows.map(\.device.name) == ["1栋101烟感", "东区草坪"])
            #expect(rows[0].device.householdID == h.world.home && rows[1].device.zone == "东区")
            #expect(
                try await h.send(.POST, "/api/v1/\(rows[1].token)/telemetry", raw: #"{"soil_moisture":33}"#).status
                    == .ok)
        }
    }
}

@Suite struct TelemetryStoreTests {
    @Test func aggregatesFromRollUpsAndIgnoresRepeatedReadings() async throws {
        try await withLinli { h in
            let op = try await h.token("operator")
            let (meter, token) = try await h.device("electricity_meter", "1栋电表", token: op)
            let start = TimeBuckets.start(of: h.ms, .day) - 2 * 86_400_000
            // Two days of power readings every 10 minutes, in one array.
            var items: [String] = []
            for i in 0..<288 {
                items.append(#"{"ts":\#(start + Int64(i) * 600_000),"values":{"power":\#(100 + i % 7)}}"#)
            }
            let body = "[" + items.joined(separator: ",") + "]"
            let posted = try await h.send(.POST, "/api/v1/\(token)/telemetry", raw: body)
            #expect(posted.status == .ok, "\(posted.text)")
            // The device retries the same batch: nothing is counted twice.
            #expect(try await h.send(.POST, "/api/v1/\(token)/telemetry", raw: body).status == .ok)
            let path = h.community + "/devices/\(meter)/telemetry?key=power&from=\(start)&to=\(start + 2 * 86_400_000)"
            let dailyResponse = try await h.send(.GET, path + "&interval=day&agg=count", token: op)
            #expect(dailyResponse.status == .ok, "\(dailyResponse.text)")
            let daily = try dailyResponse.content.decode(SeriesRead.self)
            #expect(daily.points.map(\.value) == [.number(144), .number(144)])
            let hourly = try await h.send(.GET, path + "&interval=hour&agg=max", token: op).content.decode(
                SeriesRead.self)
            #expect(hourly.points.count == 48)
            let raw = (0..<6).map { Double(100 + $0 % 7) }
            #expect(hourly.points[0].value == .number(raw.max()!))
            let avg = try await h.send(.GET, path + "&interval=hour&agg=avg", token: op).content.decode(SeriesRead.self)
            #expect(avg.points[0].value == .number(raw.reduce(0, +) / 6))
            let minute = try await h.send(.GET, path + "&interval=minute&agg=sum&limit=5", token: op).content.decode(
                SeriesRead.self)
            #expect(minute.points.count == 5)
            let monthly = try await h.send(.GET, path + "&interval=month&agg=count", token: op).content.decode(
                SeriesRead.self)
            #expect(monthly.points.reduce(0) { $0 + ($1.count ?? 0) } == 288)
            let bad = try await h.send(.GET, path + "&interval=week", token: op)
            #expect(bad.status == .badRequest)
            // Retention: raw readings go, roll-ups stay.
            h.clock.advance(by: 91 * 86_400)
            try await h.app.deviceHub.tick()
            let fresh = try await h.token("operator")
            let later = h.community + "/devices/\(meter)/telemetry?key=power&from=\(start)&to=\(start + 2 * 86_400_000)"
            #expect(try await h.send(.GET, later, token: fresh).content.decode(SeriesRead.self).points.isEmpty)
            let kept = try await h.send(.GET, later + "&interval=day&agg=count", token: fresh).content.decode(
                SeriesRead.self)
            #expect(kept.points.count == 2)
        }
    }
}

@Suite struct RuleAndAlarmTests {
    /// The issue's rule: soil moisture < 20 % for 10 minutes → alarm + open the valve; clears when wet.
    @Test func drySoilOpensTheValveAndClears() async throws {
        try await withLinli { h in
            let op = try await h.token("operator")
            let (soil, soilToken) = try await h.device("soil_sensor", "东区土壤", token: op, extra: #","zone":"东区""#)
            let (valve, valveToken) = try await h.device("irrigation_valve", "东区阀门", token: op, extra: #","zone":"东区""#)
            let rule = try await h.send(
                .POST, h.community + "/rules", token: op,
                raw: #"""
                    {"name":"东区草坪缺水","scope":{"deviceType":"soil_sensor","zone":"东区"},"key":"soil_moisture",
                     "condition":{"kind":"below","value":20},"forMinutes":10,
                     "actions":[{"kind":"alarm","on":"fire","alarmType":"soil_dry","severity":"major"},
                                {"kind":"command","on":"fire","method":"open_valve","params":{"minutes":15},"targetDeviceID":"\#(valve)"},
                                {"kind":"command","on":"clear","method":"close_valve","targetDeviceID":"\#(valve)"},
                                {"kind":"task","on":"fire","title":"查看东区草坪","role":"property_staff"}]}
                    """#)
            #expect(rule.status == .created, "\(rule.text)")
            func moisture(_ value: Double) async throws {
                let r = try await h.send(.POST, "/api/v1/\(soilToken)/telemetry", raw: #"{"soil_moisture":\#(value)}"#)
                #expect(r.status == .ok)
            }
            try await moisture(15)
            h.clock.advance(by: 5 * 60)
            try await moisture(14)
            #expect(try await h.alarms(op).isEmpty)
            // Ten minutes after the first dry reading, with no new reading, the sweep fires the rule.
            h.clock.advance(by: 5 * 60)
            try await h.app.deviceHub.tick()
            let alarms = try await h.alarms(op, "&status=active")
            #expect(alarms.map(\.type) == ["soil_dry"])
            #expect(alarms.first?.deviceID == soil && alarms.first?.severity == .major)
            var commands = try await h.commands(op)
            #expect(commands.map(\.method) == ["open_valve"] && commands[0].deviceID == valve)
            let tasks = try await h.send(.GET, h.community + "/tasks?status=open", token: op).content.decode(
                ListPage<TaskRead>.self)
            #expect(tasks.items.map(\.title) == ["查看东区草坪"])
            // Still dry: the same alarm, no second command.
            h.clock.advance(by: 60)
            try await moisture(13)
            #expect(try await h.alarms(op).count == 1)
            #expect(try await h.commands(op).count == 1)
            // The valve takes its command.
            let poll = try await h.send(.GET, "/api/v1/\(valveToken)/rpc?timeout=1000")
            #expect(poll.text.contains("open_valve"))
            // Watered: the alarm clears by itself and the valve is told to close.
            h.clock.advance(by: 15 * 60)
            try await moisture(35)
            let cleared = try await h.alarms(op)
            #expect(cleared.map(\.status) == [.clearedUnack] && cleared[0].clearedBy == "system")
            commands = try await h.commands(op)
            #expect(commands.map(\.method) == ["close_valve", "open_valve"])
            // Dry again but only for 9 minutes: nothing fires.
            try await moisture(10)
            h.clock.advance(by: 9 * 60)
            try await h.app.deviceHub.tick()
            #expect(try await h.alarms(op, "&status=active").isEmpty)
        }
    }

    @Test func alarmLifecycleAndOneActivePerDeviceAndType() async throws {
        try await withLinli { h in
            let op = try await h.token("operator")
            let guardToken = try await h.token("guard")
            let (_, token) = try await h.device("gas", "1栋101燃气", token: op)
            _ = try await h.send(
                .POST, h.community + "/rules", token: op,
                raw:
                    #"{"name":"燃气泄漏","key":"gas_lel","condition":{"kind":"above","value":10},"actions":[{"kind":"alarm","on":"fire","alarmType":"gas_leak","severity":"critical"},{"kind":"notify","on":"fire","title":"燃气报警"}]}"#
            )
            _ = try await h.send(.POST, "/api/v1/\(token)/telemetry", raw: #"{"gas_lel":25}"#)
            let first = try await h.alarms(op)
            #expect(first.count == 1 && first[0].status == .activeUnack && first[0].severity == .critical)
            #expect(try await h.count(LinliServer.Notification.self) == 1)
            // The guard acknowledges; the alarm stays active until cleared.
            let ack = try await h.send(.POST, h.community + "/alarms/\(first[0].id)/ack", token: guardToken)
            #expect(ack.status == .ok)
            #expect(try ack.content.decode(AlarmRead.self).status == .activeAck)
            #expect(try ack.content.decode(AlarmRead.self).acknowledgedBy == "guard")
            // Cleared by hand, then a new leak is a new alarm.
            let clear = try await h.send(.POST, h.community + "/alarms/\(first[0].id)/clear", token: guardToken)
            #expect(try clear.content.decode(AlarmRead.self).status == .clearedAck)
            _ = try await h.send(.POST, "/api/v1/\(token)/telemetry", raw: #"{"gas_lel":5}"#)
            _ = try await h.send(.POST, "/api/v1/\(token)/telemetry", raw: #"{"gas_lel":30}"#)
            #expect(try await h.alarms(op, "&status=active").count == 1)
            #expect(try await h.alarms(op, "&status=CLEARED_ACK").count == 1)
            #expect(try await h.alarms(op, "&severity=critical").count == 2)
            #expect(try await h.send(.GET, h.community + "/alarms?status=bogus", token: op).status == .badRequest)
            // Residents and community workers cannot act on alarms.
            let worker = try await h.token("worker")
            let active = try await h.alarms(op, "&status=active")[0]
            #expect(
                try await h.send(.POST, h.community + "/alarms/\(active.id)/ack", token: worker).status == .forbidden)
        }
    }

    @Test func notificationsReachTheHouseholdAndTheRoleOnly() async throws {
        try await withLinli { h in
            let op = try await h.token("operator")
            let (_, token) = try await h.device(
                "water_leak", "1栋101水浸", token: op, extra: #","householdID":"\#(h.world.home)""#)
            _ = try await h.send(
                .POST, h.community + "/rules", token: op,
                raw:
                    #"{"name":"漏水","key":"leak","condition":{"kind":"above","value":0.5},"actions":[{"kind":"notify","on":"fire","title":"家中检测到漏水"},{"kind":"notify","on":"fire","title":"1栋101漏水，请上门","role":"guard"}]}"#
            )
            _ = try await h.send(.POST, "/api/v1/\(token)/telemetry", raw: #"{"leak":true}"#)
            func titles(_ who: String) async throws -> [String] {
                let response = try await h.send(.GET, "/api/v1/me/notifications", token: try await h.token(who))
                return try response.content.decode(ListPage<NotificationRead>.self).items.map(\.title)
            }
            // The rule's note, and home security's: a leak is a hazard the guards were called to.
            let home: Set = ["家中检测到漏水", "安防：烟雾、燃气或漏水报警，已通知保安"]
            #expect(Set(try await titles("owner")) == home)
            #expect(Set(try await titles("family")) == home)
            #expect(try await titles("neighbour").isEmpty)
            #expect(try await titles("guard") == ["1栋101漏水，请上门"])
            #expect(try await titles("property").isEmpty)
            #expect(try await titles("operatorB").isEmpty)
            // The resident sees it on the home page too.
            let browser = WebTests.Browser(h)
            try await browser.signIn(h.world.phones["owner"]!)
            #expect(try await browser.go(.GET, "/").text.contains("家中检测到漏水"))
        }
    }

    /// Several servers: a device's readings may reach any of them, so a rule fires once whichever server
    /// hears it, and an edited rule holds on all of them.
    @Test(.enabled(if: onPostgres)) func aRuleFiresOnceAcrossServersAndItsEditReachesThemAll() async throws {
        try await withLinli { h in
            try await h.app.asyncBoot()
            try await h.withOtherServers { servers in
                let other = servers[0]
                let op = try await h.token("operator")
                let (_, token) = try await h.device("water_leak", "2栋水浸", token: op)
                let created = try await h.send(
                    .POST, h.community + "/rules", token: op,
                    raw:
                        #"{"name":"漏水","key":"leak","condition":{"kind":"above","value":0.5},"actions":[{"kind":"alarm","on":"fire","alarmType":"water_leak","severity":"major"}]}"#
                )
                let ruleID = try created.content.decode(RuleRead.self).id
                func reading(_ server: Harness, _ value: Bool) async throws {
                    let answer = try await server.send(.POST, "/api/v1/\(token)/telemetry", raw: #"{"leak":\#(value)}"#)
                    #expect(answer.status == .ok)
                }
                try await reading(other, false)  // the second server has loaded the rule and the device's state
                try await reading(h, true)  // fires on the first
                let alarm = try #require(try await Alarm.query(on: h.app.db).filter(\.$type == "water_leak").first())
                #expect(alarm.repeats == 0)
                try await reading(other, true)  // the second knows it fired: no second firing
                #expect(try await Alarm.query(on: h.app.db).filter(\.$type == "water_leak").first()?.repeats == 0)
                // Cleared, then the rule is raised to 5 on the first server: the second applies 5.
                try await reading(h, false)
                let edited = try await h.send(
                    .PUT, h.community + "/rules/\(ruleID)", token: op,
                    raw:
                        #"{"name":"漏水","key":"leak","condition":{"kind":"above","value":5},"actions":[{"kind":"alarm","on":"fire","alarmType":"water_leak","severity":"major"}]}"#
                )
                #expect(edited.status == .ok, "\(edited.text)")
                try await Task.sleep(nanoseconds: 300_000_000)
                try await reading(other, true)
                #expect(try await Alarm.query(on: h.app.db).filter(\.$type == "water_leak").filter(\.$active == true).count() == 0)
            }
        }
    }

    @Test func liveAlarmFeedOverWebSocket() async throws {
        try await withLinli { h in
            let op = try await h.token("operator")
            let (_, token) = try await h.device("water_leak", "1栋101水浸", token: op)
            _ = try await h.send(
                .POST, h.community + "/rules", token: op,
                raw:
                    #"{"name":"漏水","key":"leak","condition":{"kind":"above","value":0.5},"actions":[{"kind":"alarm","on":"fire","alarmType":"water_leak","severity":"major"}]}"#
            )
            try await h.app.server.start(address: .hostname("127.0.0.1", port: 0))
            let port = h.app.http.server.shared.localAddress?.port ?? 0
            let frames = NIOLockedValueBox<[String]>([])
            var headers = HTTPHeaders()
            headers.bearerAuthorization = BearerAuthorization(token: op)
            let socket = NIOLockedValueBox<WebSocket?>(nil)
            try await WebSocket.connect(
                to: "ws://127.0.0.1:\(port)\(h.community)/alarms/live", headers: headers,
                on: h.app.eventLoopGroup.next()
            ) { ws in
                socket.withLockedValue { $0 = ws }
                ws.onText { _, text in frames.withLockedValue { $0.append(text) } }
            }.get()
            #expect(try await eventually(within: 2) { frames.withLockedValue { $0.contains { $0.contains("hello") } } })
            _ = try await h.send(.POST, "/api/v1/\(token)/telemetry", raw: #"{"leak":true}"#)
            #expect(try await eventually(within: 2) { frames.withLockedValue { $0.contains { $0.contains("water_leak") } } })
            try await socket.withLockedValue { $0 }?.close()
            // A plain GET of the feed is told what it lacks.
            let plain = try await h.send(.GET, h.community + "/alarms/live", token: op)
            #expect(plain.status == .badRequest && plain.body.string.contains("Upgrade: websocket"))

            // The console's page opens the same feed with the guard's session, from this site only.
            let guardBrowser = WebTests.Browser(h)
            try await guardBrowser.signIn(h.world.phones["guard"]!)
            let cookie = "linli_session=" + (guardBrowser.cookies["linli_session"] ?? "")
            func open(origin: String?) async throws -> Bool {
                var headers: HTTPHeaders = ["Cookie": cookie]
                if let origin { headers.add(name: .origin, value: origin) }
                let opened = NIOLockedValueBox(false)
                do {
                    try await WebSocket.connect(
                        to: "ws://127.0.0.1:\(port)\(AlarmFeed.path(h.world.a))", headers: headers,
                        on: h.app.eventLoopGroup.next()
                    ) { ws in
                        opened.withLockedValue { $0 = true }
                        _ = ws.close()
                    }.get()
                } catch { return false }
                // The connect future completes when the server answered 101, before the upgrade
                // callback has run on the event loop: wait for the callback rather than race it.
                return try await eventually(within: 2) { opened.withLockedValue { $0 } }
            }
            #expect(try await open(origin: "http://127.0.0.1:\(port)"), "the guard's own console could not open its feed")
            #expect(try await !open(origin: "https://evil.example"), "another site opened the guard's feed")
            // Without any sign-in: refused.
            var anonymous = HTTPHeaders()
            anonymous.add(name: .origin, value: "http://127.0.0.1:\(port)")
            await #expect(throws: (any Error).self) {
                try await WebSocket.connect(
                    to: "ws://127.0.0.1:\(port)\(AlarmFeed.path(h.world.a))", headers: anonymous,
                    on: h.app.eventLoopGroup.next()) { ws in _ = ws.close() }.get()
            }
            await h.app.server.shutdown()
        }
    }

    @Test func healthOfflineLowBatteryAndNeverUsed() async throws {
        try await withLinli { h in
            let op = try await h.token("operator")
            let (smoke, smokeToken) = try await h.device("smoke", "1栋101烟感", token: op)
            _ = try await h.device("kiosk", "大堂一体机", token: op)
            _ = try await h.send(.POST, "/api/v1/\(smokeToken)/telemetry", raw: #"{"smoke":false,"battery":15}"#)
            var alarms = try await h.alarms(op, "&status=active")
            #expect(alarms.map(\.type) == ["low_battery"])
            var health = try await h.send(.GET, h.community + "/device-health", token: op).content.decode(
                HealthRead.self)
            #expect(health.total == 2 && health.online == 1 && health.neverSeen == 1 && health.onlineRate == 0.5)
            #expect(health.lowBattery.map(\.deviceID) == [smoke] && health.neverUsed.map(\.name) == ["大堂一体机"])
            // An hour of silence: offline alarm and a maintenance task.
            h.clock.advance(by: 3601)
            try await h.app.deviceHub.tick()
            alarms = try await h.alarms(op, "&status=active")
            #expect(Set(alarms.map(\.type)) == ["low_battery", "offline"])
            let tasks = try await h.send(.GET, h.community + "/tasks", token: op, headers: ["Accept-Language": "en"])
            #expect(
                Set(try tasks.content.decode(ListPage<TaskRead>.self).items.map(\.title)) == [
                    "Replace the battery", "Check the offline device",
                ])
            health = try await h.send(.GET, h.community + "/device-health", token: op).content.decode(HealthRead.self)
            #expect(health.online == 0 && health.offlineLongest.first?.offlineSeconds == 3601)
            // A second sweep does not pile up alarms; a new battery and a message clear both.
            try await h.app.deviceHub.tick()
            // A poll for commands is contact too: the offline alarm clears; the battery is still low.
            #expect(try await h.send(.GET, "/api/v1/\(smokeToken)/rpc?timeout=0").status == .requestTimeout)
            #expect(try await h.alarms(op, "&status=active").map(\.type) == ["low_battery"])
            _ = try await h.send(.POST, "/api/v1/\(smokeToken)/telemetry", raw: #"{"battery":100}"#)
            #expect(try await h.alarms(op, "&status=active").isEmpty)
            #expect(try await h.alarms(op).count == 2)
        }
    }
}
