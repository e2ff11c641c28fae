import Fluent
import Foundation
import LinliCore
import Vapor

extension DeviceRegistry {
    static func validate(_ input: RuleInput, id: UUID, in community: UUID, on req: Request) async throws -> Rule {
        var v = Validation()
        let name = v.text(input.name, "name", max: 80) ?? ""
        let key = v.text(input.key, "key", max: 64) ?? ""
        if let missing = input.condition.missingField { v.fail("condition.\(missing)", "missing_value") }
        v.range(input.forMinutes, "forMinutes", 0...10_080)
        if input.actions.isEmpty { v.fail("actions", "missing_value") }
        let scope = input.scope ?? RuleScope()
        if let type = scope.deviceType, DeviceCatalog.type(type) == nil {
            v.fail("scope.deviceType", "unknown_device_type")
        }
        for (index, action) in input.actions.enumerated() {
            if let missing = action.missingField { v.fail("actions[\(index)].\(missing)", "missing_value") }
            if action.kind == .alarm, action.on == .clear { v.fail("actions[\(index)].on", "invalid_value") }
            if action.kind == .command, action.targetDeviceID == nil,
                let type = scope.deviceType.flatMap(DeviceCatalog.type),
                !type.openKeys, type.command(action.method ?? "") == nil
            {
                v.fail("actions[\(index)].method", "unknown_method")
            }
            if (action.title ?? "").count > 120 { v.fail("actions[\(index)].title", "too_long") }
        }
        try v.check()
        if let building = scope.buildingID { _ = try await Building.find(building, in: community, on: req.db) }
        if let household = scope.householdID { _ = try await Household.find(household, in: community, on: req.db) }
        if let device = scope.deviceID { _ = try await Device.find(device, in: community, on: req.db) }
        for action in input.actions {
            if let target = action.targetDeviceID { _ = try await Device.find(target, in: community, on: req.db) }
        }
        return Rule(
            id: id, name: name, enabled: input.enabled ?? true, scope: scope, key: key, condition: input.condition,
            forMinutes: input.forMinutes ?? 0, actions: input.actions)
    }

    static func saveRule(_ input: RuleInput, existing: RuleRecord?, in community: UUID, by req: Request) async throws
        -> Rule
    {
        try req.authorize(.manageDevices(community))
        let record = existing ?? RuleRecord()
        let id = existing?.id ?? UUID()
        let rule = try await validate(input, id: id, in: community, on: req)
        let before = existing.flatMap { try? JSONDecoder.linli.decode(Rule.self, from: Data($0.definition.utf8)) }
        record.id = id
        record.communityID = community
        record.name = rule.name
        record.enabled = rule.enabled
        record.definition = String(decoding: try JSONEncoder.linli.encode(rule), as: UTF8.self)
        try await req.db.writeTransaction { db in
            if try await RuleRecord.scoped(to: community, on: db).filter(\.$name == rule.name).filter(\.$id != id)
                .first()
                != nil
            {
                throw LinliError(.conflict)
            }
            try await record.save(on: db)
            if let before, before.condition != rule.condition || before.key != rule.key || before.scope != rule.scope {
                try await RuleStateRecord.query(on: db).filter(\.$ruleID == id).delete()
            }
            try await Audit.record(
                existing == nil ? .create : .update, "rule", id: id, community: community,
                before: before.map(RuleRead.init),
                after: RuleRead(rule), by: req, on: db)
        }
        let reset = before.map { $0.condition != rule.condition || $0.key != rule.key || $0.scope != rule.scope } ?? false
        if reset { await req.deviceHub.rules.forget(rule: id) }
        await req.deviceHub.rules.invalidate()
        req.application.events.publish(RulesChanged(rule: id, reset: reset))
        return rule
    }

    static func deleteRule(_ record: RuleRecord, by req: Request) async throws {
        try req.authorize(.manageDevices(record.communityID))
        let id = try record.requireID()
        try await req.db.writeTransaction { db in
            try await RuleStateRecord.query(on: db).filter(\.$ruleID == id).delete()
            try await record.delete(on: db)
            try await Audit.record(.delete, "rule", id: id, community: record.communityID, by: req, on: db)
        }
        await req.deviceHub.rules.forget(rule: id)
        await req.deviceHub.rules.invalidate()
        req.application.events.publish(RulesChanged(rule: id, reset: true))
    }

    static func rule(_ record: RuleRecord) throws -> Rule {
        try JSONDecoder.linli.decode(Rule.self, from: Data(record.definition.utf8))
    }
}
