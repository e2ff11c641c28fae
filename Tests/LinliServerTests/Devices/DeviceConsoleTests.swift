import Fluent
import Foundation
import LinliCore
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

/// The console's device pages, driven through their forms as an operator and a guard would.
@Suite struct DeviceConsoleTests {
    @Test func operatorAddsADeviceWritesARuleAndTheGuardHandlesTheAlarm() async throws {
        try await withLinli { h in
            let browser = WebTests.Browser(h)
            try await browser.signIn(h.world.phones["operator"]!)
            let c = "/console/\(h.world.a)"
            let devices = try await browser.go(.GET, c + "/devices")
            #expect(devices.status == .ok && devices.text.contains("添加设备"))
            let added = try await browser.go(
                .POST, c + "/devices",
                form: [
                    "_csrf": browser.csrf(devices), "type": "gas", "name": "1栋101燃气",
                    "buildingID": h.world.building.uuidString,
                    "room": "101", "zone": "",
                ])
            // The token is shown once, in the answer to the form, and never on the device page.
            #expect(added.status == .created)
            let token = try #require(
                added.text.range(of: #"id="secret">"#).map { range in
                    String(added.text[range.upperBound...].prefix { $0.isLetter || $0.isNumber })
                })
            #expect(token.count == 20)
            let back = try #require(added.text.range(of: #"" id="secret-back""#))
            let href = try #require(added.text.range(of: #"href=""#, options: .backwards, range: added.text.startIndex..<back.lowerBound))
            let devicePath = String(added.text[href.upperBound..<back.lowerBound])
            let page = try await browser.go(.GET, devicePath)
            #expect(!page.text.contains(token))
            #expect(page.text.contains("1栋 101") && page.text.contains("从未上线"))
            #expect(try await h.send(.POST, "/api/v1/\(token)/telemetry", raw: #"{"gas_lel":3.5}"#).status == .ok)
            let reloaded = try await browser.go(.GET, devicePath)
            #expect(reloaded.text.contains("3.50 %LEL") && reloaded.text.contains("在线"))
            // A command from the device page.
            let command = try await browser.go(
                .POST, devicePath + "/command",
                form: ["_csrf": browser.csrf(reloaded), "method": "close_valve", "params": ""])
            #expect(command.status == .seeOther)
            #expect(try await browser.go(.GET, devicePath).text.contains("排队中"))
            // A rule written in the form, without code.
            let rules = try await browser.go(.GET, c + "/rules")
            let saved = try await browser.go(
                .POST, c + "/rules",
                form: [
                    "_csrf": browser.csrf(rules), "name": "燃气超标", "enabled": "1", "deviceType": "gas", "key": "gas_lel",
                    "condition": "above", "value": "10", "forMinutes": "0", "alarmType": "gas_leak",
                    "severity": "critical",
                    "taskTitle": "上门检查燃气", "taskRole": "guard", "notifyTitle": "", "method": "", "clearMethod": "",
                ])
            #expect(saved.status == .seeOther)
            let listed = try await browser.go(.GET, c + "/rules")
            #expect(listed.text.contains("燃气超标") && listed.text.contains("gas_lel &gt; 10"))
            // A bad form comes back with the reason, and nothing is stored.
            let bad = try await browser.go(
                .POST, c + "/rules",
                form: [
                    "_csrf": browser.csrf(listed), "name": "坏规则", "key": "gas_lel", "condition": "between", "low": "5",
                ],
            )
            #expect(bad.status == .unprocessableEntity && bad.text.contains("condition.high"))
            #expect(try await RuleRecord.query(on: h.app.db).count() == 1)

            _ = try await h.send(.POST, "/api/v1/\(token)/telemetry", raw: #"{"gas_lel":25}"#)
            let guardBrowser = WebTests.Browser(h)
            try await guardBrowser.signIn(h.world.phones["guard"]!)
            let alarms = try await guardBrowser.go(.GET, c + "/alarms?status=active")
            #expect(alarms.text.contains("燃气泄漏") && alarms.text.contains("紧急") && alarms.text.contains("确认"))
            #expect(alarms.text.contains(#"data-feed="\#(AlarmFeed.path(h.world.a))""#))
            let alarm = try await Alarm.query(on: h.app.db).first()
            let ack = try await guardBrowser.go(
                .POST, c + "/alarms/\(alarm!.id!)/ack", form: ["_csrf": guardBrowser.csrf(alarms)])
            #expect(ack.status == .seeOther)
            #expect(try await guardBrowser.go(.GET, c + "/alarms").text.contains("guard 于"))
            // The guard sees the task on the health page and finishes it; cannot add devices.
            let health = try await guardBrowser.go(.GET, c + "/device-health")
            #expect(health.text.contains("上门检查燃气") && health.text.contains("在线率"))
            let task = try await StaffTask.query(on: h.app.db).first()
            _ = try await guardBrowser.go(
                .POST, c + "/tasks/\(task!.id!)/done", form: ["_csrf": guardBrowser.csrf(health)])
            #expect(try await StaffTask.query(on: h.app.db).first()?.status == .done)
            let refused = try await guardBrowser.go(
                .POST, c + "/devices", form: ["_csrf": guardBrowser.csrf(health), "type": "smoke", "name": "x"])
            #expect(refused.status == .forbidden)
        }
    }
}
