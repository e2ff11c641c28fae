import Fluent
import LinliCore
import Vapor

/// The operator and staff console. Reads go through the same queries as the API, writes through `Registry`.
enum ConsolePages {
    struct Tab: Encodable {
        let href: String
        let label: String
        let current: Bool
    }

    /// The header every community page shares.
    struct Header: Encodable {
        let id: UUID
        let name: String
        let address: String
        let canManage: Bool
        let tabs: [Tab]
    }

    struct Pager: Encodable {
        let page: Int
        let pages: Int
        let total: Int
        let previous: String?
        let next: String?
    }

    struct Row: Encodable {
        let cells: [String]
        let href: String?
        let action: String?
        let actionLabel: String?
    }

    struct ListPage: Encodable {
        let header: Header
        let heading: String
        let columns: [String]
        let rows: [Row]
        let pager: Pager?
        let query: String
        let searchable: Bool
        let form: String?
        let buildings: [Option]
        let households: [Option]
        let extra: [String: String]
    }

    struct Option: Encodable {
        let value: String
        let label: String
    }

    struct CommunityCard: Encodable {
        let name: String
        let address: String
        let href: String
    }

    struct CommunitiesPage: Encodable {
        let communities: [CommunityCard]
        let isAdmin: Bool
    }

    static func register(_ web: any RoutesBuilder) {
        web.get("console") { req -> Response in
            let user = try req.user()
            guard user.principal.isAdmin || !user.principal.staffRoles.isEmpty else { throw LinliError(.forbidden) }
            var query = Community.query(on: req.db).sort(\.$name)
            if !user.principal.isAdmin { query = query.filter(\.$id ~~ Array(user.principal.staffRoles.keys)) }
            let rows = try await query.all().map { c in
                CommunityCard(name: c.name, address: c.address, href: SiteRoute.community(c.id ?? UUID()).path)
            }
            return try await req.render(
                "console/index", title: req.t("console.title"),
                CommunitiesPage(communities: rows, isAdmin: user.principal.isAdmin))
        }
        web.post("console", "communities") { req -> Response in
            let input = try req.content.decode(CommunityCreate.self)
            let community = try await Registry.createCommunity(input, on: req)
            req.flash(req.t("console.saved"))
            return req.redirect(to: SiteRoute.community(try community.requireID()).path)
        }
        Web.route(web, .GET, { c, _, _ in .community(c) }) { req in
            let header = try await header(req, current: "overview")
            let id = header.id
            let buildings = try await Building.scoped(to: id, on: req.db).sort(\.$name).all()
            var rows: [Row] = []
            for b in buildings {
                let count = try await Household.query(on: req.db).filter(\.$buildingID == b.requireID()).count()
                rows.append(
                    Row(
                        cells: [b.name, "\(b.floors)", "\(count)"],
                        href: SiteRoute.households(id).path + "?building=\(b.id?.uuidString ?? "")", action: nil,
                        actionLabel: nil))
            }
            let residents = try await Residents.page(
                in: id,
                try ListOptions(
                    page: nil, per: "1", sort: nil, order: nil, query: nil, sortable: ["name"], defaultSort: "name"),
                on: req
            ).metadata.total
            let households = try await Household.scoped(to: id, on: req.db).count()
            let staff = try await StaffAssignment.scoped(to: id, on: req.db).count()
            return try await req.render(
                "console/community", title: header.name,
                ListPage(
                    header: header, heading: req.t("console.buildings"),
                    columns: [req.t("field.name"), req.t("field.floors"), req.t("console.households")], rows: rows,
                    pager: nil, query: "", searchable: false, form: "building",
                    buildings: buildings.map { Option(value: $0.id?.uuidString ?? "", label: $0.name) },
                    households: [],
                    extra: [
                        "edit": SiteRoute.editCommunity(id).path, "editBuilding": SiteRoute.editBuilding(id).path,
                        "residents": "\(residents)", "households": "\(households)", "buildings": "\(buildings.count)",
                        "staff": "\(staff)",
                    ]))
        }
        Web.route(web, .POST, { c, _, _ in .buildings(c) }) { req in
            let id = try req.id("c")
            try req.authorize(.viewRegistry(id))
            _ = try await Registry.createBuilding(in: id, try req.content.decode(BuildingCreate.self), on: req)
            req.flash(req.t("console.saved"))
            return req.redirect(to: SiteRoute.community(id).path)
        }
        Web.route(web, .POST, { c, _, _ in .editCommunity(c) }) { req in
            let id = try req.id("c")
            try req.authorize(.manageCommunity(id))
            guard let community = try await Community.find(id, on: req.db) else { throw LinliError(.notFound) }
            try await Registry.updateCommunity(community, try req.content.decode(CommunityUpdate.self), on: req)
            req.flash(req.t("console.saved"))
            return req.redirect(to: SiteRoute.community(id).path)
        }
        Web.route(web, .POST, { c, _, _ in .editBuilding(c) }) { req in
            let id = try req.id("c")
            try req.authorize(.manageRegistry(id))
            let form = try req.content.decode(BuildingForm.self)
            let building = try await Building.find(form.buildingID, in: id, on: req.db)
            try await Registry.updateBuilding(
                building,
                BuildingUpdate(name: form.name?.nilIfEmpty, floors: form.floors?.nilIfEmpty.flatMap { Int($0) }),
                on: req)
            req.flash(req.t("console.saved"))
            return req.redirect(to: SiteRoute.community(id).path)
        }
        Web.route(web, .POST, { c, h, _ in .editHousehold(c, h) }) { req in
            let id = try req.id("c")
            try req.authorize(.manageRegistry(id))
            let household = try await Household.find(try req.id("h"), in: id, on: req.db)
            try await Registry.updateHousehold(household, try req.content.decode(HouseholdUpdate.self), on: req)
            req.flash(req.t("console.saved"))
            return req.redirect(to: SiteRoute.household(id, try household.requireID()).path)
        }
        Web.route(web, .GET, { c, _, _ in .households(c) }) { req in
            let header = try await header(req, current: "households")
            let options = try req.listOptions(sortable: ["room", "floor"], defaultSort: "room")
            var query = Household.scoped(to: header.id, on: req.db)
            let building = req.query[String.self, at: "building"].flatMap(UUID.init(uuidString:))
            if let building { query = query.filter(\.$buildingID == building) }
            if let q = options.query { query = query.filter(\.$room ~~ q) }
            let page = try await query.page(options, sortKeys: ["room": "room", "floor": "floor"]) { $0 }
            let buildings = try await Building.scoped(to: header.id, on: req.db).sort(\.$name).all()
            let names = Dictionary(
                buildings.compactMap { b in b.id.map { ($0, b.name) } }, uniquingKeysWith: { a, _ in a })
            let rows = page.items.map { h in
                Row(
                    cells: [names[h.buildingID] ?? "", h.room, "\(h.floor)", String(format: "%.1f", h.areaM2)],
                    href: SiteRoute.household(header.id, h.id ?? UUID()).path, action: nil, actionLabel: nil)
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
        Web.route(web, .POST, { c, _, _ in .households(c) }) { req in
            let id = try req.id("c")
            try req.authorize(.viewRegistry(id))
            let household = try await Registry.createHousehold(
                in: id, try req.content.decode(HouseholdCreate.self), on: req)
            req.flash(req.t("console.saved"))
            return req.redirect(to: SiteRoute.household(id, try household.requireID()).path)
        }
        Web.route(web, .GET, { c, h, _ in .household(c, h) }) { req in
            let header = try await header(req, current: "households")
            let household = try await Household.find(try req.id("h"), in: header.id, on: req.db)
            let building = try await Building.find(household.buildingID, on: req.db)
            let members = try await RegistryAPI.members(of: try household.requireID(), on: req)
            let rows = members.map { m in
                Row(
                    cells: [m.personName, req.t("relation.\(m.relation.rawValue)"), m.movedIn, m.movedOut ?? "—"],
                    href: SiteRoute.person(header.id, m.personID).path,
                    action: header.canManage && m.movedOut == nil
                        ? SiteRoute.moveOut(header.id, household.id ?? UUID(), m.id).path : nil,
                    actionLabel: req.t("console.moveOut"))
            }
            return try await req.render(
                "console/household", title: "\(building?.name ?? "") \(household.room)",
                ListPage(
                    header: header, heading: "\(building?.name ?? "") \(household.room)",
                    columns: [
                        req.t("field.name"), req.t("field.relation"), req.t("field.movedIn"), req.t("field.movedOut"),
                    ],
                    rows: rows, pager: nil, query: "", searchable: false, form: header.canManage ? "member" : nil,
                    buildings: [], households: [],
                    extra: [
                        "members": SiteRoute.members(header.id, household.id ?? UUID()).path, "today": req.today,
                        "edit": SiteRoute.editHousehold(header.id, household.id ?? UUID()).path, "room": household.room,
                        "floor": "\(household.floor)", "area": String(format: "%.1f", household.areaM2),
                    ]))
        }
        Web.route(web, .POST, { c, h, _ in .members(c, h) }) { req in
            let id = try req.id("c")
            try req.authorize(.viewRegistry(id))
            let household = try await Household.find(try req.id("h"), in: id, on: req.db)
            _ = try await Registry.addMember(to: household, try req.content.decode(MemberCreate.self), on: req)
            req.flash(req.t("console.saved"))
            return req.redirect(to: SiteRoute.household(id, try household.requireID()).path)
        }
        Web.route(web, .POST, { c, h, m in .moveOut(c, h, m) }) { req in
            let id = try req.id("c")
            try req.authorize(.viewRegistry(id))
            let membership = try await Membership.find(try req.id("m"), in: id, on: req.db)
            guard membership.householdID == (try req.id("h")) else { throw LinliError(.notFound) }
            let date = try req.content.get(String.self, at: "movedOut")
            guard let day = CivilDate(date) else { throw LinliError.invalid("movedOut", "invalid_date") }
            try await Registry.updateMembership(membership, MembershipUpdate(relation: nil, movedOut: day), on: req)
            req.flash(req.t("console.saved"))
            return req.redirect(to: SiteRoute.household(id, membership.householdID).path)
        }
        Web.route(web, .GET, { c, _, _ in .residents(c) }) { req in
            let header = try await header(req, current: "residents")
            let options = try req.listOptions(sortable: ["name", "phone"], defaultSort: "name")
            let page = try await Residents.page(in: header.id, options, on: req)
            let rows = page.items.map { p in
                Row(
                    cells: [
                        p.name, p.phone, p.birthYear.map(String.init) ?? "—",
                        [
                            p.isElderly ? req.t("flag.elderly") : nil, p.livesAlone ? req.t("flag.livesAlone") : nil,
                            p.isChild ? req.t("flag.child") : nil,
                        ].compactMap { $0 }.joined(separator: " · "),
                    ],
                    href: SiteRoute.person(header.id, p.id).path, action: nil, actionLabel: nil)
            }
            var households: [Option] = []
            if header.canManage {
                let buildings = try await Building.scoped(to: header.id, on: req.db).all()
                let names = Dictionary(
                    buildings.compactMap { b in b.id.map { ($0, b.name) } }, uniquingKeysWith: { a, _ in a })
                households = try await Household.scoped(to: header.id, on: req.db).sort(\.$room).limit(2000).all().map {
                    Option(value: $0.id?.uuidString ?? "", label: "\(names[$0.buildingID] ?? "") \($0.room)")
                }.sorted { $0.label.localizedStandardCompare($1.label) == .orderedAscending }
            }
            return try await req.render(
                "console/list", title: req.t("console.residents"),
                ListPage(
                    header: header, heading: req.t("console.residents"),
                    columns: [
                        req.t("field.name"), req.t("field.phone"), req.t("field.birthYear"), req.t("field.flags"),
                    ],
                    rows: rows, pager: pager(page.metadata, req), query: options.query ?? "", searchable: true,
                    form: header.canManage ? "resident" : nil, buildings: [], households: households, extra: [:]))
        }
        Web.route(web, .POST, { c, _, _ in .residents(c) }) { req in
            let id = try req.id("c")
            try req.authorize(.viewRegistry(id))
            let form = try req.content.decode(ResidentForm.self)
            _ = try await Registry.createResident(in: id, try form.input(), on: req)
            req.flash(req.t("console.saved"))
            return req.redirect(to: SiteRoute.residents(id).path)
        }
        Web.route(web, .GET, { c, p, _ in .person(c, p) }) { req in
            let header = try await header(req, current: "residents")
            let (person, _) = try await RegistryAPI.person(req, communityParameter: "c", personParameter: "h")
            let pid = try person.requireID()
            let memberships = try await Membership.scoped(to: header.id, on: req.db).filter(\.$personID == pid).all()
            var places: [String] = []
            for m in memberships {
                guard let household = try await Household.find(m.householdID, on: req.db) else { continue }
                let building = try await Building.find(household.buildingID, on: req.db)
                places.append(
                    "\(building?.name ?? "") \(household.room) · \(req.t("relation.\(m.relation.rawValue)")) · \(m.movedIn) – \(m.movedOut ?? "")"
                )
            }
            let roles = try await StaffAssignment.scoped(to: header.id, on: req.db).filter(\.$personID == pid).all()
            return try await req.render(
                "console/person", title: person.name,
                PersonPage(
                    header: header, person: try PersonRead(person), places: places,
                    roles: roles.map { req.t("role.\($0.role.rawValue)") }, hasPassword: person.passwordHash != nil,
                    action: SiteRoute.person(header.id, pid).path, currentYear: Calendar.chinaYear(req.clock.now())))
        }
        Web.route(web, .POST, { c, p, _ in .person(c, p) }) { req in
            let id = try req.id("c")
            try req.authorize(.manageRegistry(id))
            let (person, community) = try await RegistryAPI.person(req, communityParameter: "c", personParameter: "h")
            let form = try req.content.decode(PersonForm.self)
            var year: Int?
            if let text = form.birthYear?.nilIfEmpty {
                guard let value = Int(text) else { throw LinliError.invalid("birthYear", "invalid_value") }
                year = value
            }
            let update = PersonUpdate(
                name: form.name, birthYear: year, isElderly: form.isElderly != nil, livesAlone: form.livesAlone != nil,
                isChild: form.isChild != nil, password: form.password?.nilIfEmpty)
            try await Registry.updatePerson(person, in: community, update, on: req)
            req.flash(req.t("console.saved"))
            return req.redirect(to: SiteRoute.person(id, try person.requireID()).path)
        }
        Web.route(web, .GET, { c, _, _ in .staff(c) }) { req in
            let header = try await header(req, current: "staff")
            let rows = try await StaffAssignment.scoped(to: header.id, on: req.db).sort(\.$role).all()
            let people = try await Person.query(on: req.db).filter(\.$id ~~ rows.map(\.personID)).all()
            let byID = Dictionary(people.compactMap { p in p.id.map { ($0, p) } }, uniquingKeysWith: { a, _ in a })
            return try await req.render(
                "console/list", title: req.t("console.staff"),
                ListPage(
                    header: header, heading: req.t("console.staff"),
                    columns: [req.t("field.name"), req.t("field.phone"), req.t("field.role")],
                    rows: rows.map { s in
                        Row(
                            cells: [
                                byID[s.personID]?.name ?? "", byID[s.personID]?.phone ?? "",
                                req.t("role.\(s.role.rawValue)"),
                            ],
                            href: SiteRoute.person(header.id, s.personID).path,
                            action: header.canManage ? SiteRoute.revokeStaff(header.id, s.id ?? UUID()).path : nil,
                            actionLabel: req.t("console.revoke"))
                    }, pager: nil, query: "", searchable: false, form: header.canManage ? "staff" : nil,
                    buildings: [], households: [], extra: [:]))
        }
        Web.route(web, .POST, { c, _, _ in .staff(c) }) { req in
            let id = try req.id("c")
            try req.authorize(.viewRegistry(id))
            let form = try req.content.decode(StaffForm.self)
            guard let role = StaffRole(rawValue: form.role) else { throw LinliError.invalid("role", "invalid_value") }
            _ = try await Registry.grantStaff(
                in: id,
                StaffCreate(
                    phone: form.phone, name: form.name?.nilIfEmpty, role: role, password: form.password?.nilIfEmpty),
                on: req)
            req.flash(req.t("console.saved"))
            return req.redirect(to: SiteRoute.staff(id).path)
        }
        Web.route(web, .POST, { c, s, _ in .revokeStaff(c, s) }) { req in
            let id = try req.id("c")
            try req.authorize(.viewRegistry(id))
            try await Registry.revokeStaff(try await StaffAssignment.find(try req.id("h"), in: id, on: req.db), on: req)
            req.flash(req.t("console.saved"))
            return req.redirect(to: SiteRoute.staff(id).path)
        }
        Web.route(web, .GET, { c, _, _ in .importResidents(c) }) { req in
            let header = try await header(req, current: "import")
            try req.authorize(.manageRegistry(header.id))
            return try await req.render(
                "console/import", title: req.t("console.import"),
                ImportPage(header: header, result: nil, issues: [], error: nil))
        }
        Web.route(web, .POST, { c, _, _ in .importResidents(c) }) { req in
            let header = try await header(req, current: "import")
            let form = try req.content.decode(ImportForm.self)
            let text = form.file.flatMap { $0.data.readableBytes > 0 ? String(buffer: $0.data) : nil } ?? form.csv ?? ""
            do {
                let result = try await ResidentImporter.run(text, in: header.id, on: req)
                return try await req.render(
                    "console/import", title: req.t("console.import"),
                    ImportPage(
                        header: header,
                        result: req.t("import.done", ["created": "\(result.created)", "people": "\(result.people)"]),
                        issues: [], error: nil))
            } catch let error as LinliError where error.code == .importRejected {
                let issues = error.issues.map { issue in
                    ImportIssue(
                        line: issue.line ?? 0, column: issue.field.map { req.t("field.\($0)") } ?? "",
                        reason: req.t("reason.\(issue.reason)"))
                }
                return try await req.render(
                    "console/import", title: req.t("console.import"),
                    ImportPage(
                        header: header, result: nil, issues: issues,
                        error: req.t("error.import_rejected.detail", error.arguments)), status: .unprocessableEntity)
            }
        }
        Web.route(web, .GET, { c, _, _ in .audit(c) }) { req in
            let header = try await header(req, current: "audit")
            try req.authorize(.viewAudit(header.id))
            let options = try req.listOptions(sortable: ["at"], defaultSort: "-at")
            let page = try await AuditEntry.scoped(to: header.id, on: req.db).page(options, sortKeys: ["at": "at"]) {
                $0
            }
            let formatter = ISO8601DateFormatter()
            formatter.timeZone = Calendar.china.timeZone
            return try await req.render(
                "console/list", title: req.t("console.audit"),
                ListPage(
                    header: header, heading: req.t("console.audit"),
                    columns: [
                        req.t("field.at"), req.t("field.actor"), req.t("field.action"), req.t("field.entity"),
                        req.t("field.change"),
                    ],
                    rows: page.items.map { e in
                        Row(
                            cells: [
                                formatter.string(from: e.at), e.actorName, req.t("audit.\(e.action)"), e.entity,
                                [e.before.map { "− " + $0 }, e.after.map { "+ " + $0 }].compactMap { $0 }.joined(
                                    separator: "\n"),
                            ],
                            href: nil, action: nil, actionLabel: nil)
                    }, pager: pager(page.metadata, req), query: "", searchable: false, form: nil, buildings: [],
                    households: [], extra: [:]))
        }
    }

    struct ImportIssue: Encodable {
        let line: Int
        let column: String
        let reason: String
    }

    struct ImportPage: Encodable {
        let header: Header
        let result: String?
        let issues: [ImportIssue]
        let error: String?
    }

    struct ImportForm: Content {
        var csv: String?
        var file: File?
    }

    struct PersonPage: Encodable {
        let header: Header
        let person: PersonRead
        let places: [String]
        let roles: [String]
        let hasPassword: Bool
        let action: String
        let currentYear: Int
    }

    struct BuildingForm: Content {
        var buildingID: UUID
        var name: String?
        var floors: String?
    }

    struct PersonForm: Content {
        var name: String
        var birthYear: String?
        var isElderly: String?
        var livesAlone: String?
        var isChild: String?
        var password: String?
    }

    struct StaffForm: Content {
        var phone: String
        var name: String?
        var role: String
        var password: String?
    }

    struct ResidentForm: Content {
        var name: String
        var phone: String
        var birthYear: String?
        var householdID: UUID
        var relation: String
        var movedIn: String?
        var isElderly: String?
        var livesAlone: String?
        var isChild: String?

        func input() throws -> ResidentCreate {
            guard let relation = HouseholdRelation(rawValue: relation) else {
                throw LinliError.invalid("relation", "invalid_value")
            }
            var year: Int?
            if let text = birthYear?.nilIfEmpty {
                guard let value = Int(text) else { throw LinliError.invalid("birthYear", "invalid_value") }
                year = value
            }
            var moved: CivilDate?
            if let text = movedIn?.nilIfEmpty {
                guard let day = CivilDate(text) else { throw LinliError.invalid("movedIn", "invalid_date") }
                moved = day
            }
            return ResidentCreate(
                name: name, phone: phone, birthYear: year, isElderly: isElderly != nil, livesAlone: livesAlone != nil,
                isChild: isChild != nil, householdID: householdID, relation: relation, movedIn: moved)
        }
    }

    static func header(_ req: Request, current: String) async throws -> Header {
        let id = try req.id("c")
        try req.authorize(.viewRegistry(id))
        guard let community = try await Community.find(id, on: req.db) else { throw LinliError(.notFound) }
        let canManage = req.can(.manageRegistry(id))
        var tabs: [(String, SiteRoute)] = [
            ("overview", .community(id)), ("households", .households(id)),
            ("residents", .residents(id)), ("staff", .staff(id)),
        ]
        if canManage { tabs += [("import", .importResidents(id)), ("audit", .audit(id))] }
        return Header(
            id: id, name: community.name, address: community.address, canManage: canManage,
            tabs: tabs.map { Tab(href: $0.1.path, label: req.t("console.tab.\($0.0)"), current: $0.0 == current) })
    }

    static func pager(_ metadata: PageMetadata, _ req: Request) -> Pager {
        let pages = max(1, (metadata.total + metadata.per - 1) / metadata.per)
        func link(_ page: Int) -> String {
            var components = URLComponents()
            components.path = req.url.path
            var items = (URLComponents(string: req.url.string)?.queryItems ?? []).filter { $0.name != "page" }
            items.append(URLQueryItem(name: "page", value: "\(page)"))
            components.queryItems = items
            return components.string ?? req.url.path
        }
        return Pager(
            page: metadata.page, pages: pages, total: metadata.total,
            previous: metadata.page > 1 ? link(metadata.page - 1) : nil,
            next: metadata.page < pages ? link(metadata.page + 1) : nil)
    }
}
