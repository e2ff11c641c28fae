import Fluent
import FluentSQL
import LinliCore
import Vapor

extension RegistryAPI {
    @Sendable static func listCommunities(_ req: Request) async throws -> some AsyncResponseEncodable {
        let options = try req.listOptions(.communities)
        let user = try req.user()
        var query = Community.query(on: req.db)
        if !user.principal.isAdmin { query = query.filter(\.$id ~~ Array(user.principal.communities)) }
        if let q = options.query { query = query.filter(\.$name ~~ q) }
        return try await query.page(options, map: CommunityRead.init)
    }

    @Sendable static func createCommunity(_ req: Request) async throws -> some AsyncResponseEncodable {
        Created(
            value: try CommunityRead(
                try await Registry.createCommunity(try req.decode(CommunityCreate.self), on: req)))
    }

    @Sendable static func getCommunity(_ req: Request) async throws -> some AsyncResponseEncodable {
        try CommunityRead(try await community(req))
    }

    @Sendable static func updateCommunity(_ req: Request) async throws -> some AsyncResponseEncodable {
        let community = try await community(req)
        try req.authorize(.manageCommunity(try community.requireID()))
        try await Registry.updateCommunity(community, try req.decode(CommunityUpdate.self), on: req)
        return try CommunityRead(community)
    }
}
