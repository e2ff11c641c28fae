import Fluent
import Foundation
import LinliCore
import Vapor

/// Requests and work orders: filing (by a resident or by staff after a call), automatic assignment,
/// the steps of `WorkOrderRules`, photos, ratings, and the sweep that escalates late orders and
/// confirms forgotten ones.
enum WorkOrderService {
    static let photoTypes = FileSignature.photoTypes
    static let photoLimit = 5 * 1024 * 1024
    static let photosPerOrder = 6

    /// The order at `{orderID}` if the caller may see it (404 otherwise).
    static func order(_ req: Request) async throws -> WorkOrder {
        guard let order = try await WorkOrder.find(try req.id("orderID"), on: req.db) else {
            throw LinliError(.notFound)
        }
        try req.authorize(
            .viewWorkOrder(
                household: order.householdID, community: order.communityID, assignee: order.assigneeID,
                filedAt: order.createdAt))
        return order
    }

    /// How the caller stands to an order (for the step rules).
    static func actor(_ order: WorkOrder, _ req: Request) throws -> WorkActor {
        guard
            let actor = try actor(
                assignee: order.assigneeID, household: order.householdID, community: order.communityID,
                filedAt: order.createdAt, req)
        else { throw LinliError(.notFound) }
        return actor
    }

    /// How the caller stands to an order: its assignee, a resident who lived there when it was filed, a
    /// dispatcher, or nobody.
    static func actor(assignee: UUID?, household: UUID, community: UUID, filedAt: Date, _ req: Request) throws
        -> WorkActor?
    {
        let principal = try req.user().principal
        if assignee == principal.personID { return .assignee }
        if principal.livedIn(household, when: filedAt) { return .resident }
        if req.can(.dispatchWorkOrders(community)) { return .dispatcher }
        return nil
    }

    static func file(_ input: WorkOrderInput, channel: String, on req: Request) async throws -> WorkOrder {
        let user = try req.user()
        guard let household = try await Household.find(input.householdID, on: req.db) else {
            throw LinliError(.notFound)
        }
        let community = household.communityID
        // Residents file for their own household; dispatchers for any household of their community.
        if !req.can(.actForHousehold(input.householdID)) { try req.authorize(.dispatchWorkOrders(community)) }
        var v = Validation()
        let description = v.text(input.description, "description", max: 1000, multiline: true) ?? ""
        let place = v.text(input.place?.nilIfEmpty, "place", max: 100, required: false) ?? ""
        let preferred = v.text(input.preferredTime?.nilIfEmpty, "preferredTime", max: 100, required: false)
        try v.check()
        return try await file(
            household, category: input.category, description: description, place: place, preferredTime: preferred,
            by: user.principal.personID, channel: channel, now: req.clock.now(), on: req.db,
            events: req.application.events)
    }

    /// Files an order for the household — from a resident's or a dispatcher's request, or a device (the
    /// green service key) — with its first timeline lines and demand signal, in one transaction.
    static func file(
        _ household: Household, category: WorkCategory, description: String, place: String, preferredTime: String?,
        by person: UUID, channel: String, now: Date, on db: any Database, events: LinliEvents
    ) async throws -> WorkOrder {
        let community = household.communityID
        let order = WorkOrder()
        order.id = UUID()
        order.communityID = community
        order.householdID = try household.requireID()
        order.filedBy = person
        order.channel = channel
        order.category = category
        order.description = description
        order.place = place
        order.preferredTime = preferredTime
        order.status = .submitted
        (order.respondBy, order.completeBy) = WorkOrderRules.deadlines(category, from: now)
        order.createdAt = now
        order.updatedAt = now
        let assignee = try await autoAssignee(category, community: community, now: now, on: db)
        order.assigneeID = assignee
        try await db.writeTransaction { db in
            try await order.create(on: db)
            try await event(order, "filed", by: person, note: channel, at: now, on: db)
            if let assignee {
                try await event(order, "assigned", by: nil, note: assignee.uuidString, at: now, on: db)
            }
            try await DemandSignal.record(
                .request, category.rawValue, community: community, household: household.id,
                building: household.buildingID, at: now, on: db)
        }
        events.publish(WorkOrdersChanged(community: community))
        return order
    }

    /// Property staff on duty now with the skill, least loaded first (`WorkOrderRules.assign`).
    static func autoAssignee(_ category: WorkCategory, community: UUID, now: Date, on db: any Database) async throws
        -> UUID?
    {
        let staff = try await StaffAssignment.scoped(to: community, on: db).filter(\.$role == .propertyStaff).all()
        guard !staff.isEmpty else { return nil }
        let open = try await WorkOrder.query(on: db).filter(\.$assigneeID ~~ staff.map(\.personID))
            .filter(\.$status ~~ [.submitted, .accepted, .onTheWay]).all(\.$assigneeID)
        var load: [UUID: Int] = [:]
        for id in open.compactMap({ $0 }) { load[id, default: 0] += 1 }
        let minute = Calendar.china.component(.hour, from: now) * 60 + Calendar.china.component(.minute, from: now)
        return WorkOrderRules.assign(
            category,
            among: staff.map { s in
                WorkOrderRules.Candidate(
                    id: s.personID, skills: s.skills, shifts: s.shift.map { [$0] } ?? [],
                    openOrders: load[s.personID] ?? 0)
            }, minute: minute)
    }

    static func act(_ order: WorkOrder, _ input: WorkActionInput, on req: Request) async throws {
        var v = Validation()
        let note = v.text(input.note?.nilIfEmpty, "note", max: 500, required: false) ?? ""
        try v.check()
        let actor = try actor(order, req)
        let next: WorkStatus
        switch WorkOrderRules.next(order.status, input.action, by: actor, hasAssignee: order.assigneeID != nil) {
        case .success(let status): next = status
        case .failure(.notAllowed): throw LinliError(.forbidden)
        case .failure(.wrongStatus):
            throw LinliError(.conflict, issues: [FieldIssue(field: "status", reason: "wrong_status")])
        }
        let now = req.clock.now()
        let person = try req.user().principal.personID
        if input.action == .accept, order.assigneeID == nil { order.assigneeID = person }
        if input.action == .complete { order.doneAt = now }
        if input.action == .reopen {
            (order.respondBy, order.completeBy) = WorkOrderRules.deadlines(order.category, from: now)
            order.doneAt = nil
            order.escalatedAt = nil
            order.rating = nil
            order.ratingComment = nil
        }
        try await save(
            order, next, input.action.rawValue, by: person, note: note, at: now, on: req.db,
            events: req.application.events)
    }

    static func assign(_ order: WorkOrder, to assignee: UUID, on req: Request) async throws {
        try req.authorize(.dispatchWorkOrders(order.communityID))
        guard order.status.isOpen else {
            throw LinliError(.conflict, issues: [FieldIssue(field: "status", reason: "wrong_status")])
        }
        guard
            try await StaffAssignment.scoped(to: order.communityID, on: req.db).filter(\.$personID == assignee)
                .filter(\.$role ~~ [.propertyStaff, .operator_]).first() != nil
        else { throw LinliError.invalid("assigneeID", "not_staff") }
        order.assigneeID = assignee
        try await save(
            order, order.status, "assigned", by: try req.user().principal.personID, note: assignee.uuidString,
            at: req.clock.now(), on: req.db, events: req.application.events)
    }

    /// 1–5 stars and a comment from the household; rating a done order also confirms it.
    static func rate(_ order: WorkOrder, _ input: WorkRatingInput, on req: Request) async throws {
        guard try actor(order, req) == .resident else { throw LinliError(.forbidden) }
        var v = Validation()
        v.range(input.stars, "stars", 1...5)
        let comment = v.text(input.comment?.nilIfEmpty, "comment", max: 500, required: false)
        try v.check()
        guard [.done, .confirmed].contains(order.status) else {
            throw LinliError(.conflict, issues: [FieldIssue(field: "status", reason: "wrong_status")])
        }
        order.rating = input.stars
        order.ratingComment = comment
        let now = req.clock.now()
        let person = try req.user().principal.personID
        let wasDone = order.status == .done
        try await save(
            order, .confirmed, "rated", by: person, note: "\(input.stars)", at: now, on: req.db,
            events: req.application.events
        ) { db in
            if wasDone { try await event(order, "confirm", by: person, note: "", at: now, on: db) }
        }
    }

    /// Escalates orders that became late (once, to the community's operators) and confirms done orders
    /// nobody confirmed within `WorkOrderRules.autoConfirmAfter`.
    static func sweep(now: Date, on db: any Database, events: LinliEvents) async throws {
        let open = try await WorkOrder.query(on: db).filter(\.$status ~~ [.submitted, .accepted, .onTheWay])
            .filter(\.$escalatedAt == nil).filter(\.$respondBy < now).all()
        for order in open {
            guard
                let late = WorkOrderRules.overdue(
                    order.status, respondBy: order.respondBy, completeBy: order.completeBy, now: now)
            else { continue }
            order.escalatedAt = now
            try await save(
                order, order.status, "escalated", by: nil, note: late.rawValue, at: now, on: db, events: events
            ) { db in
                try await Notifier.send(
                    L10n.text(
                    "work.escalatedNotice", .zhCN,
                    [
                        "category": L10n.text("work.category.\(order.category.rawValue)", .zhCN),
                        "description": String(order.description.prefix(40)),
                    ]), .property, to: .role(.operator_), community: order.communityID, now: now, on: db)
            }
            events.publish(NotificationsChanged(community: order.communityID))
        }
        let forgotten = try await WorkOrder.query(on: db).filter(\.$status == .done)
            .filter(\.$doneAt < now.addingTimeInterval(-WorkOrderRules.autoConfirmAfter)).all()
        for order in forgotten {
            try await save(order, .confirmed, "confirm", by: nil, note: "auto", at: now, on: db, events: events)
        }
    }

    /// Takes one step and records it, then announces it (lists of orders drop the community).
    private static func save(
        _ order: WorkOrder, _ status: WorkStatus, _ action: String, by actor: UUID?, note: String, at: Date,
        on db: any Database, events: LinliEvents, also: (@Sendable (any Database) async throws -> Void)? = nil
    ) async throws {
        // A conditional write on the version the step was decided on: of two parallel steps (two
        // "accept", "complete" twice) one is taken and the other gets 409, with one timeline entry.
        let orderID = try order.requireID()
        let decidedOn = order.version
        order.status = status
        order.updatedAt = at
        order.version = decidedOn + 1
        try await db.writeTransaction { db in
            let taken = try await db.conditionalUpdate(WorkOrder.schema) {
                $0.set("version", to: decidedOn + 1).where("id", .equal, orderID).where("version", .equal, decidedOn)
            }
            guard taken == 1 else {
                throw LinliError(.conflict, issues: [FieldIssue(field: "status", reason: "wrong_status")])
            }
            try await order.save(on: db)
            try await event(order, action, by: actor, note: note, at: at, on: db)
            try await also?(db)
        }
        events.publish(WorkOrdersChanged(community: order.communityID))
    }

    static func event(
        _ order: WorkOrder, _ action: String, by actor: UUID?, note: String, at: Date, on db: any Database
    )
        async throws
    {
        let row = WorkOrderEvent()
        row.orderID = try order.requireID()
        row.action = action
        row.actorID = actor
        row.note = note
        row.at = at
        try await row.create(on: db)
    }
}

extension HTTPMediaType {
    /// `type/subtype` without parameters.
    var essence: String { "\(type)/\(subType)" }
}
