import Fluent
import Foundation
import LinliCore
import Vapor

extension CommunityMeters {
    @Sendable static func listMeterStates(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        return try req.page(try await states(id, now: req.clock.now(), on: req.db), .meterStates)
    }

    @Sendable static func getNetworkBalance(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        guard let kind = Usage.Kind(rawValue: req.query[String.self, at: "kind"] ?? "water") else {
            throw LinliError.invalid("kind", "invalid_value")
        }
        let now = req.clock.now()
        let period = req.query[String.self, at: "period"]
            ?? Billing.period(of: TimeBuckets.start(of: Int64(now.timeIntervalSince1970 * 1000), .month) - 1)
        return try await balance(id, kind: kind, period: period, on: req.db)
    }
}
