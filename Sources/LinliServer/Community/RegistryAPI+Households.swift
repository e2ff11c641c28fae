import Fluent
import FluentSQL
import LinliCore
import Vapor

extension RegistryAPI {
    /// Households and who lives in them.
    static func registerHouseholds(_ app: Application, _ api: any RoutesBuilder) {
        api.register(
            .init(
                method: .GET, path: c + "/households", operationID: "listHouseholds", summary: "Households",
                tag: "registry", authority: .community { .viewRegistry($0) }, response: Schema.page(of: "Household"),
                query: Endpoint.listQuery(.households)
                    + [.init(name: "buildingID", schema: Schema.uuid)]), in: app, listHouseholds)
        api.register(
            .init(
                method: .POST, path: c + "/households", operationID: "createHousehold",
                summary: "Add a household", tag: "registry", authority: .community { .manageRegistry($0) }, body: Schema.ref("HouseholdCreate"),
                status: .created, response: Schema.ref("Household")), in: app, createHousehold)
        api.register(
            .init(
                method: .GET, path: c + "/households/{householdID}", operationID: "getHousehold",
                summary: "One household (its residents may read it)", tag: "registry", authority: .household,
                response: Schema.ref("Household")), in: app, getHousehold)
        api.register(
            .init(
                method: .PATCH, path: c + "/households/{householdID}", operationID: "updateHousehold",
                summary: "Change a household", tag: "registry", authority: .household, body: Schema.ref("HouseholdUpdate"),
                response: Schema.ref("Household")), in: app, updateHousehold)
        api.register(
            .init(
                method: .DELETE, path: c + "/households/{householdID}", operationID: "deleteHousehold",
                summary: "Remove a household that never had residents", tag: "registry", authority: .household, status: .noContent), in: app, deleteHousehold)
        api.register(
            .init(
                method: .GET, path: c + "/households/{householdID}/members", operationID: "listMembers",
                summary: "Who lives or lived in a household", tag: "registry", authority: .household,
                response: Schema.page(of: "Membership"), query: Endpoint.listQuery(.members)), in: app, listMembers)
        api.register(
            .init(
                method: .POST, path: c + "/households/{householdID}/members", operationID: "addMember",
                summary: "Add a known person to a household", tag: "registry", authority: .household,
                body: Schema.ref("MemberCreate"), status: .created, response: Schema.ref("Membership")), in: app, addMember)
        api.register(
            .init(
                method: .PATCH, path: c + "/households/{householdID}/members/{membershipID}",
                operationID: "updateMember", summary: "Change a relation or move someone out",
                tag: "registry", authority: .household, body: Schema.ref("MembershipUpdate"), response: Schema.ref("Membership")), in: app, updateMember)
    }
}
