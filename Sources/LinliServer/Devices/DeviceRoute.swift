import Foundation

/// The device hub's console pages. The same value registers the route (`Web.route`) and writes the link.
enum DeviceRoute: PageRoute {
    /// The name of the id after each collection segment of these pages (`req.id("alarmID")`).
    static let parameterNames: [String: String] = ["alarms": "alarmID", "devices": "deviceID", "rules": "ruleID", "tasks": "taskID"]

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

    var path: String {
        switch self {
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
        }
    }
}
