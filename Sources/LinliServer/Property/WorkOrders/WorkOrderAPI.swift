import Fluent
import Foundation
import LinliCore
import Vapor

extension Sorting {
    static let workOrders = Sorting(keys: ["created_at", "updated_at", "complete_by"], defaultSort: "-created_at")
}

/// Requests and work orders: residents (`/api/v1/me/work-orders`), staff filing after a call and
/// dispatching (`/api/v1/communities/{c}/work-orders`), one order's steps (`/api/v1/work-orders/{id}`).
enum WorkOrderAPI {
    static let c = RegistryAPI.c
    static let object: JSONValue = .object([("type", "object")])

    /// Filters of a community's order list: status (or `open`), late only, assignee.
    static func filtered(
        _ query: QueryBuilder<WorkOrder>, _ req: Request, now: Date, defaultStatus: String? = nil
    ) throws -> QueryBuilder<WorkOrder> {
        var query = query
        if let status = req.query[String.self, at: "status"] ?? defaultStatus, !status.isEmpty {
            if status == "open" {
                query = query.filter(\.$status ~~ [.submitted, .accepted, .onTheWay])
            } else if let value = WorkStatus(rawValue: status) {
                query = query.filter(\.$status == value)
            } else {
                throw LinliError(
                    .invalidListQuery, ["field": "status"],
                    issues: [FieldIssue(field: "status", reason: "invalid_value")])
            }
        }
        if let text = req.query[String.self, at: "assigneeID"], !text.isEmpty {
            guard let id = UUID(uuidString: text) else {
                throw LinliError(
                    .invalidListQuery, ["field": "assigneeID"],
                    issues: [FieldIssue(field: "assigneeID", reason: "invalid_value")])
            }
            query = query.filter(\.$assigneeID == id)
        }
        if req.query[String.self, at: "overdue"] == "true" { query = overdue(query, now: now) }
        return query
    }

    /// Open and past a deadline: not done in time, or not accepted in time (the list's `overdue=true`,
    /// and the operations figures' `overdueOpen`).
    static func overdue(_ query: QueryBuilder<WorkOrder>, now: Date) -> QueryBuilder<WorkOrder> {
        query.filter(\.$status ~~ [.submitted, .accepted, .onTheWay]).group(.or) { late in
            late.filter(\.$completeBy < now).group(.and) {
                $0.filter(\.$status == .submitted).filter(\.$respondBy < now)
            }
        }
    }

    /// The photo, or its thumbnail with `?size=thumbnail` (the photo itself when it has none).
    static func photoResponse(_ req: Request) async throws -> Response {
        let order = try await WorkOrderService.order(req)
        guard let photo = try await WorkOrderPhoto.find(try req.id("photoID"), on: req.db), photo.orderID == order.id
        else { throw LinliError(.notFound) }
        let thumbnail = req.query[String.self, at: "size"] == "thumbnail" ? photo.thumbnail : nil
        let response = Response(body: .init(data: thumbnail ?? photo.bytes))
        response.headers.replaceOrAdd(name: .contentType, value: thumbnail == nil ? photo.contentType : "image/jpeg")
        response.headers.replaceOrAdd(name: .cacheControl, value: "private, max-age=86400")
        return response
    }

    static func register(_ app: Application) {
        app.migrations.add(CreateWorkOrders())
        app.migrations.add(AddWorkOrderVersion())
        // Late orders escalate, forgotten ones are confirmed.
        app.jobs.every("work-orders.sweep", seconds: 60) { app, job in
            try await WorkOrderService.sweep(now: job.now, on: app.db, events: app.events)
        }
        let api = app.api.authenticated
        let listQuery =
            Endpoint.listQuery(.workOrders) + [
                .init(name: "status", schema: Schema.enumeration(["open"] + WorkStatus.allCases.map(\.rawValue))),
                .init(name: "overdue", schema: Schema.bool), .init(name: "assigneeID", schema: Schema.uuid),
            ]
        api.register(
            .init(
                method: .POST, path: "/api/v1/me/work-orders", operationID: "fileWorkOrder",
                summary: "File a request for my household (repair, help, cleaning, complaint, suggestion)",
                tag: "property", authority: .signedIn, body: Schema.ref("WorkOrderCreate"), status: .created,
                response: Schema.ref("WorkOrder")), in: app, fileWorkOrder)
        api.register(
            .init(
                method: .GET, path: "/api/v1/me/work-orders", operationID: "listMyWorkOrders",
                summary: "My households' requests, newest first", tag: "property", authority: .signedIn,
                response: Schema.page(of: "WorkOrder"), query: listQuery), in: app, WorkOrderLists.mine)
        api.register(
            .init(
                method: .GET, path: "/api/v1/me/tasks", operationID: "listMyTasks",
                summary: "Staff: the work orders assigned to me that are still open, most urgent first",
                tag: "property", authority: .signedIn, response: Schema.page(of: "WorkOrder"), query: listQuery), in: app,
            WorkOrderLists.tasks)
        api.register(
            .init(
                method: .POST, path: c + "/work-orders", operationID: "fileWorkOrderForResident",
                summary: "Staff file a request for a household (after a phone call)", tag: "property", authority: .community { .dispatchWorkOrders($0) },
                body: Schema.ref("WorkOrderCreate"), status: .created, response: Schema.ref("WorkOrder")), in: app, fileWorkOrderForResident)
        api.register(
            .init(
                method: .GET, path: c + "/work-orders", operationID: "listWorkOrders",
                summary: "A community's work orders (dispatchers): by status, late ones, by assignee", tag: "property", authority: .community { .dispatchWorkOrders($0) },
                response: Schema.page(of: "WorkOrder"), query: listQuery), in: app, listWorkOrders)
        api.register(
            .init(
                method: .GET, path: "/api/v1/work-orders/{orderID}", operationID: "getWorkOrder",
                summary: "One order with its timeline (every step, who, when) and photos", tag: "property", authority: .object("orderID"),
                response: Schema.ref("WorkOrder")), in: app, getWorkOrder)
        api.register(
            .init(
                method: .POST, path: "/api/v1/work-orders/{orderID}/actions", operationID: "actOnWorkOrder",
                summary: "A step: accept, depart, complete (staff); confirm, reopen, cancel (resident)",
                tag: "property", authority: .object("orderID"), body: Schema.ref("WorkOrderAction"), response: Schema.ref("WorkOrder")), in: app, actOnWorkOrder)
        api.register(
            .init(
                method: .POST, path: "/api/v1/work-orders/{orderID}/assign", operationID: "assignWorkOrder",
                summary: "Dispatcher: give the order to a staff member", tag: "property", authority: .object("orderID"),
                body: Schema.object([("assigneeID", Schema.uuid)], required: ["assigneeID"]),
                response: Schema.ref("WorkOrder")), in: app, assignWorkOrder)
        api.register(
            .init(
                method: .POST, path: "/api/v1/work-orders/{orderID}/rating", operationID: "rateWorkOrder",
                summary: "The household rates the work, 1–5 stars and a comment (confirms a done order)",
                tag: "property", authority: .signedIn,
                body: Schema.object(
                    [("stars", Schema.integer(min: 1, max: 5)), ("comment", Schema.string(max: 500))],
                    required: ["stars"]), response: Schema.ref("WorkOrder")), in: app, rateWorkOrder)
        api.register(
            .init(
                method: .POST, path: "/api/v1/work-orders/{orderID}/photos", operationID: "addWorkOrderPhoto",
                summary: "Add a photo (JPEG, PNG or WebP, at most 5 MB, 6 per order) as the request body",
                tag: "property", authority: .object("orderID"), body: Schema.string(), bodyContentType: "image/jpeg", maxBody: "6mb",
                status: .created, response: object), in: app, addWorkOrderPhoto)
        api.register(
            .init(
                method: .PUT, path: "/api/v1/work-orders/{orderID}/photos/{photoID}/thumbnail",
                operationID: "setWorkOrderThumbnail",
                summary: "The photo's thumbnail, made by the client (JPEG, at most 200 KB)", tag: "property", authority: .object("orderID"),
                body: Schema.string(), bodyContentType: "image/jpeg", maxBody: "300kb", status: .noContent), in: app, setWorkOrderThumbnail)
        api.register(
            .init(
                method: .GET, path: "/api/v1/work-orders/{orderID}/photos/{photoID}", operationID: "getWorkOrderPhoto",
                summary: "A photo of the order (the image itself; `?size=thumbnail` for its thumbnail if it has one)",
                tag: "property", authority: .object("orderID"), response: object,
                query: [.init(name: "size", schema: Schema.enumeration(["full", "thumbnail"]))]), in: app, getWorkOrderPhoto)
    }
}

/// OpenAPI schemas of work orders.
enum PropertySchemas {
    static let category = Schema.enumeration(WorkCategory.allCases.map(\.rawValue))
    static let all: [(String, JSONValue)] = [
        (
            "WorkOrderCreate",
            Schema.object(
                [
                    ("householdID", Schema.uuid), ("category", category),
                    ("description", Schema.string(min: 1, max: 1000)), ("place", Schema.string(max: 100)),
                    ("preferredTime", Schema.string(max: 100)),
                ], required: ["householdID", "category", "description"])
        ),
        (
            "WorkOrderAction",
            Schema.object(
                [
                    ("action", Schema.enumeration(WorkAction.allCases.map(\.rawValue))),
                    ("note", Schema.string(max: 500)),
                ], required: ["action"])
        ),
        (
            "WorkOrder",
            Schema.object(
                [
                    ("id", Schema.uuid), ("communityID", Schema.uuid), ("householdID", Schema.uuid),
                    ("home", Schema.string()), ("channel", Schema.string()), ("category", category),
                    ("description", Schema.string()), ("place", Schema.string()),
                    ("preferredTime", Schema.nullable(Schema.string())),
                    ("status", Schema.enumeration(WorkStatus.allCases.map(\.rawValue))),
                    ("assigneeID", Schema.nullable(Schema.uuid)), ("assignee", Schema.nullable(Schema.string())),
                    ("respondBy", Schema.dateTime), ("completeBy", Schema.dateTime),
                    ("overdue", Schema.nullable(Schema.enumeration(["response", "completion"]))),
                    ("escalated", Schema.bool), ("rating", Schema.nullable(Schema.integer())),
                    ("ratingComment", Schema.nullable(Schema.string())), ("createdAt", Schema.dateTime),
                    ("updatedAt", Schema.dateTime),
                    ("timeline", Schema.nullable(Schema.array(.object([("type", "object")])))),
                    ("photos", Schema.nullable(Schema.array(Schema.uuid))),
                ],
                required: [
                    "id", "communityID", "householdID", "home", "channel", "category", "description", "place",
                    "status", "respondBy", "completeBy", "escalated", "createdAt", "updatedAt",
                ])
        ),
    ]
}
