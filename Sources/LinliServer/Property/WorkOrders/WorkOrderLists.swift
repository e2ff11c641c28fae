import Fluent
import Foundation
import LinliCore
import Vapor

/// A resident's requests and a staff member's tasks. The first page as the route gives it without a
/// query string — what a phone asks for every time it opens the list — is kept in a ``ReadCache`` by
/// person, tagged with the communities it could change from (the reader's homes or staff roles and the
/// orders' own), the homes and the assignees it names. `WorkOrdersChanged` (every step,
/// after its commit), `PersonChanged` and `PeopleChanged` drop it; it also ends when a listed open order
/// reaches a deadline (its `overdue` turns). Any other page, filter or order is read from the database.
enum WorkOrderLists {
    enum Kind: Hashable, Sendable {
        case mine, tasks
    }

    struct Key: Hashable, Sendable {
        let person: UUID
        let kind: Kind
    }

    /// The page encoded (``EncodedJSON``).
    typealias Cache = ReadCache<Key, EncodedJSON>

    /// `GET /api/v1/me/work-orders`: the requests of my homes made while I lived there, newest first.
    @Sendable static func mine(_ req: Request) async throws -> Response {
        let principal = try req.user().principal
        return try await list(
            req, .mine, WorkOrder.query(on: req.db).madeInHomes(of: principal),
            scopes: Set(principal.households.values))
    }

    /// `GET /api/v1/me/tasks`: the open orders assigned to me.
    @Sendable static func tasks(_ req: Request) async throws -> Response {
        let principal = try req.user().principal
        return try await list(
            req, .tasks,
            WorkOrder.query(on: req.db).filter(\.$assigneeID == principal.personID)
                .filter(\.$status ~~ [.submitted, .accepted, .onTheWay]),
            scopes: Set(principal.staffRoles.keys))
    }

    private static func list(_ req: Request, _ kind: Kind, _ query: QueryBuilder<WorkOrder>, scopes: Set<UUID>)
        async throws -> Response
    {
        let options = try req.listOptions(.workOrders)
        let now = req.clock.now()
        func load() async throws -> ListPage<WorkOrderRead> {
            let page = try await WorkOrderAPI.filtered(query, req, now: now).page(options) { $0 }
            return ListPage(
                items: try await WorkOrderService.reads(page.items, now: now, on: req.db), metadata: page.metadata)
        }
        guard req.url.query?.isEmpty ?? true else { return try await load().encodeResponse(for: req) }
        let person = try req.user().principal.personID
        return try await req.application.workOrderLists.value(Key(person: person, kind: kind), now: now) {
            let page = try await load()
            var tags = scopes.union([person])
            var until = Date.distantFuture
            for order in page.items {
                tags.formUnion([order.communityID, order.householdID])
                if let assignee = order.assigneeID { tags.insert(assignee) }
                guard order.status.isOpen else { continue }
                for deadline in [order.respondBy, order.completeBy] where deadline >= now {
                    until = min(until, deadline)
                }
            }
            return (try EncodedJSON(page), tags, until)
        }.encodeResponse(for: req)
    }
}

extension Application {
    private struct WorkOrderListsKey: StorageKey { typealias Value = WorkOrderLists.Cache }

    /// The kept first pages (see ``WorkOrderLists``); made by the Property feature before serving.
    var workOrderLists: WorkOrderLists.Cache {
        if let cache = storage[WorkOrderListsKey.self] { return cache }
        let cache = WorkOrderLists.Cache()
        storage[WorkOrderListsKey.self] = cache
        events.on(WorkOrdersChanged.self) { cache.forget(tagged: $0.community) }
        events.on(PersonChanged.self) { cache.forget(tagged: $0.person) }
        events.on(PeopleChanged.self) { _ in cache.forgetAll() }
        return cache
    }
}
