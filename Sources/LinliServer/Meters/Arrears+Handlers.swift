import Fluent
import Foundation
import LinliCore
import Vapor

extension Arrears {
    @Sendable static func listArrears(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        return try req.page(try await list(id, now: req.clock.now(), on: req.db), .arrears)
    }
}
