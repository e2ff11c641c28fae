import Fluent
import FluentSQL
import LinliCore
import Vapor

/// `/api/v1/communities/...`: the registry's JSON API. Handlers decode, call `Registry`, encode.
enum RegistryAPI {
    static let c = "/api/v1/communities/{communityID}"

    static func register(_ app: Application, _ api: any RoutesBuilder) {
        registerCommunities(app, api)
        registerBuildings(app, api)
        registerHouseholds(app, api)
        registerPeople(app, api)
        registerStaffAndAudit(app, api)
        Guardians.routes(app, api)
    }

    /// Communities: list, create (administrators), read, change.
    static func registerCommunities(_ app: Application, _ api: any RoutesBuilder) {
        api.register(
            .init(
                method: .GET, path: "/api/v1/communities", operationID: "listCommunities",
                summary: "Communities the caller belongs to", tag: "registry", authority: .signedIn,
                response: Schema.page(of: "Community"), query: Endpoint.listQuery(.communities)), in: app, listCommunities)
        api.register(
            .init(
                method: .POST, path: "/api/v1/communities", operationID: "createCommunity",
                summary: "Create a community (administrators)", tag: "registry", authority: .platform(.createCommunity),
                body: Schema.ref("CommunityCreate"), status: .created, response: Schema.ref("Community")), in: app, createCommunity)
        api.register(
            .init(
                method: .GET, path: c, operationID: "getCommunity", summary: "One community",
                tag: "registry", authority: .community { .viewCommunity($0) }, response: Schema.ref("Community")), in: app, getCommunity)
        api.register(
            .init(
                method: .PATCH, path: c, operationID: "updateCommunity", summary: "Change a community",
                tag: "registry", authority: .community { .viewCommunity($0) }, body: Schema.ref("CommunityUpdate"), response: Schema.ref("Community")), in: app, updateCommunity)
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

    /// The signed-in resident's homes, by room, each with its name (`1栋 101`), for their pages.
    static func myHomes(_ req: Request) async throws -> [(household: Household, name: String)] {
        let households = try await Household.byID(Array(try req.user().principal.households.keys), on: req.db).values
            .sorted { $0.room < $1.room }
        let buildings = try await Building.byID(households.map(\.buildingID), on: req.db)
        return households.map { ($0, "\(buildings[$0.buildingID]?.name ?? "") \($0.room)") }
    }

    static func household(_ req: Request) async throws -> Household {
        let community = try req.id("communityID")
        let id = try req.id("householdID")
        try req.authorize(.viewHousehold(household: id, community: community))
        return try await Household.find(id, in: community, on: req.db)
    }

    /// Who lives or lived in a household. Staff see everyone; a resident sees only those whose stay
    /// overlapped their own (a new occupant does not learn who lived there before).
    static func members(of household: UUID, on req: Request) async throws -> [MembershipRead] {
        var memberships = try await Membership.query(on: req.db).filter(\.$householdID == household)
            .sort(\.$movedIn).all()
        let principal = try req.user().principal
        if let community = principal.households[household], !principal.isStaff(in: community), !principal.isAdmin,
            let mine = memberships.first(where: { $0.personID == principal.personID && $0.isCurrent(on: req.today) })
        {
            memberships = memberships.filter { ($0.movedOut ?? "9999-12-31") > mine.movedIn }
        }
        let people = try await Person.byID(memberships.map(\.personID), on: req.db)
        return try memberships.map { try MembershipRead($0, person: people[$0.personID], today: req.today) }
    }

    /// A person who is or was part of the community (resident or staff), if the caller may see them.
    /// The person of a `…/{communityID}/people/{personID}` route (API or page), with the community.
    static func person(_ req: Request) async throws -> (Person, UUID) {
        let community = try req.id("communityID")
        let id = try req.id("personID")
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
        return try await query.page(options, map: PersonRead.init)
    }

    /// How many people live in the community today: counted in the memberships alone (no join, no set
    /// of ids built for every page).
    static func count(in community: UUID, on req: Request) async throws -> Int {
        guard let sql = req.db as? any SQLDatabase else { return 0 }
        let today = req.today
        let row = try await sql.raw(
            """
            SELECT COUNT(DISTINCT \(ident: "person_id")) AS \(ident: "n") FROM \(ident: Membership.schema) \
            WHERE \(ident: "community_id") = \(bind: community) AND \(ident: "moved_in") <= \(bind: today) \
            AND (\(ident: "moved_out") IS NULL OR \(ident: "moved_out") > \(bind: today))
            """
        ).first()
        return try row?.decode(column: "n", as: Int.self) ?? 0
    }

    /// Where each of `people` lives in the community today, as `1栋 101` (several homes joined by `, `).
    static func places(of people: [UUID], in community: UUID, on req: Request) async throws -> [UUID: String] {
        guard !people.isEmpty else { return [:] }
        let today = req.today
        let memberships = try await Membership.scoped(to: community, on: req.db).filter(\.$personID ~~ people).all()
            .filter { $0.isCurrent(on: today) }
        let households = try await Household.scoped(to: community, on: req.db)
            .join(Building.self, on: \Household.$buildingID == \Building.$id)
            .filter(\.$id ~~ memberships.map(\.householdID)).all()
        var names: [UUID: String] = [:]
        for household in households {
            guard let id = household.id else { continue }
            names[id] = "\((try? household.joined(Building.self).name) ?? "") \(household.room)"
        }
        var result: [UUID: String] = [:]
        for membership in memberships {
            guard let name = names[membership.householdID] else { continue }
            result[membership.personID] = result[membership.personID].map { $0 + ", " + name } ?? name
        }
        return result
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
