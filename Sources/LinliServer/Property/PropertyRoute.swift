import Foundation

/// Property management's pages: the residents' (requests, tasks, notices, services) and the console's.
/// The same value registers the route (`Web.route`) and writes the link.
enum PropertyRoute: PageRoute {
    /// The name of the id after each collection segment of these pages (`req.id("bookingID")`).
    static let parameterNames: [String: String] = ["bookings": "bookingID", "notices": "noticeID", "photos": "photoID", "requests": "orderID", "services": "serviceID"]

    case myRequests
    case request(UUID)
    case requestPhotos(UUID)
    case requestPhoto(UUID, UUID)
    case requestAct(UUID)
    case requestRate(UUID)
    case requestAssign(UUID)
    case myTasks
    case myNotices
    case notice(UUID)
    case myServices
    case serviceBook(UUID)
    case bookingCancel(UUID)
    case notices(UUID)
    case services(UUID)
    case workOrders(UUID)
    case bookingFulfil(UUID, UUID)
    case noticeWithdraw(UUID, UUID)

    var path: String {
        switch self {
        case .myRequests: "/requests"
        case .request(let o): "/requests/\(o)"
        case .requestPhotos(let o): "/requests/\(o)/photos"
        case .requestPhoto(let o, let p): "/requests/\(o)/photos/\(p)"
        case .requestAct(let o): "/requests/\(o)/act"
        case .requestRate(let o): "/requests/\(o)/rate"
        case .requestAssign(let o): "/requests/\(o)/assign"
        case .myTasks: "/tasks"
        case .myNotices: "/notices"
        case .notice(let n): "/notices/\(n)"
        case .myServices: "/services"
        case .serviceBook(let s): "/services/\(s)/book"
        case .bookingCancel(let b): "/services/bookings/\(b)/cancel"
        case .notices(let c): "/console/\(c)/notices"
        case .services(let c): "/console/\(c)/services"
        case .workOrders(let c): "/console/\(c)/work-orders"
        case .bookingFulfil(let c, let b): "/console/\(c)/services/bookings/\(b)/fulfil"
        case .noticeWithdraw(let c, let n): "/console/\(c)/notices/\(n)/withdraw"
        }
    }
}
