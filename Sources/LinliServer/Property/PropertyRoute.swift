import Foundation

/// Property management's console pages. The same value registers the route (`Web.route`) and writes the link.
enum PropertyRoute: PageRoute {
    case notices(UUID)
    case services(UUID)
    case workOrders(UUID)
    case bookingFulfil(UUID, UUID)
    case noticeWithdraw(UUID, UUID)

    var path: String {
        switch self {
        case .notices(let c): "/console/\(c)/notices"
        case .services(let c): "/console/\(c)/services"
        case .workOrders(let c): "/console/\(c)/work-orders"
        case .bookingFulfil(let c, let b): "/console/\(c)/services/bookings/\(b)/fulfil"
        case .noticeWithdraw(let c, let n): "/console/\(c)/notices/\(n)/withdraw"
        }
    }
}
