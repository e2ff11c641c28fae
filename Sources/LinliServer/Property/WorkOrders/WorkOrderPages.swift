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
        Web.route(web, .GET, { _, _, _ in PropertyRoute.myRequests }, authority: .signedIn, myRequestsPage)
        Web.route(web, .POST, { _, _, _ in PropertyRoute.myRequests }, authority: .signedIn, maxBody: "6mb", postMyRequests)
        Web.route(web, .GET, { o, _, _ in PropertyRoute.request(o) }, authority: .object("orderID"), requestPage)
        Web.route(web, .GET, { o, p, _ in PropertyRoute.requestPhoto(o, p) }, authority: .object("orderID"), requestPhotoPage)
        Web.route(web, .POST, { o, _, _ in PropertyRoute.requestPhotos(o) }, authority: .object("orderID"), maxBody: "6mb", postRequestPhotos)
        Web.route(web, .POST, { o, _, _ in PropertyRoute.requestAct(o) }, authority: .object("orderID"), postRequestAct)
        Web.route(web, .POST, { o, _, _ in PropertyRoute.requestRate(o) }, authority: .object("orderID"), postRequestRate)
        Web.route(web, .POST, { o, _, _ in PropertyRoute.requestAssign(o) }, authority: .object("orderID"), postRequestAssign)
        // Dispatchers and managers: the community's orders (open ones unless `?status=` says otherwise;
        // `?overdue=true` for the late ones), late ones marked, each opening its page.
        Web.route(web, .GET, { c, _, _ in PropertyRoute.workOrders(c) }, authority: .community { .dispatchWorkOrders($0) }, workOrdersPage)
        Web.route(web, .GET, { _, _, _ in PropertyRoute.myTasks }, authority: .signedIn, myTasksPage)
    }
}
