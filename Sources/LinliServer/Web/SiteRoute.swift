import Foundation

/// A page: the same value registers the route (`Web.route`) and writes the link. Each feature has its
/// own (`RegistryRoute`, `DeviceRoute`, `AccessRoute`, `PropertyRoute`); the shell's are `SiteRoute`.
protocol PageRoute: Equatable, Sendable {
    var path: String { get }
    /// The name of the id after each collection segment of the feature's pages (`"devices": "deviceID"`),
    /// declared with its routes; a console page's first id is always `communityID`.
    static var parameterNames: [String: String] { get }
}

extension PageRoute {
    static var parameterNames: [String: String] { [:] }
}

/// The pages of the web shell: sign-in, account, the console's entry.
enum SiteRoute: PageRoute {
    case home
    case login
    case logout
    case display
    case profile
    case notificationPreferences
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
        case .notificationPreferences: "/me/notifications"
        case .console: "/console"
        case .consoleCommunities: "/console/communities"
        case .resetPassword: "/reset"
        }
    }

    /// The Vapor path pattern: each id becomes a parameter named for what it is, after the segment before
    /// it (`/console/:communityID/households/:householdID`), so a handler reads `req.id("householdID")`.
    /// The names come from the route's own type; an id no name was declared for is `:id`, which a test
    /// refuses.
    static func pattern<Route: PageRoute>(_ make: (UUID, UUID, UUID) -> Route) -> [String] {
        let ids = (UInt8(0x0C)...0x0E).map { UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, $0)) }
        let marks = Set(ids.map(\.uuidString))
        let names = Route.parameterNames.merging(["console": "communityID"]) { own, _ in own }
        var segments = make(ids[0], ids[1], ids[2]).path.split(separator: "/").map(String.init)
        for index in segments.indices where marks.contains(segments[index]) {
            segments[index] = ":" + (names[index > 0 ? segments[index - 1] : ""] ?? "id")
        }
        return segments
    }
}
