import Fluent
import LinliCore
import SQLKit
import Vapor

extension ConsolePages {
    @Sendable static func communityPage(_ req: Request) async throws -> Response {
        let header = try await header(req, current: "overview")
        let id = header.id
        let buildings = try await Building.scoped(to: id, on: req.db).sort(\.$name).all()
        // The per-building counts, counted by the database (decoding every household costs far more).
        let perBuilding = try await Household.countByBuilding(in: id, on: req.db)
        let rows = buildings.map { b in
            Row(
                cells: [b.name, "\(b.floors)", "\(b.id.flatMap { perBuilding[$0] } ?? 0)"],
                href: RegistryRoute.households(id).path + "?building=\(b.id?.uuidString ?? "")", action: nil,
                actionLabel: nil)
        }
        let residents = try await Residents.count(in: id, on: req)
        let households = perBuilding.values.reduce(0, +)
        let staff = try await StaffAssignment.scoped(to: id, on: req.db).count()
        return try await req.render(
            "community/community", title: header.name,
            ListPage(
                header: header, heading: req.t("console.buildings"),
                columns: [req.t("field.name"), req.t("field.floors"), req.t("console.households")], rows: rows,
                pager: nil, query: "", searchable: false, form: "building",
                buildings: buildings.map { Option(value: $0.id?.uuidString ?? "", label: $0.name) },
                households: [],
                extra: [
                    "edit": RegistryRoute.editCommunity(id).path, "editBuilding": RegistryRoute.editBuilding(id).path,
                    "buildings_action": RegistryRoute.buildings(id).path,
                    "residents": "\(residents)", "households": "\(households)", "buildings": "\(buildings.count)",
                    "staff": "\(staff)",
                ]))
    }

    @Sendable static func postBuildings(_ req: Request) async throws -> Response {
        let id = try req.id("communityID")
        try req.authorize(.manageRegistry(id))
        _ = try await Registry.createBuilding(in: id, try req.content.decode(BuildingCreate.self), on: req)
        req.flash(req.t("console.saved"))
        return req.redirect(to: RegistryRoute.community(id).path)
    }

    @Sendable static func postEditCommunity(_ req: Request) async throws -> Response {
        let id = try req.id("communityID")
        try req.authorize(.manageCommunity(id))
        guard let community = try await Community.find(id, on: req.db) else { throw LinliError(.notFound) }
        try await Registry.updateCommunity(community, try req.content.decode(CommunityUpdate.self), on: req)
        req.flash(req.t("console.saved"))
        return req.redirect(to: RegistryRoute.community(id).path)
    }

    @Sendable static func postEditBuilding(_ req: Request) async throws -> Response {
        let id = try req.id("communityID")
        try req.authorize(.manageRegistry(id))
        let form = try req.content.decode(BuildingForm.self)
        let building = try await Building.find(form.buildingID, in: id, on: req.db)
        try await Registry.updateBuilding(
            building,
            BuildingUpdate(name: form.name?.nilIfEmpty, floors: form.floors?.nilIfEmpty.flatMap { Int($0) }),
            on: req)
        req.flash(req.t("console.saved"))
        return req.redirect(to: RegistryRoute.community(id).path)
    }

    @Sendable static func consolePage(_ req: Request) async throws -> Response {
        let user = try req.user()
        try req.authorize(.openConsole)
        var query = Community.query(on: req.db).sort(\.$name)
        if !user.principal.isAdmin { query = query.filter(\.$id ~~ Array(user.principal.staffRoles.keys)) }
        let rows = try await query.all().map { c in
            CommunityCard(name: c.name, address: c.address, href: RegistryRoute.community(c.id ?? UUID()).path)
        }
        return try await req.render(
            "console/index", title: req.t("console.title"),
            CommunitiesPage(communities: rows, isAdmin: user.principal.isAdmin))
    }

    @Sendable static func postConsoleCommunities(_ req: Request) async throws -> Response {
        let input = try req.content.decode(CommunityCreate.self)
        let community = try await Registry.createCommunity(input, on: req)
        req.flash(req.t("console.saved"))
        return req.redirect(to: RegistryRoute.community(try community.requireID()).path)
    }
}

extension Household {
    /// How many households each building of the community has.
    static func countByBuilding(in community: UUID, on db: any Database) async throws -> [UUID: Int] {
        guard let sql = db as? any SQLDatabase else { return [:] }
        let rows = try await sql.select().column("building_id").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
            .from(schema).where("community_id", .equal, community).groupBy("building_id").all()
        var counts: [UUID: Int] = [:]
        for row in rows { counts[try row.decode(column: "building_id", as: UUID.self)] = try row.decode(column: "n", as: Int.self) }
        return counts
    }
}
