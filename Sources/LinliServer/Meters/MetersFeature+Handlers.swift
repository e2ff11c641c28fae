import Fluent
import Foundation
import LinliCore
import Vapor

extension Meters {
    @Sendable static func getUsage(_ req: Request) async throws -> some AsyncResponseEncodable {
        let household = try req.scope.home()
        let text = req.query[String.self, at: "kind"] ?? "water"
        guard let kind = Usage.Kind(rawValue: text) else { throw LinliError.invalid("kind", "invalid_value") }
        return try await Usage.read(household, kind, now: req.clock.now(), on: req.db)
    }

    @Sendable static func setPrepaid(_ req: Request) async throws -> some AsyncResponseEncodable {
        let household = try req.scope.home()
        try req.authorize(.manageFinance(household.communityID))
        return try await Prepaid.configure(household, try req.decode(PrepaidInput.self), on: req)
    }

    @Sendable static func getPrepaid(_ req: Request) async throws -> some AsyncResponseEncodable {
        let household = try req.scope.home()
        guard let row = try await PrepaidAccount.query(on: req.db).filter(\.$householdID == (try household.requireID()))
            .first(), row.enabled
        else { throw LinliError(.notFound) }
        return try await Prepaid.read(row, on: req.application, db: req.db)
    }

    @Sendable static func topUpPrepaid(_ req: Request) async throws -> some AsyncResponseEncodable {
        let household = try req.scope.home()
        return Created(value: try await Prepaid.topUp(household, try req.decode(TopUpInput.self), on: req))
    }
}
