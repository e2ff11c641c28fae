import Foundation

/// Gate access's console pages. The same value registers the route (`Web.route`) and writes the link.
enum AccessRoute: PageRoute {
    case gates(UUID)
    case accessLog(UUID)
    case denyList(UUID)
    case denyRemove(UUID, UUID)
    case faceData(UUID)

    var path: String {
        switch self {
        case .gates(let c): "/console/\(c)/gates"
        case .accessLog(let c): "/console/\(c)/access-log.csv"
        case .denyList(let c): "/console/\(c)/deny-list"
        case .denyRemove(let c, let p): "/console/\(c)/deny-list/\(p)/remove"
        case .faceData(let c): "/console/\(c)/face-data"
        }
    }
}
