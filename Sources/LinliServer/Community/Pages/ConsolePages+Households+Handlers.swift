import Fluent
import LinliCore
import Vapor

extension ConsolePages {
    @Sendable static func postEditHousehold(_ req: Request) async throws -> Response {
        let id = try req.id("communityID")
        try req.authorize(.manageRegistry(id))
        let household = try await Household.find(try req.id("householdID"), in: id, on: req.db)
        try await Registry.updateHousehold(household, try req.content.decode(HouseholdUpdate.self), on: req)
        req.flash(req.t("console.saved"))
        return req.redirect(to: RegistryRoute.household(id, try household.requireID()).path)
    }

    @Sendable static func householdsPage(_ req: Request) async throws -> Response {
        let header = try await header(req, current: "households")
        let options = try req.listOptions(.households)
        var query = Household.scoped(to: header.id, on: req.db)
        let building = req.query[String.self, at: "building"].flatMap(UUID.init(uuidString:))
        if let building { query = query.filter(\.$buildingID == building) }
        if let q = options.query { query = query.filter(\.$room ~~ q) }
        let page = try await query.page(options) { $0 }
        let buildings = try await Building.scoped(to: header.id, on: req.db).sort(\.$name).all()
        let byID = Building.byID(buildings)
        let rows = page.items.map { h in
            Row(
                cells: [byID[h.buildingID]?.name ?? "", h.room, "\(h.floor)", String(format: "%.1f", h.areaM2)],
                href: RegistryRoute.household(header.id, h.id ?? UUID()).path, action: nil, actionLabel: nil)
        }
        return try await req.render(
            "console/list", title: req.t("console.households"),
            ListPage(
                header: header, heading: req.t("console.households"),
                columns: [
                    req.t("field.building"), req.t("field.room"), req.t("field.floor"), req.t("field.areaM2"),
                ],
                rows: rows, pager: pager(page.metadata, req), query: options.query ?? "", searchable: true,
                form: header.canManage ? "household" : nil,
                buildings: buildings.map { Option(value: $0.id?.uuidString ?? "", label: $0.name) }, households: [],
                extra: ["building": building?.uuidString ?? ""]))
    }

    @Sendable static func postHouseholds(_ req: Request) async throws -> Response {
        let id = try req.id("communityID")
        try req.authorize(.manageRegistry(id))
        let household = try await Registry.createHousehold(
            in: id, try req.content.decode(HouseholdCreate.self), on: req)
        req.flash(req.t("console.saved"))
        return req.redirect(to: RegistryRoute.household(id, try household.requireID()).path)
    }

    @Sendable static func householdPage(_ req: Request) async throws -> Response {
        let header = try await header(req, current: "households")
        let household = try await Household.find(try req.id("householdID"), in: header.id, on: req.db)
        let building = try await Building.find(household.buildingID, on: req.db)
        let members = try await RegistryAPI.members(of: try household.requireID(), on: req)
        let rows = members.map { m in
            Row(
                cells: [m.personName, req.t("relation.\(m.relation.rawValue)"), m.movedIn, m.movedOut ?? "—"],
                href: RegistryRoute.person(header.id, m.personID).path,
                action: header.canManage && m.movedOut == nil
                    ? RegistryRoute.moveOut(header.id, household.id ?? UUID(), m.id).path : nil,
                actionLabel: req.t("console.moveOut"))
        }
        return try await req.render(
            "community/household", title: "\(building?.name ?? "") \(household.room)",
            ListPage(
                header: header, heading: "\(building?.name ?? "") \(household.room)",
                columns: [
                    req.t("field.name"), req.t("field.relation"), req.t("field.movedIn"), req.t("field.movedOut"),
                ],
                rows: rows, pager: nil, query: "", searchable: false, form: header.canManage ? "member" : nil,
                buildings: [], households: [],
                extra: [
                    "members": RegistryRoute.members(header.id, household.id ?? UUID()).path, "today": req.today,
                    "edit": RegistryRoute.editHousehold(header.id, household.id ?? UUID()).path, "room": household.room,
                    "floor": "\(household.floor)", "area": String(format: "%.1f", household.areaM2),
                ]))
    }

    @Sendable static func postMembers(_ req: Request) async throws -> Response {
        let id = try req.id("communityID")
        try req.authorize(.manageRegistry(id))
        let household = try await Household.find(try req.id("householdID"), in: id, on: req.db)
        _ = try await Registry.addMember(to: household, try req.content.decode(MemberCreate.self), on: req)
        req.flash(req.t("console.saved"))
        return req.redirect(to: RegistryRoute.household(id, try household.requireID()).path)
    }

    @Sendable static func postMoveOut(_ req: Request) async throws -> Response {
        let id = try req.id("communityID")
        try req.authorize(.manageRegistry(id))
        let membership = try await Membership.find(try req.id("membershipID"), in: id, on: req.db)
        guard membership.householdID == (try req.id("householdID")) else { throw LinliError(.notFound) }
        let date = try req.content.get(String.self, at: "movedOut")
        guard let day = CivilDate(date) else { throw LinliError.invalid("movedOut", "invalid_date") }
        try await Registry.updateMembership(membership, MembershipUpdate(relation: nil, movedOut: day), on: req)
        req.flash(req.t("console.saved"))
        return req.redirect(to: RegistryRoute.household(id, membership.householdID).path)
    }
}
