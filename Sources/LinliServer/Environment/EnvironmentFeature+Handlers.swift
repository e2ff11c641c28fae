import Fluent
import Foundation
import LinliCore
import Vapor

extension SmartEnvironment {
    @Sendable static func previewWateringScale(_ req: Request) async throws -> some AsyncResponseEncodable {
        _ = try req.scope.communityID()
        return try preview(try req.decode(ScalePreviewInput.self))
    }
}
