import Fluent
import Foundation
import LinliCore
import Vapor

extension Wallet {
    @Sendable static func recordRecyclingCollection(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        return Created(value: try await Collections.record(id, try req.decode(CollectionInput.self), on: req))
    }

    @Sendable static func listRecyclingCollections(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        return try await RecyclingCollection.query(on: req.db).filter(\.$communityID == id)
            .page(try req.listOptions(.recyclingCollections), map: CollectionRead.init)
    }

    @Sendable static func getRecyclingFigures(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        let by = req.query[String.self, at: "by"] ?? "week"
        guard by == "week" || by == "month" else { throw LinliError.invalid("by", "invalid_value") }
        return try await Collections.figures(id, weekly: by == "week", count: by == "week" ? 8 : 6, now: req.clock.now(), on: req.db)
    }
}
