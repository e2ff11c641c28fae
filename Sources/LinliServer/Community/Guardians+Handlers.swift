import Fluent
import LinliCore
import Vapor

extension Guardians {
    @Sendable static func listGuardians(_ req: Request) async throws -> some AsyncResponseEncodable {
        let (child, community) = try await RegistryAPI.person(req)
        try req.authorize(.viewRegistry(community))
        return try req.page(try await list(child: child.requireID(), in: community, on: req.db), .guardians)
    }

    @Sendable static func registerGuardian(_ req: Request) async throws -> some AsyncResponseEncodable {
        let (child, community) = try await RegistryAPI.person(req)
        try req.authorize(.manageRegistry(community))
        return Created(value: try await register(try req.decode(GuardianCreate.self), child: child, in: community, on: req))
    }

    @Sendable static func removeGuardian(_ req: Request) async throws -> some AsyncResponseEncodable {
        let (child, community) = try await RegistryAPI.person(req)
        try req.authorize(.manageRegistry(community))
        try await remove(guardian: try req.id("guardianID"), child: child.requireID(), in: community, on: req)
        return NoContent()
    }
}
