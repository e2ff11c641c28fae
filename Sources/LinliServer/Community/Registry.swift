import Fluent
import LinliCore
import Vapor

/// The registry's writes, shared by the JSON API and the console pages.
/// Each one authorises, validates, writes in one transaction and audits in that same transaction.
enum Registry {
    static func createCommunity(_ input: CommunityCreate, on req: Request) async throws -> Community {
        try req.authorize(.createCommunity)
        var v = Validation()
        let name = v.text(input.name, "name", max: 100)
        let address = v.text(input.address, "address", max: 200)
        try v.check()
        if try await Community.query(on: req.db).filter(\.$name == name ?? "").first() != nil {
            throw LinliError(.conflict)
        }
        let community = Community(name: name ?? "", address: address ?? "")
        try await req.db.writeTransaction { db in
            try await community.create(on: db)
            try await Audit.record(
                .create, "community", id: community.id, community: try community.requireID(),
                after: try CommunityRead(community), by: req, on: db)
        }
        return community
    }

    static func updateCommunity(_ community: Community, _ input: CommunityUpdate, on req: Request) async throws {
        let id = try community.requireID()
        try req.authorize(.manageCommunity(id))
        let before = try CommunityRead(community)
        var v = Validation()
        if let name = v.text(input.name, "name", max: 100, required: false) { community.name = name }
        if let address = v.text(input.address, "address", max: 200, required: false) { community.address = address }
        try v.check()
        try await req.db.writeTransaction { db in
            try await community.save(on: db)
            try await Audit.record(
                .update, "community", id: id, community: id, before: before,
                after: try CommunityRead(community), by: req, on: db)
        }
        // Names of homes are cached with the people signed in.
        req.application.events.publish(PeopleChanged())
    }

    static func createBuilding(in community: UUID, _ input: BuildingCreate, on req: Request) async throws -> Building {
        try req.authorize(.manageRegistry(community))
        var v = Validation()
        let name = v.text(input.name, "name", max: 30)
        v.range(input.floors, "floors", 1...200)
        try v.check()
        if try await Building.scoped(to: community, on: req.db).filter(\.$name == name ?? "").first() != nil {
            throw LinliError(.conflict)
        }
        let building = Building(communityID: community, name: name ?? "", floors: input.floors)
        try await req.db.writeTransaction { db in
            try await building.create(on: db)
            try await Audit.record(
                .create, "building", id: building.id, community: community,
                after: try BuildingRead(building), by: req, on: db)
        }
        return building
    }

    static func updateBuilding(_ building: Building, _ input: BuildingUpdate, on req: Request) async throws {
        let community = building.communityID
        try req.authorize(.manageRegistry(community))
        let before = try BuildingRead(building)
        var v = Validation()
        let name = v.text(input.name, "name", max: 30, required: false)
        v.range(input.floors, "floors", 1...200)
        try v.check()
        if let name, name != building.name,
            try await Building.scoped(to: community, on: req.db).filter(\.$name == name).first() != nil
        {
            throw LinliError(.conflict)
        }
        if let name { building.name = name }
        if let floors = input.floors { building.floors = floors }
        try await req.db.writeTransaction { db in
            try await building.save(on: db)
            try await Audit.record(
                .update, "building", id: building.id, community: community, before: before,
                after: try BuildingRead(building), by: req, on: db)
        }
        // Names of homes are cached with the people signed in.
        req.application.events.publish(PeopleChanged())
    }

    static func updateHousehold(_ household: Household, _ input: HouseholdUpdate, on req: Request) async throws {
        let community = household.communityID
        try req.authorize(.manageRegistry(community))
        let before = try HouseholdRead(household)
        var v = Validation()
        let room = v.text(input.room, "room", max: 20, required: false)
        v.range(input.floor, "floor", -5...200)
        v.range(input.areaM2, "areaM2", 1...10_000)
        if let area = input.areaM2, !area.isFinite { v.fail("areaM2", "out_of_range") }
        try v.check()
        if let room, room != household.room,
            try await Household.query(on: req.db).filter(\.$buildingID == household.buildingID).filter(\.$room == room)
                .first() != nil
        {
            throw LinliError(.conflict)
        }
        if let room { household.room = room }
        if let floor = input.floor { household.floor = floor }
        if let area = input.areaM2 { household.areaM2 = area }
        try await req.db.writeTransaction { db in
            try await household.save(on: db)
            try await Audit.record(
                .update, "household", id: household.id, community: community, before: before,
                after: try HouseholdRead(household), by: req, on: db)
        }
        // Names of homes are cached with the people signed in.
        req.application.events.publish(PeopleChanged())
    }

    static func createHousehold(in community: UUID, _ input: HouseholdCreate, on req: Request) async throws -> Household
    {
        try req.authorize(.manageRegistry(community))
        var v = Validation()
        let room = v.text(input.room, "room", max: 20)
        v.range(input.floor, "floor", -5...200)
        v.range(input.areaM2, "areaM2", 1...10_000)
        if !input.areaM2.isFinite { v.fail("areaM2", "out_of_range") }
        try v.check()
        let building = try await Building.find(input.buildingID, in: community, on: req.db)
        if try await Household.query(on: req.db).filter(\.$buildingID == input.buildingID)
            .filter(\.$room == room ?? "").first() != nil
        {
            throw LinliError(.conflict)
        }
        let household = Household(
            communityID: community, buildingID: try building.requireID(), floor: input.floor, room: room ?? "",
            areaM2: input.areaM2)
        try await req.db.writeTransaction { db in
            try await household.create(on: db)
            try await Audit.record(
                .create, "household", id: household.id, community: community,
                after: try HouseholdRead(household), by: req, on: db)
        }
        return household
    }

    static func delete<M: CommunityScoped>(_ row: M, entity: String, on req: Request) async throws {
        try req.authorize(.manageRegistry(row.communityID))
        try await req.db.writeTransaction { db in
            try await row.delete(on: db)
            try await Audit.record(.delete, entity, id: row.id, community: row.communityID, by: req, on: db)
        }
    }
}
