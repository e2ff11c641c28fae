import Fluent
import FluentSQL
import LinliCore
import Vapor

extension RegistryAPI {
    @Sendable static func listHouseholds(_ req: Request) async throws -> some AsyncResponseEncodable {
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

    @Sendable static func createHousehold(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        return Created(
            value: try HouseholdRead(
                try await Registry.createHousehold(in: id, try req.decode(HouseholdCreate.self), on: req)))
    }

    @Sendable static func getHousehold(_ req: Request) async throws -> some AsyncResponseEncodable {
        try HouseholdRead(try req.scope.home())
    }

    @Sendable static func updateHousehold(_ req: Request) async throws -> some AsyncResponseEncodable {
        let household = try req.scope.home()
        try req.authorize(.manageRegistry(household.communityID))
        try await Registry.updateHousehold(household, try req.decode(HouseholdUpdate.self), on: req)
        return try HouseholdRead(household)
    }

    @Sendable static func deleteHousehold(_ req: Request) async throws -> some AsyncResponseEncodable {
        let household = try req.scope.home()
        try req.authorize(.manageRegistry(household.communityID))
        if try await Membership.query(on: req.db).filter(\.$householdID == household.requireID()).count() > 0 {
            throw LinliError(.conflict)
        }
        try await Registry.delete(household, entity: "household", on: req)
        return NoContent()
    }

    @Sendable static func listMembers(_ req: Request) async throws -> some AsyncResponseEncodable {
        let household = try req.scope.home()
        return try req.page(try await members(of: try household.requireID(), on: req), .members)
    }

    @Sendable static func addMember(_ req: Request) async throws -> some AsyncResponseEncodable {
        let household = try req.scope.home()
        try req.authorize(.manageRegistry(household.communityID))
        let membership = try await Registry.addMember(to: household, try req.decode(MemberCreate.self), on: req)
        let person = try await Person.find(membership.personID, on: req.db)
        return Created(value: try MembershipRead(membership, person: person, today: req.today))
    }

    @Sendable static func updateMember(_ req: Request) async throws -> some AsyncResponseEncodable {
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
