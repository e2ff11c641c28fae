import Fluent
import FluentSQL
import LinliCore
import Vapor

extension DeviceHubAPI {
    @Sendable static func listRules(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        let options = try req.listOptions(.rules)
        var query = RuleRecord.scoped(to: id, on: req.db)
        if let q = options.query { query = query.filter(\.$name ~~ q) }
        return try await query.page(options, map: { RuleRead(try DeviceRegistry.rule($0)) })
    }

    @Sendable static func createRule(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        return Created(
            value: RuleRead(
                try await DeviceRegistry.saveRule(try req.decode(RuleInput.self), existing: nil, in: id, by: req)))
    }

    @Sendable static func getRule(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        return RuleRead(
            try DeviceRegistry.rule(try await RuleRecord.find(try req.id("ruleID"), in: id, on: req.db)))
    }

    @Sendable static func updateRule(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        let record = try await RuleRecord.find(try req.id("ruleID"), in: id, on: req.db)
        return RuleRead(
            try await DeviceRegistry.saveRule(try req.decode(RuleInput.self), existing: record, in: id, by: req))
    }

    @Sendable static func deleteRule(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        try await DeviceRegistry.deleteRule(
            try await RuleRecord.find(try req.id("ruleID"), in: id, on: req.db), by: req)
        return NoContent()
    }

    @Sendable static func listAlarms(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        return try await alarmPage(in: id, on: req)
    }

    @Sendable static func acknowledgeAlarm(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        let alarm = try await Alarm.find(try req.id("alarmID"), in: id, on: req.db)
        try await DeviceRegistry.acknowledge(alarm, by: req)
        return try AlarmRead(alarm, deviceName: try await Device.find(alarm.deviceID, on: req.db)?.name)
    }

    @Sendable static func clearAlarm(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        let alarm = try await Alarm.find(try req.id("alarmID"), in: id, on: req.db)
        try await DeviceRegistry.clear(alarm, by: req)
        return try AlarmRead(alarm, deviceName: try await Device.find(alarm.deviceID, on: req.db)?.name)
    }

    @Sendable static func listTasks(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        let options = try req.listOptions(.tasks)
        var query = StaffTask.scoped(to: id, on: req.db)
        if let text = req.query[String.self, at: "status"] {
            guard let status = TaskStatus(rawValue: text) else {
                throw LinliError(
                    .invalidListQuery, ["field": "status"],
                    issues: [FieldIssue(field: "status", reason: "invalid_value")])
            }
            query = query.filter(\.$status == status)
        }
        return try await query.page(options, map: { try TaskRead($0, title: req.t($0.title)) })
    }

    @Sendable static func finishTask(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        let task = try await StaffTask.find(try req.id("taskID"), in: id, on: req.db)
        try await DeviceRegistry.finish(task, by: req)
        return try TaskRead(task, title: req.t(task.title))
    }
}
