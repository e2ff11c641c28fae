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
                query: Endpoint.listQuery(.buildings)), in: app, listBuildings)
        api.register(
            .init(
                method: .POST, path: c + "/buildings", operationID: "createBuilding", summary: "Add a building",
                tag: "registry", authority: .community { .manageRegistry($0) }, body: Schema.ref("BuildingCreate"), status: .created,
                response: Schema.ref("Building")), in: app, createBuilding)
        api.register(
            .init(
                method: .GET, path: c + "/buildings/{buildingID}", operationID: "getBuilding",
                summary: "One building", tag: "registry", authority: .community { .viewRegistry($0) }, response: Schema.ref("Building")), in: app, getBuilding)
        api.register(
            .init(
                method: .PATCH, path: c + "/buildings/{buildingID}", operationID: "updateBuilding",
                summary: "Change a building", tag: "registry", authority: .community { .manageRegistry($0) }, body: Schema.ref("BuildingUpdate"),
                response: Schema.ref("Building")), in: app, updateBuilding)
        api.register(
            .init(
                method: .DELETE, path: c + "/buildings/{buildingID}", operationID: "deleteBuilding",
                summary: "Remove a building without households", tag: "registry", authority: .community { .manageRegistry($0) }, status: .noContent), in: app, deleteBuilding)
    }
}
