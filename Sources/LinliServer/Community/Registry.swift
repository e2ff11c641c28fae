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
        try await req.db.transaction { db in
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
        try await req.db.transaction { db in
            try await community.save(on: db)
            try await Audit.record(
                .update, "community", id: id, community: id, before: before,
                after: try CommunityRead(community), by: req, on: db)
        }
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
        try await req.db.transaction { db in
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
        try await req.db.transaction { db in
            try await building.save(on: db)
            try await Audit.record(
                .update, "building", id: building.id, community: community, before: before,
                after: try BuildingRead(building), by: req, on: db)
        }
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
        try await req.db.transaction { db in
            try await household.save(on: db)
            try await Audit.record(
                .update, "household", id: household.id, community: community, before: before,
                after: try HouseholdRead(household), by: req, on: db)
        }
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
        try await req.db.transaction { db in
            try await household.create(on: db)
            try await Audit.record(
                .create, "household", id: household.id, community: community,
                after: try HouseholdRead(household), by: req, on: db)
        }
        return household
    }

    static func validatePerson(
        name: String?, phone: String?, birthYear: Int?, _ v: inout Validation, on req: Request
    ) -> (String?, PhoneNumber?) {
        let name = v.text(name, "name", max: 50)
        var parsed: PhoneNumber?
        if let phone {
            parsed = PhoneNumber(phone)
            if parsed == nil { v.fail("phone", "invalid_phone") }
        }
        v.range(birthYear, "birthYear", 1900...Calendar.chinaYear(req.clock.now()))
        return (name, parsed)
    }

    static func createResident(in community: UUID, _ input: ResidentCreate, on req: Request) async throws
        -> (Person, Membership)
    {
        try req.authorize(.manageRegistry(community))
        var v = Validation()
        let (name, phone) = validatePerson(
            name: input.name, phone: input.phone, birthYear: input.birthYear, &v, on: req)
        try v.check()
        let household = try await Household.find(input.householdID, in: community, on: req.db)
        guard let name, let phone else { throw LinliError(.validationFailed) }
        if try await Person.query(on: req.db).filter(\.$phone == phone.digits).first() != nil {
            throw LinliError(.phoneTaken, ["phone": phone.masked])
        }
        let person = Person(
            name: name, phone: phone.digits, birthYear: input.birthYear, isElderly: input.isElderly ?? false,
            livesAlone: input.livesAlone ?? false, isChild: input.isChild ?? false)
        let membership = Membership(
            communityID: community, householdID: try household.requireID(), personID: UUID(),
            relation: input.relation, movedIn: input.movedIn?.description ?? req.today)
        try await req.db.transaction { db in
            try await person.create(on: db)
            membership.personID = try person.requireID()
            try await membership.create(on: db)
            try await Audit.record(
                .create, "resident", id: person.id, community: community,
                after: try PersonRead(person), by: req, on: db)
        }
        return (person, membership)
    }

    static func updatePerson(_ person: Person, in community: UUID, _ input: PersonUpdate, on req: Request) async throws
    {
        try req.authorize(.manageRegistry(community))
        let before = try PersonRead(person)
        var v = Validation()
        if let name = v.text(input.name, "name", max: 50, required: false) { person.name = name }
        v.range(input.birthYear, "birthYear", 1900...Calendar.chinaYear(req.clock.now()))
        if let password = input.password, !(8...200).contains(password.count) { v.fail("password", "weak_password") }
        try v.check()
        if let year = input.birthYear { person.birthYear = year }
        if let flag = input.isElderly { person.isElderly = flag }
        if let flag = input.livesAlone { person.livesAlone = flag }
        if let flag = input.isChild { person.isChild = flag }
        if let password = input.password { person.passwordHash = try await req.password.async.hash(password) }
        try await req.db.transaction { db in
            try await person.save(on: db)
            try await Audit.record(
                .update, "person", id: person.id, community: community, before: before,
                after: try PersonRead(person), by: req, on: db)
        }
    }

    static func addMember(to household: Household, _ input: MemberCreate, on req: Request) async throws -> Membership {
        let community = household.communityID
        try req.authorize(.manageRegistry(community))
        guard let phone = PhoneNumber(input.phone) else { throw LinliError.invalid("phone", "invalid_phone") }
        guard let person = try await Person.query(on: req.db).filter(\.$phone == phone.digits).first() else {
            throw LinliError(.notFound)
        }
        let householdID = try household.requireID()
        let existing = try await Membership.query(on: req.db).filter(\.$householdID == householdID)
            .filter(\.$personID == person.requireID()).all()
        if existing.contains(where: { $0.isCurrent(on: req.today) || $0.movedOut == nil }) {
            throw LinliError(.conflict)
        }
        let membership = Membership(
            communityID: community, householdID: householdID, personID: try person.requireID(),
            relation: input.relation, movedIn: input.movedIn?.description ?? req.today)
        try await req.db.transaction { db in
            try await membership.create(on: db)
            try await Audit.record(
                .create, "membership", id: membership.id, community: community,
                after: try MembershipRead(membership, person: person, today: req.today), by: req, on: db)
        }
        return membership
    }

    static func updateMembership(_ membership: Membership, _ input: MembershipUpdate, on req: Request) async throws {
        let community = membership.communityID
        try req.authorize(.manageRegistry(community))
        let person = try await Person.find(membership.personID, on: req.db)
        let before = try MembershipRead(membership, person: person, today: req.today)
        if let movedOut = input.movedOut {
            guard movedOut.description >= membership.movedIn else {
                throw LinliError.invalid("movedOut", "before_moved_in")
            }
            membership.movedOut = movedOut.description
        }
        if let relation = input.relation { membership.relation = relation }
        try await req.db.transaction { db in
            try await membership.save(on: db)
            try await Audit.record(
                input.movedOut == nil ? .update : .moveOut, "membership", id: membership.id,
                community: community, before: before,
                after: try MembershipRead(membership, person: person, today: req.today), by: req, on: db)
        }
    }

    static func grantStaff(in community: UUID, _ input: StaffCreate, on req: Request) async throws
        -> (StaffAssignment, Person)
    {
        try req.authorize(.manageStaff(community))
        guard let phone = PhoneNumber(input.phone) else { throw LinliError.invalid("phone", "invalid_phone") }
        var v = Validation()
        let name = v.text(input.name, "name", max: 50, required: false)
        if let password = input.password, !(8...200).contains(password.count) { v.fail("password", "weak_password") }
        try v.check()
        let found = try await Person.query(on: req.db).filter(\.$phone == phone.digits).first()
        guard found != nil || name != nil else { throw LinliError.invalid("name", "missing_value") }
        let person = found ?? Person(name: name ?? "", phone: phone.digits)
        if let id = person.id,
            try await StaffAssignment.scoped(to: community, on: req.db)
                .filter(\.$personID == id).filter(\.$role == input.role).first() != nil
        {
            throw LinliError(.conflict)
        }
        let assignment = StaffAssignment(communityID: community, personID: UUID(), role: input.role)
        if let password = input.password, person.passwordHash == nil {
            person.passwordHash = try await req.password.async.hash(password)
        }
        try await req.db.transaction { db in
            if found == nil { try await person.create(on: db) } else { try await person.save(on: db) }
            assignment.personID = try person.requireID()
            try await assignment.create(on: db)
            try await Audit.record(
                .grant, "staff", id: assignment.id, community: community,
                after: try StaffRead(assignment, person: person), by: req, on: db)
        }
        return (assignment, person)
    }

    static func revokeStaff(_ assignment: StaffAssignment, on req: Request) async throws {
        try req.authorize(.manageStaff(assignment.communityID))
        let person = try await Person.find(assignment.personID, on: req.db)
        try await req.db.transaction { db in
            try await assignment.delete(on: db)
            try await Audit.record(
                .revoke, "staff", id: assignment.id, community: assignment.communityID,
                before: try StaffRead(assignment, person: person), by: req, on: db)
        }
    }

    static func delete<M: CommunityScoped>(_ row: M, entity: String, on req: Request) async throws {
        try req.authorize(.manageRegistry(row.communityID))
        try await req.db.transaction { db in
            try await row.delete(on: db)
            try await Audit.record(.delete, entity, id: row.id, community: row.communityID, by: req, on: db)
        }
    }
}
