import Fluent
import LinliCore
import Vapor

extension ConsolePages {
    @Sendable static func residentsPage(_ req: Request) async throws -> Response {
        let header = try await header(req, current: "residents")
        let options = try req.listOptions(.residents)
        let page = try await Residents.page(in: header.id, options, on: req)
        let places = try await Residents.places(of: page.items.map(\.id), in: header.id, on: req)
        let rows = page.items.map { p in
            Row(
                cells: [
                    p.name, places[p.id] ?? "—", p.phone, p.birthYear.map(String.init) ?? "—",
                    [
                        p.isElderly ? req.t("flag.elderly") : nil, p.livesAlone ? req.t("flag.livesAlone") : nil,
                        p.isChild ? req.t("flag.child") : nil,
                    ].compactMap { $0 }.joined(separator: " · "),
                ],
                href: RegistryRoute.person(header.id, p.id).path, action: nil, actionLabel: nil)
        }
        var households: [Option] = []
        if header.canManage {
            let buildings = Building.byID(try await Building.scoped(to: header.id, on: req.db).all())
            households = try await Household.scoped(to: header.id, on: req.db).sort(\.$room).limit(2000).all().map {
                Option(value: $0.id?.uuidString ?? "", label: "\(buildings[$0.buildingID]?.name ?? "") \($0.room)")
            }.sorted { $0.label.localizedStandardCompare($1.label) == .orderedAscending }
        }
        return try await req.render(
            "console/list", title: req.t("console.residents"),
            ListPage(
                header: header, heading: req.t("console.residents"),
                columns: [
                    req.t("field.name"), req.t("field.household"), req.t("field.phone"), req.t("field.birthYear"),
                    req.t("field.flags"),
                ],
                rows: rows, pager: pager(page.metadata, req), query: options.query ?? "", searchable: true,
                form: header.canManage ? "resident" : nil, buildings: [], households: households, extra: [:]))
    }

    @Sendable static func postResidents(_ req: Request) async throws -> Response {
        let id = try req.id("communityID")
        try req.authorize(.manageRegistry(id))
        let form = try req.content.decode(ResidentForm.self)
        _ = try await Registry.createResident(in: id, try form.input(), on: req)
        req.flash(req.t("console.saved"))
        return req.redirect(to: RegistryRoute.residents(id).path)
    }

    @Sendable static func personPage(_ req: Request) async throws -> Response {
        let header = try await header(req, current: "residents")
        let (person, _) = try await RegistryAPI.person(req)
        let pid = try person.requireID()
        let memberships = try await Membership.scoped(to: header.id, on: req.db).filter(\.$personID == pid).all()
        let households = try await Household.byID(memberships.map(\.householdID), on: req.db)
        let buildings = try await Building.byID(households.values.map(\.buildingID), on: req.db)
        let places = memberships.compactMap { m -> String? in
            guard let household = households[m.householdID] else { return nil }
            let building = buildings[household.buildingID]?.name ?? ""
            let relation = req.t("relation.\(m.relation.rawValue)")
            return "\(building) \(household.room) · \(relation) · \(m.movedIn) – \(m.movedOut ?? "")"
        }
        let roles = try await StaffAssignment.scoped(to: header.id, on: req.db).filter(\.$personID == pid).all()
        return try await req.render(
            "community/person", title: person.name,
            PersonPage(
                header: header, person: try PersonRead(person), places: places,
                roles: roles.map { req.t("role.\($0.role.rawValue)") }, hasPassword: person.passwordHash != nil,
                action: RegistryRoute.person(header.id, pid).path, resetAction: RegistryRoute.personReset(header.id, pid).path,
                currentYear: Calendar.chinaYear(req.clock.now()),
                guardians: try await guardianship(person, memberships, in: header.id, req)))
    }

    @Sendable static func postGuardians(_ req: Request) async throws -> Response {
        let (person, community) = try await RegistryAPI.person(req)
        try req.authorize(.manageRegistry(community))
        let form = try req.content.decode(GuardianForm.self)
        _ = try await Guardians.register(GuardianCreate(guardianID: form.guardianID), child: person, in: community, on: req)
        req.flash(req.t("console.saved"))
        return req.redirect(to: RegistryRoute.person(community, try person.requireID()).path)
    }

    @Sendable static func postGuardianRemove(_ req: Request) async throws -> Response {
        let (person, community) = try await RegistryAPI.person(req)
        try req.authorize(.manageRegistry(community))
        try await Guardians.remove(guardian: try req.id("guardianID"), child: person.requireID(), in: community, on: req)
        req.flash(req.t("console.saved"))
        return req.redirect(to: RegistryRoute.person(community, try person.requireID()).path)
    }

    @Sendable static func postPerson(_ req: Request) async throws -> Response {
        let id = try req.id("communityID")
        try req.authorize(.manageRegistry(id))
        let (person, community) = try await RegistryAPI.person(req)
        let form = try req.content.decode(PersonForm.self)
        var year: Int?
        if let text = form.birthYear?.nilIfEmpty {
            guard let value = Int(text) else { throw LinliError.invalid("birthYear", "invalid_value") }
            year = value
        }
        let update = PersonUpdate(
            name: form.name, birthYear: year, isElderly: form.isElderly != nil, livesAlone: form.livesAlone != nil,
            isChild: form.isChild != nil, password: nil)
        try await Registry.updatePerson(person, in: community, update, on: req)
        req.flash(req.t("console.saved"))
        return req.redirect(to: RegistryRoute.person(id, try person.requireID()).path)
    }

    @Sendable static func postPersonReset(_ req: Request) async throws -> Response {
        let (person, community) = try await RegistryAPI.person(req)
        let (code, expires) = try await Credentials.startReset(for: person, in: community, on: req)
        return try await req.renderSecret(
            heading: req.t("reset.heading") + " · " + person.name,
            message: req.t("reset.once") + " " + req.t("reset.validUntil") + " " + ConsolePages.time(expires, req),
            secret: code, back: RegistryRoute.person(community, try person.requireID()).path)
    }

    @Sendable static func staffPage(_ req: Request) async throws -> Response {
        let header = try await header(req, current: "staff")
        let staff = try await StaffRead.list(
            try await StaffAssignment.scoped(to: header.id, on: req.db).sort(\.$role).all(), on: req.db)
        return try await req.render(
            "console/list", title: req.t("console.staff"),
            ListPage(
                header: header, heading: req.t("console.staff"),
                columns: [req.t("field.name"), req.t("field.phone"), req.t("field.role"), req.t("field.shift")],
                rows: staff.map { s in
                    Row(
                        cells: [
                            s.personName, s.phone, req.t("role.\(s.role.rawValue)"),
                            s.shift ?? req.t("staff.allDay"),
                        ],
                        href: RegistryRoute.person(header.id, s.personID).path,
                        action: header.canManage ? RegistryRoute.revokeStaff(header.id, s.id).path : nil,
                        actionLabel: req.t("console.revoke"))
                }, pager: nil, query: "", searchable: false, form: header.canManage ? "staff" : nil,
                buildings: [], households: [], extra: [:]))
    }

    @Sendable static func postStaff(_ req: Request) async throws -> Response {
        let id = try req.id("communityID")
        try req.authorize(.manageStaff(id))
        let form = try req.content.decode(StaffForm.self)
        guard let role = StaffRole(rawValue: form.role) else { throw LinliError.invalid("role", "invalid_value") }
        _ = try await Registry.grantStaff(
            in: id,
            StaffCreate(
                phone: form.phone, name: form.name?.nilIfEmpty, role: role, password: form.password?.nilIfEmpty,
                shift: form.shift?.nilIfEmpty),
            on: req)
        req.flash(req.t("console.saved"))
        return req.redirect(to: RegistryRoute.staff(id).path)
    }

    @Sendable static func postRevokeStaff(_ req: Request) async throws -> Response {
        let id = try req.id("communityID")
        try req.authorize(.manageStaff(id))
        try await Registry.revokeStaff(try await StaffAssignment.find(try req.id("staffID"), in: id, on: req.db), on: req)
        req.flash(req.t("console.saved"))
        return req.redirect(to: RegistryRoute.staff(id).path)
    }
}
