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
                    + [.init(name: "buildingID", schema: Schema.uuid)]), in: app
        ) { req in
            let id = try req.scope.communityID()
            let options = try req.listOptions(.households)
            var query = Household.scoped(to: id, on: req.db)
            if let text = req.query[String.self, at: "buildingID"] {
                guard let building = UUID(uuidString: text) else {
                    throw LinliError.invalid("buildingID", "invalid_value")
                }
                query = query.filter(\.$buildingID == building)
            }
            if let q = options.query { query = query.filter(\.$room ~~ q) }
            return try await query.page(options, map: HouseholdRead.init)
        }
        api.register(
            .init(
                method: .POST, path: c + "/households", operationID: "createHousehold",
                summary: "Add a household", tag: "registry", authority: .community { .manageRegistry($0) }, body: Schema.ref("HouseholdCreate"),
                status: .created, response: Schema.ref("Household")), in: app
        ) { req in
            let id = try req.scope.communityID()
            return Created(
                value: try HouseholdRead(
                    try await Registry.createHousehold(in: id, try req.decode(HouseholdCreate.self), on: req)))
        }
        api.register(
            .init(
                method: .GET, path: c + "/households/{householdID}", operationID: "getHousehold",
                summary: "One household (its residents may read it)", tag: "registry", authority: .household,
                response: Schema.ref("Household")), in: app
        ) { req in
            try HouseholdRead(try req.scope.home())
        }
        api.register(
            .init(
                method: .PATCH, path: c + "/households/{householdID}", operationID: "updateHousehold",
                summary: "Change a household", tag: "registry", authority: .household, body: Schema.ref("HouseholdUpdate"),
                response: Schema.ref("Household")), in: app
        ) { req in
            let household = try req.scope.home()
            try req.authorize(.manageRegistry(household.communityID))
            try await Registry.updateHousehold(household, try req.decode(HouseholdUpdate.self), on: req)
            return try HouseholdRead(household)
        }
        api.register(
            .init(
                method: .DELETE, path: c + "/households/{householdID}", operationID: "deleteHousehold",
                summary: "Remove a household that never had residents", tag: "registry", authority: .household, status: .noContent), in: app
        ) { req in
            let household = try req.scope.home()
            try req.authorize(.manageRegistry(household.communityID))
            if try await Membership.query(on: req.db).filter(\.$householdID == household.requireID()).count() > 0 {
                throw LinliError(.conflict)
            }
            try await Registry.delete(household, entity: "household", on: req)
            return NoContent()
        }
        api.register(
            .init(
                method: .GET, path: c + "/households/{householdID}/members", operationID: "listMembers",
                summary: "Who lives or lived in a household", tag: "registry", authority: .household,
                response: Schema.page(of: "Membership"), query: Endpoint.listQuery(.members)), in: app
        ) { req in
            let household = try req.scope.home()
            return try req.page(try await members(of: try household.requireID(), on: req), .members)
        }
        api.register(
            .init(
                method: .POST, path: c + "/households/{householdID}/members", operationID: "addMember",
                summary: "Add a known person to a household", tag: "registry", authority: .household,
                body: Schema.ref("MemberCreate"), status: .created, response: Schema.ref("Membership")), in: app
        ) { req in
            let household = try req.scope.home()
            try req.authorize(.manageRegistry(household.communityID))
            let membership = try await Registry.addMember(to: household, try req.decode(MemberCreate.self), on: req)
            let person = try await Person.find(membership.personID, on: req.db)
            return Created(value: try MembershipRead(membership, person: person, today: req.today))
        }
        api.register(
            .init(
                method: .PATCH, path: c + "/households/{householdID}/members/{membershipID}",
                operationID: "updateMember", summary: "Change a relation or move someone out",
                tag: "registry", authority: .household, body: Schema.ref("MembershipUpdate"), response: Schema.ref("Membership")), in: app
        ) { req in
            let household = try req.scope.home()
            try req.authorize(.manageRegistry(household.communityID))
            let membership = try await Membership.find(
                try req.id("membershipID"), in: household.communityID, on: req.db)
            guard membership.householdID == household.id else { throw LinliError(.notFound) }
            try await Registry.updateMembership(membership, try req.decode(MembershipUpdate.self), on: req)
            let person = try await Person.find(membership.personID, on: req.db)
            return try MembershipRead(membership, person: person, today: req.today)
        }
    }
}
