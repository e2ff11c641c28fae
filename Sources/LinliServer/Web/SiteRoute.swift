import Foundation

/// A page: the same value registers the route (`Web.route`) and writes the link. Each feature has its
/// own (`RegistryRoute`, `DeviceRoute`, `AccessRoute`, `PropertyRoute`); the shell's are `SiteRoute`.
protocol PageRoute: Equatable, Sendable {
    var path: String { get }
}

/// The pages of the web shell: sign-in, account, the console's entry.
enum SiteRoute: PageRoute {
    case home
    case login
    case logout
    case display
    case profile
    case console
    case consoleCommunities
    case resetPassword

    var path: String {
        switch self {
        case .home: "/"
        case .login: "/login"
        case .logout: "/logout"
        case .display: "/display"
        case .profile: "/me"
        case .console: "/console"
        case .consoleCommunities: "/console/communities"
        case .resetPassword: "/reset"
        }
    }

    /// The Vapor path pattern: each id becomes a parameter named for what it is, after the segment before
    /// it (`/console/:communityID/households/:householdID`), so a handler reads `req.id("householdID")`.
    static func pattern(_ make: (UUID, UUID, UUID) -> some PageRoute) -> [String] {
        let ids = (UInt8(0x0C)...0x0E).map { UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, $0)) }
        let marks = Set(ids.map(\.uuidString))
        var segments = make(ids[0], ids[1], ids[2]).path.split(separator: "/").map(String.init)
        for index in segments.indices where marks.contains(segments[index]) {
            segments[index] = ":" + (parameterNames[index > 0 ? segments[index - 1] : ""] ?? "id")
        }
        return segments
    }

    /// The parameter name of an id after each collection segment.
    static let parameterNames: [String: String] = [
        "console": "communityID", "households": "householdID", "members": "membershipID", "people": "personID",
        "guardians": "guardianID", "staff": "staffID", "devices": "deviceID", "rules": "ruleID",
        "alarms": "alarmID", "tasks": "taskID", "deny-list": "personID", "bookings": "bookingID",
        "notices": "noticeID", "requests": "orderID", "photos": "photoID", "services": "serviceID",
        "locks": "deviceID", "codes": "codeID", "passes": "passID", "calls": "callID", "checks": "checkID",
        "zones": "zoneID", "bins": "deviceID", "bills": "billID",
    ]
}
