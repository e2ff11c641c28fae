import Fluent
import Foundation
import LinliCore
import Vapor

/// Requests for residents (`/requests`: file, follow, confirm, reopen, rate) and the staff task list
/// (`/tasks`: my orders, and for dispatchers every open order of their communities), phone-first.
enum WorkOrderPages {
    struct OrderRow: Encodable {
        let href: String
        let title: String
        let home: String
        let status: String
        let filed: String
        let due: String
        let late: String?
        let assignee: String
        let actions: [Button]
        let assign: String?
        let communityID: String
    }

    struct Button: Encodable {
        let action: String
        let label: String
        let url: String
        let primary: Bool
    }

    struct Step: Encodable {
        let time: String
        let text: String
        let note: String
    }

    struct RequestsPage: Encodable {
        let orders: [OrderRow]
        let households: [ConsolePages.Option]
        let categories: [ConsolePages.Option]
    }

    struct RequestPage: Encodable {
        let order: OrderRow
        let description: String
        let place: String
        let preferredTime: String?
        let category: String
        let steps: [Step]
        let photos: [String]
        let canRate: Bool
        let rating: String?
        let rateAction: String
        let photoAction: String?
    }

    struct TasksPage: Encodable {
        let mine: [OrderRow]
        let open: [OrderRow]
        let canDispatch: Bool
        let staff: [ConsolePages.Option]
    }

    struct NewForm: Content {
        var householdID: UUID
        var category: String
        var description: String
        var place: String?
        var preferredTime: String?
        var photo: File?
        var thumb: File?
    }

    static func statusText(_ read: WorkOrderRead, _ req: Request) -> String {
        req.t("work.status.\(read.status.rawValue)")
    }

    /// The buttons the caller may press on this order now (the rules decide; refused steps are not shown).
    static func buttons(_ order: WorkOrderRead, actor: WorkActor?) -> [WorkAction] {
        guard let actor else { return [] }
        return WorkAction.allCases.filter { action in
            if case .success = WorkOrderRules.next(
                order.status, action, by: actor, hasAssignee: order.assigneeID != nil)
            {
                return true
            }
            return false
        }
    }

    static func row(_ o: WorkOrderRead, actor: WorkActor?, assign: Bool = false, _ req: Request) -> OrderRow {
        OrderRow(
            href: PropertyRoute.request(o.id).path, title: req.t("work.category.\(o.category.rawValue)"), home: o.home,
            status: statusText(o, req), filed: ConsolePages.time(o.createdAt, req),
            due: ConsolePages.time(o.status == .submitted ? o.respondBy : o.completeBy, req),
            late: o.overdue.map { req.t("work.late.\($0.rawValue)") }, assignee: o.assignee ?? req.t("work.unassigned"),
            actions: buttons(o, actor: actor).map { action in
                Button(
                    action: action.rawValue, label: req.t("work.action.\(action.rawValue)"),
                    url: PropertyRoute.requestAct(o.id).path, primary: [.accept, .complete, .confirm].contains(action))
            }, assign: assign ? PropertyRoute.requestAssign(o.id).path : nil, communityID: o.communityID.uuidString)
    }

    static func actor(_ read: WorkOrderRead, _ req: Request) throws -> WorkActor? {
        try WorkOrderService.actor(
            assignee: read.assigneeID, household: read.householdID, community: read.communityID,
            filedAt: read.createdAt, req)
    }

    static func register(_ web: any RoutesBuilder) {
        Web.route(web, .GET, { _, _, _ in PropertyRoute.myRequests }) { req -> Response in
            let user = try req.user()
            let now = req.clock.now()
            let orders = try await WorkOrder.query(on: req.db).madeInHomes(of: user.principal)
                .sort(\.$createdAt, .descending)
                .limit(50).all()
            let reads = try await WorkOrderService.reads(orders, now: now, on: req.db)
            let households = try await Household.byID(Array(user.principal.households.keys), on: req.db)
            let buildings = try await Building.byID(households.values.map(\.buildingID), on: req.db)
            return try await req.render(
                "property/requests", title: req.t("work.title"),
                RequestsPage(
                    orders: try reads.map { row($0, actor: try actor($0, req), req) },
                    households: households.values.map { h in
                        ConsolePages.Option(
                            value: h.id?.uuidString ?? "", label: "\(buildings[h.buildingID]?.name ?? "") \(h.room)")
                    },
                    categories: WorkCategory.allCases.map {
                        ConsolePages.Option(value: $0.rawValue, label: req.t("work.category.\($0.rawValue)"))
                    }))
        }
        Web.route(web, .POST, { _, _, _ in PropertyRoute.myRequests }, maxBody: "6mb") { req -> Response in
            let form = try req.content.decode(NewForm.self)
            guard let category = WorkCategory(rawValue: form.category) else {
                throw LinliError.invalid("category", "invalid_value")
            }
            let photo = form.photo.flatMap { $0.data.readableBytes > 0 ? $0 : nil }
            let type = photo?.contentType.map(\.essence) ?? ""
            let bytes = photo.map { Data(buffer: $0.data) }
            let thumb = form.thumb.flatMap { $0.data.readableBytes > 0 ? Data(buffer: $0.data) : nil }
            // Checked before anything is stored, so a wrong file leaves no request behind.
            if let bytes { try WorkOrderService.checkPhoto(type: type, bytes, thumbnail: thumb) }
            let order = try await WorkOrderService.file(
                WorkOrderInput(
                    householdID: form.householdID, category: category, description: form.description,
                    place: form.place, preferredTime: form.preferredTime), channel: "app", on: req)
            if let bytes {
                _ = try await WorkOrderService.addPhoto(order, type: type, bytes: bytes, thumbnail: thumb, on: req)
            }
            req.flash(req.t("work.filed"))
            return req.redirect(to: PropertyRoute.request(try order.requireID()).path)
        }
        Web.route(web, .GET, { o, _, _ in PropertyRoute.request(o) }) { req -> Response in
            let order = try await WorkOrderService.order(req)
            let read = try await WorkOrderService.reads([order], now: req.clock.now(), detail: true, on: req.db)[0]
            let who = try actor(read, req)
            return try await req.render(
                "property/request", title: req.t("work.category.\(read.category.rawValue)"),
                RequestPage(
                    order: row(read, actor: who, req), description: read.description, place: read.place,
                    preferredTime: read.preferredTime, category: req.t("work.category.\(read.category.rawValue)"),
                    steps: (read.timeline ?? []).map { e in
                        Step(
                            time: ConsolePages.time(e.at, req),
                            text: req.t("work.step.\(e.action)", ["who": e.actor]),
                            note: e.action == "filed" ? req.t("work.channel.\(e.note)") : e.note)
                    },
                    photos: (read.photos ?? []).map { PropertyRoute.requestPhoto(read.id, $0).path },
                    canRate: who == .resident && [.done, .confirmed].contains(read.status) && read.rating == nil,
                    rating: read.rating.map {
                        String(repeating: "★", count: $0) + (read.ratingComment.map { " " + $0 } ?? "")
                    },
                    rateAction: PropertyRoute.requestRate(read.id).path,
                    photoAction: read.status.isOpen ? PropertyRoute.requestPhotos(read.id).path : nil))
        }
        Web.route(web, .GET, { o, p, _ in PropertyRoute.requestPhoto(o, p) }) { req in try await WorkOrderAPI.photoResponse(req) }
        Web.route(web, .POST, { o, _, _ in PropertyRoute.requestPhotos(o) }, maxBody: "6mb") { req -> Response in
            struct Form: Content {
                var photo: File
                var thumb: File?
            }
            let order = try await WorkOrderService.order(req)
            let form = try req.content.decode(Form.self)
            let photo = form.photo
            _ = try await WorkOrderService.addPhoto(
                order, type: photo.contentType.map(\.essence) ?? "",
                bytes: Data(buffer: photo.data),
                thumbnail: form.thumb.flatMap { $0.data.readableBytes > 0 ? Data(buffer: $0.data) : nil }, on: req)
            req.flash(req.t("console.saved"))
            return req.redirect(to: PropertyRoute.request(try order.requireID()).path)
        }
        Web.route(web, .POST, { o, _, _ in PropertyRoute.requestAct(o) }) { req -> Response in
            struct Form: Content {
                var action: String
                var note: String?
                var back: String?
            }
            let form = try req.content.decode(Form.self)
            guard let action = WorkAction(rawValue: form.action) else {
                throw LinliError.invalid("action", "invalid_value")
            }
            let order = try await WorkOrderService.order(req)
            try await WorkOrderService.act(order, WorkActionInput(action: action, note: form.note), on: req)
            req.flash(req.t("work.done.\(action.rawValue)"))
            return req.redirect(to: form.back == "tasks" ? PropertyRoute.myTasks.path : PropertyRoute.request(try order.requireID()).path)
        }
        Web.route(web, .POST, { o, _, _ in PropertyRoute.requestRate(o) }) { req -> Response in
            struct Form: Content {
                var stars: String?
                var comment: String?
            }
            let form = try req.content.decode(Form.self)
            guard let stars = form.stars.flatMap({ Int($0) }) else {
                throw LinliError.invalid("stars", "missing_value")
            }
            let order = try await WorkOrderService.order(req)
            try await WorkOrderService.rate(order, WorkRatingInput(stars: stars, comment: form.comment), on: req)
            req.flash(req.t("work.thanks"))
            return req.redirect(to: PropertyRoute.request(try order.requireID()).path)
        }
        Web.route(web, .POST, { o, _, _ in PropertyRoute.requestAssign(o) }) { req -> Response in
            struct Form: Content { var assigneeID: UUID }
            let order = try await WorkOrderService.order(req)
            try await WorkOrderService.assign(order, to: try req.content.decode(Form.self).assigneeID, on: req)
            req.flash(req.t("console.saved"))
            return req.redirect(to: PropertyRoute.myTasks.path)
        }
        // Dispatchers and managers: the community's orders (open ones unless `?status=` says otherwise;
        // `?overdue=true` for the late ones), late ones marked, each opening its page.
        Web.route(web, .GET, { c, _, _ in PropertyRoute.workOrders(c) }) { req in
            let header = try await ConsolePages.header(req, current: "workOrders")
            try req.authorize(.dispatchWorkOrders(header.id))
            let options = try req.listOptions(.workOrders)
            let now = req.clock.now()
            let page = try await WorkOrderAPI.filtered(
                WorkOrder.scoped(to: header.id, on: req.db), req, now: now, defaultStatus: "open"
            )
            .page(options) { $0 }
            let reads = try await WorkOrderService.reads(page.items, now: now, on: req.db)
            return try await req.render(
                "console/list", title: req.t("console.tab.workOrders"),
                ConsolePages.ListPage(
                    header: header, heading: req.t("console.tab.workOrders"),
                    columns: [
                        req.t("work.category"), req.t("field.household"), req.t("device.status"),
                        req.t("work.assignee"), req.t("work.due"),
                    ],
                    rows: reads.map { o in
                        ConsolePages.Row(
                            cells: [
                                req.t("work.category.\(o.category.rawValue)"), o.home,
                                statusText(o, req)
                                    + (o.overdue.map { " · ⚠ " + req.t("work.late.\($0.rawValue)") } ?? ""),
                                o.assignee ?? req.t("work.unassigned"),
                                ConsolePages.time(o.status == .submitted ? o.respondBy : o.completeBy, req),
                            ], href: PropertyRoute.request(o.id).path, action: nil, actionLabel: nil)
                    }, pager: ConsolePages.pager(page.metadata, req), query: "", searchable: false, form: nil,
                    buildings: [], households: [], extra: [:]))
        }
        Web.route(web, .GET, { _, _, _ in PropertyRoute.myTasks }) { req -> Response in
            let user = try req.user()
            let now = req.clock.now()
            let mine = try await WorkOrder.query(on: req.db).filter(\.$assigneeID == user.principal.personID)
                .filter(\.$status ~~ [.submitted, .accepted, .onTheWay]).sort(\.$completeBy).limit(100).all()
            let dispatching = user.principal.staffRoles.filter {
                !$0.value.isDisjoint(with: [.operator_, .propertyStaff])
            }
            .map(\.key)
            let open =
                dispatching.isEmpty
                ? []
                : try await WorkOrder.query(on: req.db).filter(\.$communityID ~~ dispatching)
                    .filter(\.$status ~~ [.submitted, .accepted, .onTheWay]).sort(\.$completeBy).limit(100).all()
                    .filter { $0.assigneeID != user.principal.personID }
            let staff = try await StaffAssignment.query(on: req.db).filter(\.$communityID ~~ dispatching)
                .filter(\.$role == .propertyStaff).all()
            let people = try await Person.byID(staff.map(\.personID), on: req.db)
            let mineReads = try await WorkOrderService.reads(mine, now: now, on: req.db)
            let openReads = try await WorkOrderService.reads(open, now: now, on: req.db)
            return try await req.render(
                "property/tasks", title: req.t("work.tasks"),
                TasksPage(
                    mine: try mineReads.map { row($0, actor: try actor($0, req), req) },
                    open: try openReads.map { row($0, actor: try actor($0, req), assign: true, req) },
                    canDispatch: !dispatching.isEmpty,
                    staff: staff.map { s in
                        ConsolePages.Option(value: s.personID.uuidString, label: people[s.personID]?.name ?? "")
                    }))
        }
    }
}
