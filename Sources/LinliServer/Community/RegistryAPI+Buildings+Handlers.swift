import Fluent
import FluentSQL
import LinliCore
import Vapor

extension RegistryAPI {
    @Sendable static func listBuildings(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        let options = try req.listOptions(.buildings)
        var query = Building.scoped(to: id, on: req.db)
        if let q = options.query { query = query.filter(\.$name ~~ q) }
        return try await query.page(
            options, map: BuildingRead.init)
    }

    @Sendable static func createBuilding(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        return Created(
            value: try BuildingRead(
                try await Registry.createBuilding(in: id, try req.decode(BuildingCreate.self), on: req)))
    }

    @Sendable static func getBuilding(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        return try BuildingRead(try await Building.find(try req.id("buildingID"), in: id, on: req.db))
    }

    @Sendable static func updateBuilding(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        let building = try await Building.find(try req.id("buildingID"), in: id, on: req.db)
        try await Registry.updateBuilding(building, try req.decode(BuildingUpdate.self), on: req)
        return try BuildingRead(building)
    }

    @Sendable static func deleteBuilding(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        let building = try await Building.find(try req.id("buildingID"), in: id, on: req.db)
        try req.authorize(.manageRegistry(id))
        if try await Household.query(on: req.db).filter(\.$buildingID == building.requireID()).count() > 0 {
            throw LinliError(.conflict)
        }
        try await Registry.delete(building, entity: "building", on: req)
        return NoContent()
    }
}
