import Fluent
import FluentSQL
import LinliCore
import Vapor

/// `/api/v1/communities/...`: the registry's JSON API. Handlers decode, call `Registry`, encode.
enum RegistryAPI {
    static let c = "/api/v1/communities/{communityID}"

    static func register(_ app: Application, _ api: any RoutesBuilder) {
        api.register(
            .init(
                method: .GET, path: "/api/v1/communities", operationID: "listCommunities",
                summary: "Communities the caller belongs to", tag: "registry",
                response: Schema.page(of: "Community"), query: Endpoint.listQuery(sortable: ["name"])), in: app
        ) { req in
            let options = try req.listOptions(sortable: ["name"], defaultSort: "name")
            let user = try req.user()
            var query = Community.query(on: req.db)
            if !user.principal.isAdmin { query = query.filter(\.$id ~~ Array(user.principal.communities)) }
            if let q = options.query { query = query.filter(\.$name ~~ q) }
            return try await query.page(options, sortKeys: ["name": "name"], map: CommunityRead.init)
        }
        api.register(
            .init(
                method: .POST, path: "/api/v1/communities", operationID: "createCommunity",
                summary: "Create a community (administrators)", tag: "registry",
                body: Schema.ref("CommunityCreate"), status: .created, response: Schema.ref("Community")), in: app
        ) { req in
            Created(
                value: try CommunityRead(
                    try await Registry.createCommunity(try req.decode(CommunityCreate.self), on: req)))
        }
        api.register(
            .init(
                method: .GET, path: c, operationID: "getCommunity", summary: "One community",
                tag: "registry", response: Schema.ref("Community")), in: app
        ) { req in
            try CommunityRead(try await community(req))
        }
        api.register(
            .init(
                method: .PATCH, path: c, operationID: "updateCommunity", summary: "Change a community",
                tag: "registry", body: Schema.ref("CommunityUpdate"), response: Schema.ref("Community")), in: app
        ) { req in
            let community = try await community(req)
            try req.authorize(.manageCommunity(try community.requireID()))
            try await Registry.updateCommunity(community, try req.decode(CommunityUpdate.self), on: req)
            return try CommunityRead(community)
        }

        // Buildings
        api.register(
            .init(
                method: .GET, path: c + "/buildings", operationID: "listBuildings", summary: "Buildings",
                tag: "registry", response: Schema.page(of: "Building"),
                query: Endpoint.listQuery(sortable: ["name", "floors"])), in: app
        ) { req in
            let id = try await communityID(req, { .viewRegistry($0) })
            let options = try req.listOptions(sortable: ["name", "floors"], defaultSort: "name")
            var query = Building.scoped(to: id, on: req.db)
            if let q = options.query { query = query.filter(\.$name ~~ q) }
            return try await query.page(
                options, sortKeys: ["name": "name", "floors": "floors"], map: BuildingRead.init)
        }
        api.register(
            .init(
                method: .POST, path: c + "/buildings", operationID: "createBuilding", summary: "Add a building",
                tag: "registry", body: Schema.ref("BuildingCreate"), status: .created,
                response: Schema.ref("Building")), in: app
        ) { req in
            let id = try await communityID(req, { .manageRegistry($0) })
            return Created(
                value: try BuildingRead(
                    try await Registry.createBuilding(in: id, try req.decode(BuildingCreate.self), on: req)))
        }
        api.register(
            .init(
                method: .GET, path: c + "/buildings/{buildingID}", operationID: "getBuilding",
                summary: "One building", tag: "registry", response: Schema.ref("Building")), in: app
        ) { req in
            let id = try await communityID(req, { .viewRegistry($0) })
            return try BuildingRead(try await Building.find(try req.id("buildingID"), in: id, on: req.db))
        }
        api.register(
            .init(
                method: .PATCH, path: c + "/buildings/{buildingID}", operationID: "updateBuilding",
                summary: "Change a building", tag: "registry", body: Schema.ref("BuildingUpdate"),
                response: Schema.ref("Building")), in: app
        ) { req in
            let id = try await communityID(req, { .manageRegistry($0) })
            let building = try await Building.find(try req.id("buildingID"), in: id, on: req.db)
            try await Registry.updateBuilding(building, try req.decode(BuildingUpdate.self), on: req)
            return try BuildingRead(building)
        }
        api.register(
            .init(
                method: .DELETE, path: c + "/buildings/{buildingID}", operationID: "deleteBuilding",
                summary: "Remove a building without households", tag: "registry", status: .noContent), in: app
        ) { req in
            let id = try await communityID(req, { .manageRegistry($0) })
            let building = try await Building.find(try req.id("buildingID"), in: id, on: req.db)
            try req.authorize(.manageRegistry(id))
            if try await Household.query(on: req.db).filter(\.$buildingID == building.requireID()).count() > 0 {
                throw LinliError(.conflict)
            }
            try await Registry.delete(building, entity: "building", on: req)
            return NoContent()
        }

        // Households
        api.register(
            .init(
                method: .GET, path: c + "/households", operationID: "listHouseholds", summary: "Households",
                tag: "registry", response: Schema.page(of: "Household"),
                query: Endpoint.listQuery(sortable: ["room", "floor"])
                    + [.init(name: "buildingID", schema: Schema.uuid)]), in: app
        ) { req in
            let id = try await communityID(req, { .viewRegistry($0) })
            let options = try req.listOptions(sortable: ["room", "floor"], defaultSort: "room")
            var query = Household.scoped(to: id, on: req.db)
            if let text = req.query[String.self, at: "buildingID"] {
                guard let building = UUID(uuidString: text) else {
                    throw LinliError.invalid("buildingID", "invalid_value")
                }
                query = query.filter(\.$buildingID == building)
            }
            if let q = options.query { query = query.filter(\.$room ~~ q) }
            return try await query.page(options, sortKeys: ["room": "room", "floor": "floor"], map: HouseholdRead.init)
        }
        api.register(
            .init(
                method: .POST, path: c + "/households", operationID: "createHousehold",
                summary: "Add a household", tag: "registry", body: Schema.ref("HouseholdCreate"),
                status: .created, response: Schema.ref("Household")), in: app
        ) { req in
            let id = try await communityID(req, { .manageRegistry($0) })
            return Created(
                value: try HouseholdRead(
                    try await Registry.createHousehold(in: id, try req.decode(HouseholdCreate.self), on: req)))
        }
        api.register(
            .init(
                method: .GET, path: c + "/households/{householdID}", operationID: "getHousehold",
                summary: "One household (its residents may read it)", tag: "registry",
                response: Schema.ref("Household")), in: app
        ) { req in
            try HouseholdRead(try await household(req))
        }
        api.register(
            .init(
                method: .PATCH, path: c + "/households/{householdID}", operationID: "updateHousehold",
                summary: "Change a household", tag: "registry", body: Schema.ref("HouseholdUpdate"),
                response: Schema.ref("Household")), in: app
        ) { req in
            let household = try await household(req)
            try req.authorize(.manageRegistry(household.communityID))
            try await Registry.updateHousehold(household, try req.decode(HouseholdUpdate.self), on: req)
            return try HouseholdRead(household)
        }
        api.register(
            .init(
                method: .DELETE, path: c + "/households/{householdID}", operationID: "deleteHousehold",
                summary: "Remove a household that never had residents", tag: "registry", status: .noContent), in: app
        ) { req in
            let household = try await household(req)
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
                summary: "Who lives or lived in a household", tag: "registry",
                response: Schema.array(Schema.ref("Membership"))), in: app
        ) { req in
            let household = try await household(req)
            return try await members(of: try household.requireID(), on: req)
        }
        api.register(
            .init(
                method: .POST, path: c + "/households/{householdID}/members", operationID: "addMember",
                summary: "Add a known person to a household", tag: "registry",
                body: Schema.ref("MemberCreate"), status: .created, response: Schema.ref("Membership")), in: app
        ) { req in
            let household = try await household(req)
            try req.authorize(.manageRegistry(household.communityID))
            let membership = try await Registry.addMember(to: household, try req.decode(MemberCreate.self), on: req)
            let person = try await Person.find(membership.personID, on: req.db)
            return Created(value: try MembershipRead(membership, person: person, today: req.today))
        }
        api.register(
            .init(
                method: .PATCH, path: c + "/households/{householdID}/members/{membershipID}",
                operationID: "updateMember", summary: "Change a relation or move someone out",
                tag: "registry", body: Schema.ref("MembershipUpdate"), response: Schema.ref("Membership")), in: app
        ) { req in
            let household = try await household(req)
            try req.authorize(.manageRegistry(household.communityID))
            let membership = try await Membership.find(
                try req.id("membershipID"), in: household.communityID, on: req.db)
            guard membership.householdID == household.id else { throw LinliError(.notFound) }
            try await Registry.updateMembership(membership, try req.decode(MembershipUpdate.self), on: req)
            let person = try await Person.find(membership.personID, on: req.db)
            return try MembershipRead(membership, person: person, today: req.today)
        }

        // Residents and people
        api.register(
            .init(
                method: .GET, path: c + "/residents", operationID: "listResidents",
                summary: "People who live in the community now", tag: "registry",
                response: Schema.page(of: "Person"), query: Endpoint.listQuery(sortable: ["name", "phone"])), in: app
        ) { req in
            let id = try await communityID(req, { .viewRegistry($0) })
            let options = try req.listOptions(sortable: ["name", "phone"], defaultSort: "name")
            return try await Residents.page(in: id, options, on: req)
        }
        api.register(
            .init(
                method: .POST, path: c + "/residents", operationID: "createResident",
                summary: "Add a resident to a household", tag: "registry", body: Schema.ref("ResidentCreate"),
                status: .created, response: Schema.ref("Person")), in: app
        ) { req in
            let id = try await communityID(req, { .manageRegistry($0) })
            let (person, _) = try await Registry.createResident(in: id, try req.decode(ResidentCreate.self), on: req)
            return Created(value: try PersonRead(person))
        }
        api.register(
            .init(
                method: .POST, path: c + "/residents/import", operationID: "importResidents",
                summary: "Import residents from CSV (all rows or none)", tag: "registry",
                body: Schema.string(), bodyContentType: "text/csv", maxBody: "5mb", status: .created,
                response: Schema.ref("ImportResult")), in: app
        ) { req in
            let id = try await communityID(req, { .manageRegistry($0) })
            guard req.headers.contentType?.subType == "csv" || req.headers.contentType == .plainText else {
                throw LinliError(.unsupportedMediaType, ["expected": "text/csv"])
            }
            guard let buffer = req.body.data, let text = String(data: Data(buffer: buffer), encoding: .utf8) else {
                throw LinliError(
                    .importRejected, ["count": "1"], issues: [FieldIssue(line: 1, reason: "import.not_csv")])
            }
            return Created(value: try await ResidentImporter.run(text, in: id, on: req))
        }
        api.register(
            .init(
                method: .GET, path: c + "/people/{personID}", operationID: "getPerson",
                summary: "One person of the community", tag: "registry", response: Schema.ref("Person")), in: app
        ) { req in
            let (person, _) = try await person(req)
            return try PersonRead(person)
        }
        api.register(
            .init(
                method: .PATCH, path: c + "/people/{personID}", operationID: "updatePerson",
                summary: "Change a person's details or set their password", tag: "registry",
                body: Schema.ref("PersonUpdate"), response: Schema.ref("Person")), in: app
        ) { req in
            let (person, community) = try await person(req)
            try req.authorize(.manageRegistry(community))
            try await Registry.updatePerson(person, in: community, try req.decode(PersonUpdate.self), on: req)
            return try PersonRead(person)
        }

        // Staff and audit
        api.register(
            .init(
                method: .GET, path: c + "/staff", operationID: "listStaff", summary: "Staff roles",
                tag: "registry", response: Schema.page(of: "Staff"), query: Endpoint.listQuery(sortable: ["role"])),
            in: app
        ) { req in
            let id = try await communityID(req, { .viewRegistry($0) })
            let options = try req.listOptions(sortable: ["role"], defaultSort: "role")
            let rows = try await StaffAssignment.scoped(to: id, on: req.db).page(options, sortKeys: ["role": "role"]) {
                $0
            }
            let people = try await Person.query(on: req.db).filter(\.$id ~~ rows.items.map(\.personID)).all()
            let byID = Dictionary(people.compactMap { p in p.id.map { ($0, p) } }, uniquingKeysWith: { a, _ in a })
            return ListPage(
                items: try rows.items.map { try StaffRead($0, person: byID[$0.personID]) }, metadata: rows.metadata)
        }
        api.register(
            .init(
                method: .POST, path: c + "/staff", operationID: "grantStaff", summary: "Grant a staff role",
                tag: "registry", body: Schema.ref("StaffCreate"), status: .created,
                response: Schema.ref("Staff")), in: app
        ) { req in
            let id = try await communityID(req, { .manageStaff($0) })
            let (assignment, person) = try await Registry.grantStaff(in: id, try req.decode(StaffCreate.self), on: req)
            return Created(value: try StaffRead(assignment, person: person))
        }
        api.register(
            .init(
                method: .DELETE, path: c + "/staff/{staffID}", operationID: "revokeStaff",
                summary: "Revoke a staff role", tag: "registry", status: .noContent), in: app
        ) { req in
            let id = try await communityID(req, { .manageStaff($0) })
            try await Registry.revokeStaff(
                try await StaffAssignment.find(try req.id("staffID"), in: id, on: req.db), on: req)
            return NoContent()
        }
        api.register(
            .init(
                method: .GET, path: c + "/audit", operationID: "listAudit", summary: "Audit log of staff writes",
                tag: "registry", response: Schema.page(of: "AuditEntry"),
                query: Endpoint.listQuery(sortable: ["at"])), in: app
        ) { req in
            let id = try await communityID(req, { .viewAudit($0) })
            let options = try req.listOptions(sortable: ["at"], defaultSort: "-at")
            var query = AuditEntry.scoped(to: id, on: req.db)
            if let q = options.query { query = query.filter(\.$entity ~~ q) }
            return try await query.page(options, sortKeys: ["at": "at"], map: AuditRead.init)
        }
    }

    // Loaders: each checks the caller may see the thing before it is returned.

    static func communityID(_ req: Request, _ access: (UUID) -> AccessRequest) async throws -> UUID {
        let id = try req.id("communityID")
        try req.authorize(access(id))
        guard try await Community.find(id, on: req.db) != nil else { throw LinliError(.notFound) }
        return id
    }

    static func community(_ req: Request) async throws -> Community {
        let id = try req.id("communityID")
        try req.authorize(.viewCommunity(id))
        guard let community = try await Community.find(id, on: req.db) else { throw LinliError(.notFound) }
        return community
    }

    static func household(_ req: Request) async throws -> Household {
        let community = try req.id("communityID")
        let id = try req.id("householdID")
        try req.authorize(.viewHousehold(household: id, community: community))
        return try await Household.find(id, in: community, on: req.db)
    }

    static func members(of household: UUID, on req: Request) async throws -> [MembershipRead] {
        let memberships = try await Membership.query(on: req.db).filter(\.$householdID == household)
            .sort(\.$movedIn).all()
        let people = try await Person.query(on: req.db).filter(\.$id ~~ memberships.map(\.personID)).all()
        let byID = Dictionary(people.compactMap { p in p.id.map { ($0, p) } }, uniquingKeysWith: { a, _ in a })
        return try memberships.map { try MembershipRead($0, person: byID[$0.personID], today: req.today) }
    }

    /// A person who is or was part of the community (resident or staff), if the caller may see them.
    static func person(
        _ req: Request, communityParameter: String = "communityID", personParameter: String = "personID"
    ) async throws -> (Person, UUID) {
        let community = try req.id(communityParameter)
        let id = try req.id(personParameter)
        try req.authorize(.viewCommunity(community))
        let memberships = try await Membership.query(on: req.db).filter(\.$personID == id).all()
        let staff = try await StaffAssignment.query(on: req.db).filter(\.$personID == id).all()
        var households: [UUID: UUID] = [:]
        for m in memberships where m.communityID == community { households[m.householdID] = m.communityID }
        let staffIn = Set(staff.map(\.communityID)).intersection([community])
        guard !households.isEmpty || !staffIn.isEmpty else { throw LinliError(.notFound) }
        try req.authorize(.viewPerson(person: id, households: households, staffIn: staffIn))
        guard let person = try await Person.find(id, on: req.db) else { throw LinliError(.notFound) }
        return (person, community)
    }
}

/// Queries about who lives where.
enum Residents {
    /// People with a current membership in the community, one page.
    static func page(in community: UUID, _ options: ListOptions, on req: Request) async throws -> ListPage<PersonRead> {
        var query = Person.query(on: req.db).filter(.sql(embed: currentIn(community, today: req.today)))
        if let q = options.query {
            query = query.group(.or) { $0.filter(\.$name ~~ q).filter(\.$phone ~~ q) }
        }
        return try await query.page(options, sortKeys: ["name": "name", "phone": "phone"], map: PersonRead.init)
    }

    /// `people.id` of everyone living in the community on `today` (a subquery, so it scales with the database).
    static func currentIn(_ community: UUID, today: String) -> SQLQueryString {
        """
        \(ident: Person.schema).\(ident: "id") IN (SELECT \(ident: "person_id") FROM \(ident: Membership.schema) \
        WHERE \(ident: "community_id") = \(bind: community) AND \(ident: "moved_in") <= \(bind: today) \
        AND (\(ident: "moved_out") IS NULL OR \(ident: "moved_out") > \(bind: today)))
        """
    }
}
