import Fluent
import Foundation
import LinliCore
import Vapor

extension GuardDeskAPI {
    @Sendable static func listGuardCalls(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        let status = req.query[String.self, at: "status"] ?? "open"
        switch status {
        case "open":
            let calls = try await GuardCalls.reads(try await GuardCalls.open(id, on: req.db), on: req.db)
            let options = try req.listOptions(.guardCalls)
            let start = min(options.offset, calls.count)
            return ListPage(
                items: Array(calls[start..<min(start + options.per, calls.count)]),
                metadata: PageMetadata(page: options.page, per: options.per, total: calls.count))
        case "closed":
            let options = try req.listOptions(.guardCalls)
            let page = try await GuardCall.scoped(to: id, on: req.db).filter(\.$step == .resolved)
                .page(options, map: { $0 })
            return ListPage(items: try await GuardCalls.reads(page.items, on: req.db), metadata: page.metadata)
        default:
            throw LinliError(
                .invalidListQuery, ["field": "status"], issues: [FieldIssue(field: "status", reason: "invalid_value")])
        }
    }

    /// The steps a guard takes on a call, each the last segment of its route.
    static let stepPaths: [(GuardDesk.Step, String)] = [
        (.acknowledged, "acknowledge"), (.dispatched, "dispatch"), (.onSite, "on-site"), (.resolved, "resolve"),
    ]

    /// The step of the route (`…/calls/{callID}/dispatch`).
    @Sendable static func takeCallStep(_ req: Request) async throws -> some AsyncResponseEncodable {
        let name = req.url.path.split(separator: "/").last.map(String.init) ?? ""
        guard let step = stepPaths.first(where: { $0.1 == name })?.0 else { throw LinliError(.notFound) }
        let id = try req.scope.communityID()
        let call = try await GuardCall.find(try req.id("callID"), in: id, on: req.db)
        let input =
            (req.body.data?.readableBytes ?? 0) > 0
            ? try req.decode(GuardStepInput.self) : GuardStepInput(guardID: nil, outcome: nil, note: nil)
        try await GuardCalls.act(call, step, input, by: try req.user().principal.personID, app: req.application)
        let fresh = try await GuardCall.find(try call.requireID(), in: id, on: req.db)
        return try await GuardCalls.reads([fresh], on: req.db)[0]
    }

    @Sendable static func guardFigures(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        return try await GuardCalls.figures(id, since: req.clock.now().addingTimeInterval(-30 * 86_400), on: req.db)
    }
}
