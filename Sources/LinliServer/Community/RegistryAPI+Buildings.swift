import Fluent
import FluentSQL
import LinliCore
import Vapor

extension RegistryAPI {
    /// Buildings of a community.
    static func registerBuildings(_ app: Application, _ api: any RoutesBuilder) {
        api.register(
            .init(
                method: .GET, path: c + "/buildings", operationID: "listBuildings", summary: "Buildings",
                tag: "registry", authority: .community { .viewRegistry($0) }, response: Schema.page(of: "Building"),
                query: Endpoint.listQuery(.buildings)), in: app
        ) { req in
            let id = try req.scope.communityID()
            let options = try req.listOptions(.buildings)
            var query = Building.scoped(to: id, on: req.db)
            if let q = options.query { query = query.filter(\.$name ~~ q) }
            return try await query.page(
                options, map: BuildingRead.init)
        }
        api.register(
            .init(
                method: .POST, path: c + "/buildings", operationID: "createBuilding", summary: "Add a building",
                tag: "registry", authority: .community { .manageRegistry($0) }, body: Schema.ref("BuildingCreate"), status: .created,
                response: Schema.ref("Building")), in: app
        ) { req in
            let id = try req.scope.communityID()
            return Created(
                value: try BuildingRead(
                    try await Registry.createBuilding(in: id, try req.decode(BuildingCreate.self), on: req)))
        }
        api.register(
            .init(
                method: .GET, path: c + "/buildings/{buildingID}", operationID: "getBuilding",
                summary: "One building", tag: "registry", authority: .community { .viewRegistry($0) }, response: Schema.ref("Building")), in: app
        ) { req in
            let id = try req.scope.communityID()
            return try BuildingRead(try await Building.find(try req.id("buildingID"), in: id, on: req.db))
        }
        api.register(
            .init(
                method: .PATCH, path: c + "/buildings/{buildingID}", operationID: "updateBuilding",
                summary: "Change a building", tag: "registry", authority: .community { .manageRegistry($0) }, body: Schema.ref("BuildingUpdate"),
                response: Schema.ref("Building")), in: app
        ) { req in
            let id = try req.scope.communityID()
            let building = try await Building.find(try req.id("buildingID"), in: id, on: req.db)
            try await Registry.updateBuilding(building, try req.decode(BuildingUpdate.self), on: req)
            return try BuildingRead(building)
        }
        api.register(
            .init(
                method: .DELETE, path: c + "/buildings/{buildingID}", operationID: "deleteBuilding",
                summary: "Remove a building without households", tag: "registry", authority: .community { .manageRegistry($0) }, status: .noContent), in: app
        ) { req in
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
}
