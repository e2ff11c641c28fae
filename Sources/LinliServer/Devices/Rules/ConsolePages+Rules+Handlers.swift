import Fluent
import LinliCore
import Vapor

extension ConsolePages {
    @Sendable static func rulesPage(_ req: Request) async throws -> Response {
        try await rulesPage(req, editing: nil) 
    }

    @Sendable static func postRules(_ req: Request) async throws -> Response {
        let id = try req.id("communityID")
        try req.authorize(.manageDevices(id))
        _ = try await DeviceRegistry.saveRule(
            try req.content.decode(RuleForm.self).input(), existing: nil, in: id, by: req)
        req.flash(req.t("console.saved"))
        return req.redirect(to: DeviceRoute.rules(id).path)
    }

    @Sendable static func rulePage(_ req: Request) async throws -> Response {
        let record = try await RuleRecord.find(try req.id("ruleID"), in: try req.id("communityID"), on: req.db)
        return try await rulesPage(req, editing: record)
    }

    @Sendable static func postRule(_ req: Request) async throws -> Response {
        let id = try req.id("communityID")
        try req.authorize(.manageDevices(id))
        let record = try await RuleRecord.find(try req.id("ruleID"), in: id, on: req.db)
        _ = try await DeviceRegistry.saveRule(
            try req.content.decode(RuleForm.self).input(), existing: record, in: id, by: req)
        req.flash(req.t("console.saved"))
        return req.redirect(to: DeviceRoute.rules(id).path)
    }

    @Sendable static func postRuleToggle(_ req: Request) async throws -> Response {
        let id = try req.id("communityID")
        try req.authorize(.manageDevices(id))
        let record = try await RuleRecord.find(try req.id("ruleID"), in: id, on: req.db)
        var input = RuleForm(try DeviceRegistry.rule(record))
        input.enabled = record.enabled ? nil : "1"
        _ = try await DeviceRegistry.saveRule(try input.input(), existing: record, in: id, by: req)
        req.flash(req.t("console.saved"))
        return req.redirect(to: DeviceRoute.rules(id).path)
    }

    @Sendable static func postRuleDelete(_ req: Request) async throws -> Response {
        let id = try req.id("communityID")
        try req.authorize(.manageDevices(id))
        try await DeviceRegistry.deleteRule(try await RuleRecord.find(try req.id("ruleID"), in: id, on: req.db), by: req)
        req.flash(req.t("console.deleted"))
        return req.redirect(to: DeviceRoute.rules(id).path)
    }
}
