import Fluent
import Foundation
import LinliCore
import Vapor

extension WorkOrderPages {
    @Sendable static func myRequestsPage(_ req: Request) async throws -> Response {
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

    @Sendable static func postMyRequests(_ req: Request) async throws -> Response {
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

    @Sendable static func requestPage(_ req: Request) async throws -> Response {
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

    @Sendable static func requestPhotoPage(_ req: Request) async throws -> Response {
        try await WorkOrderAPI.photoResponse(req) 
    }

    @Sendable static func postRequestPhotos(_ req: Request) async throws -> Response {
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

    @Sendable static func postRequestAct(_ req: Request) async throws -> Response {
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

    @Sendable static func postRequestRate(_ req: Request) async throws -> Response {
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

    @Sendable static func postRequestAssign(_ req: Request) async throws -> Response {
        struct Form: Content { var assigneeID: UUID }
        let order = try await WorkOrderService.order(req)
        try await WorkOrderService.assign(order, to: try req.content.decode(Form.self).assigneeID, on: req)
        req.flash(req.t("console.saved"))
        return req.redirect(to: PropertyRoute.myTasks.path)
    }

    @Sendable static func workOrdersPage(_ req: Request) async throws -> Response {
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

    @Sendable static func myTasksPage(_ req: Request) async throws -> Response {
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
