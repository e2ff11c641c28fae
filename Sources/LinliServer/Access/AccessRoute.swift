import Foundation

/// Gate access's pages: the resident's access page (QR code, face consent, visitor passes, locks) and the
/// console's. The same value registers the route (`Web.route`) and writes the link.
enum AccessRoute: PageRoute {
    /// The name of the id after each collection segment of these pages (`req.id("codeID")`).
    static let parameterNames: [String: String] = ["codes": "codeID", "deny-list": "personID", "locks": "deviceID", "passes": "passID"]

    case myAccess
    case myQR
    case consent
    case consentWithdraw
    case passes
    case passRevoke(UUID)
    case lockUnlock(UUID)
    case lockCodes(UUID)
    case lockCodeRevoke(UUID, UUID)
    case gates(UUID)
    case accessLog(UUID)
    case denyList(UUID)
    case denyRemove(UUID, UUID)
    case faceData(UUID)

    var path: String {
        switch self {
        case .myAccess: "/access"
        case .myQR: "/access/qr"
        case .consent: "/access/consent"
        case .consentWithdraw: "/access/consent/withdraw"
        case .passes: "/access/passes"
        case .passRevoke(let p): "/access/passes/\(p)/revoke"
        case .lockUnlock(let d): "/access/locks/\(d)/unlock"
        case .lockCodes(let d): "/access/locks/\(d)/codes"
        case .lockCodeRevoke(let d, let c): "/access/locks/\(d)/codes/\(c)/revoke"
        case .gates(let c): "/console/\(c)/gates"
        case .accessLog(let c): "/console/\(c)/access-log.csv"
        case .denyList(let c): "/console/\(c)/deny-list"
        case .denyRemove(let c, let p): "/console/\(c)/deny-list/\(p)/remove"
        case .faceData(let c): "/console/\(c)/face-data"
        }
    }
}
