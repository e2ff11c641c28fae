import Foundation

/// Every page of the web shell. The same value registers the route and writes the link.
enum SiteRoute: Equatable {
    case home
    case login
    case logout
    case display
    case profile
    case console
    case consoleCommunities
    case community(UUID)
    case buildings(UUID)
    case editCommunity(UUID)
    case editBuilding(UUID)
    case editHousehold(UUID, UUID)
    case households(UUID)
    case household(UUID, UUID)
    case members(UUID, UUID)
    case moveOut(UUID, UUID, UUID)
    case residents(UUID)
    case person(UUID, UUID)
    case personReset(UUID, UUID)
    case guardians(UUID, UUID)
    case guardianRemove(UUID, UUID, UUID)
    case resetPassword
    case staff(UUID)
    case revokeStaff(UUID, UUID)
    case importResidents(UUID)
    case audit(UUID)
    case devices(UUID)
    case device(UUID, UUID)
    case deviceEdit(UUID, UUID)
    case deviceCommand(UUID, UUID)
    case deviceToken(UUID, UUID)
    case deviceToggle(UUID, UUID)
    case deviceDelete(UUID, UUID)
    case rules(UUID)
    case rule(UUID, UUID)
    case ruleToggle(UUID, UUID)
    case ruleDelete(UUID, UUID)
    case alarms(UUID)
    case alarmAck(UUID, UUID)
    case alarmClear(UUID, UUID)
    case deviceHealth(UUID)
    case taskDone(UUID, UUID)
    case gates(UUID)
    case accessLog(UUID)
    case denyList(UUID)
    case denyRemove(UUID, UUID)
    case faceData(UUID)
    case notices(UUID)
    case services(UUID)
    case workOrders(UUID)
    case bookingFulfil(UUID, UUID)
    case noticeWithdraw(UUID, UUID)

    var path: String {
        switch self {
        case .home: "/"
        case .login: "/login"
        case .logout: "/logout"
        case .display: "/display"
        case .profile: "/me"
        case .console: "/console"
        case .consoleCommunities: "/console/communities"
        case .community(let c): "/console/\(c)"
        case .buildings(let c): "/console/\(c)/buildings"
        case .editCommunity(let c): "/console/\(c)/edit"
        case .editBuilding(let c): "/console/\(c)/buildings/edit"
        case .editHousehold(let c, let h): "/console/\(c)/households/\(h)/edit"
        case .households(let c): "/console/\(c)/households"
        case .household(let c, let h): "/console/\(c)/households/\(h)"
        case .members(let c, let h): "/console/\(c)/households/\(h)/members"
        case .moveOut(let c, let h, let m): "/console/\(c)/households/\(h)/members/\(m)/move-out"
        case .residents(let c): "/console/\(c)/residents"
        case .person(let c, let p): "/console/\(c)/people/\(p)"
        case .personReset(let c, let p): "/console/\(c)/people/\(p)/password-reset"
        case .guardians(let c, let p): "/console/\(c)/people/\(p)/guardians"
        case .guardianRemove(let c, let p, let g): "/console/\(c)/people/\(p)/guardians/\(g)/remove"
        case .resetPassword: "/reset"
        case .staff(let c): "/console/\(c)/staff"
        case .revokeStaff(let c, let s): "/console/\(c)/staff/\(s)/revoke"
        case .importResidents(let c): "/console/\(c)/import"
        case .audit(let c): "/console/\(c)/audit"
        case .devices(let c): "/console/\(c)/devices"
        case .device(let c, let d): "/console/\(c)/devices/\(d)"
        case .deviceEdit(let c, let d): "/console/\(c)/devices/\(d)/edit"
        case .deviceCommand(let c, let d): "/console/\(c)/devices/\(d)/command"
        case .deviceToken(let c, let d): "/console/\(c)/devices/\(d)/token"
        case .deviceToggle(let c, let d): "/console/\(c)/devices/\(d)/toggle"
        case .deviceDelete(let c, let d): "/console/\(c)/devices/\(d)/delete"
        case .rules(let c): "/console/\(c)/rules"
        case .rule(let c, let r): "/console/\(c)/rules/\(r)"
        case .ruleToggle(let c, let r): "/console/\(c)/rules/\(r)/toggle"
        case .ruleDelete(let c, let r): "/console/\(c)/rules/\(r)/delete"
        case .alarms(let c): "/console/\(c)/alarms"
        case .alarmAck(let c, let a): "/console/\(c)/alarms/\(a)/ack"
        case .alarmClear(let c, let a): "/console/\(c)/alarms/\(a)/clear"
        case .deviceHealth(let c): "/console/\(c)/device-health"
        case .taskDone(let c, let t): "/console/\(c)/tasks/\(t)/done"
        case .gates(let c): "/console/\(c)/gates"
        case .accessLog(let c): "/console/\(c)/access-log.csv"
        case .denyList(let c): "/console/\(c)/deny-list"
        case .denyRemove(let c, let p): "/console/\(c)/deny-list/\(p)/remove"
        case .faceData(let c): "/console/\(c)/face-data"
        case .notices(let c): "/console/\(c)/notices"
        case .services(let c): "/console/\(c)/services"
        case .workOrders(let c): "/console/\(c)/work-orders"
        case .bookingFulfil(let c, let b): "/console/\(c)/services/bookings/\(b)/fulfil"
        case .noticeWithdraw(let c, let n): "/console/\(c)/notices/\(n)/withdraw"
        }
    }

    /// The Vapor path pattern: each id becomes a parameter named for what it is, after the segment before
    /// it (`/console/:communityID/households/:householdID`), so a handler reads `req.id("householdID")`.
    static func pattern(_ make: (UUID, UUID, UUID) -> SiteRoute) -> [String] {
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
        "notices": "noticeID",
    ]
}
