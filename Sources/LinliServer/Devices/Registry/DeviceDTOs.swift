import Foundation
import LinliCore
import Vapor

// Read, Create and Update shapes of the device hub.

struct DeviceRead: Content, Equatable {
    let id: UUID
    let communityID: UUID
    let type: String
    let name: String
    let serial: String?
    let buildingID: UUID?
    let householdID: UUID?
    let zone: String?
    let attributes: JSON
    let clientAttributes: JSON
    let sharedAttributes: JSON
    let disabled: Bool
    let provisioned: Bool
    let lastSeen: Date?
    let online: Bool

    init(_ d: Device, lastSeen: Int64?, now: Date) throws {
        id = try d.requireID()
        communityID = d.communityID
        type = d.type
        name = d.name
        serial = d.serial
        buildingID = d.buildingID
        householdID = d.householdID
        zone = d.zone
        attributes = .object(DeviceAttributes.object(d.attributes))
        clientAttributes = .object(DeviceAttributes.object(d.clientAttributes))
        sharedAttributes = .object(DeviceAttributes.object(d.sharedAttributes))
        disabled = d.disabled
        provisioned = d.provisioned
        let seen = lastSeen.map { Date(timeIntervalSince1970: Double($0) / 1000) }
        self.lastSeen = seen
        online = DeviceCatalog.isOnline(type: d.type, lastSeen: lastSeen, now: Int64(now.timeIntervalSince1970 * 1000))
    }
}

struct DeviceCreate: Decodable {
    let type: String
    let name: String
    let serial: String?
    let buildingID: UUID?
    let householdID: UUID?
    let zone: String?
    let attributes: [String: JSON]?
    let sharedAttributes: [String: JSON]?
}

struct DeviceUpdate: Decodable {
    let type: String?
    let name: String?
    let serial: String?
    let buildingID: UUID?
    let householdID: UUID?
    let zone: String?
    let attributes: [String: JSON]?
    let disabled: Bool?
}

/// A device with its access token; the token is shown only in this answer.
struct DeviceCredentials: Content {
    let device: DeviceRead
    let token: String
}

struct CommandRead: Content, Equatable {
    let id: Int
    let deviceID: UUID
    let method: String
    let params: JSON
    let twoWay: Bool
    let status: CommandStatus
    let createdAt: Date
    let expiresAt: Date
    let sentAt: Date?
    let deliveredAt: Date?
    let completedAt: Date?
    let retries: Int
    let maxRetries: Int
    let response: JSON?
    let ruleID: UUID?

    init(_ c: DeviceCommand) throws {
        guard let id = c.id else { throw LinliError(.notFound) }
        self.id = id
        deviceID = c.deviceID
        method = c.method
        // Secrets a command carries to its device (a lock code) are never read back.
        params = JSON.parse(CommandSecrets.redacted(c.method, c.params)) ?? .object([:])
        twoWay = c.twoWay
        status = c.status
        createdAt = c.createdAt
        expiresAt = c.expiresAt
        sentAt = c.sentAt
        deliveredAt = c.deliveredAt
        completedAt = c.completedAt
        retries = c.retries
        maxRetries = c.maxRetries
        response = c.response.flatMap(JSON.parse)
        ruleID = c.ruleID
    }
}

struct CommandCreate: Decodable {
    let method: String
    let params: JSON?
    let twoWay: Bool?
    let expiresInSeconds: Int?
    let maxRetries: Int?
    let replyTimeoutSeconds: Int?
}

struct AlarmRead: Content, Equatable {
    let id: UUID
    let communityID: UUID
    let deviceID: UUID
    let deviceName: String?
    let type: String
    let severity: Severity
    let status: AlarmStatus
    let startedAt: Date
    let updatedAt: Date
    let repeats: Int
    let details: String?
    let ruleID: UUID?
    let acknowledgedAt: Date?
    let acknowledgedBy: String?
    let clearedAt: Date?
    let clearedBy: String?

    init(_ a: Alarm, deviceName: String?) throws {
        id = try a.requireID()
        communityID = a.communityID
        deviceID = a.deviceID
        self.deviceName = deviceName
        type = a.type
        severity = a.severity
        status = a.status
        startedAt = a.startedAt
        updatedAt = a.updatedAt
        repeats = a.repeats
        details = a.details
        ruleID = a.ruleID
        acknowledgedAt = a.acknowledgedAt
        acknowledgedBy = a.acknowledgedBy
        clearedAt = a.clearedAt
        clearedBy = a.clearedBy
    }
}

struct RuleRead: Content, Equatable {
    let id: UUID
    let name: String
    let enabled: Bool
    let scope: RuleScope
    let key: String
    let condition: RuleCondition
    let forMinutes: Int
    let actions: [RuleAction]

    init(_ rule: Rule) {
        id = rule.id
        name = rule.name
        enabled = rule.enabled
        scope = rule.scope
        key = rule.key
        condition = rule.condition
        forMinutes = rule.forMinutes
        actions = rule.actions
    }
}

struct RuleInput: Decodable {
    let name: String
    let enabled: Bool?
    let scope: RuleScope?
    let key: String
    let condition: RuleCondition
    let forMinutes: Int?
    let actions: [RuleAction]
}

struct TaskRead: Content, Equatable {
    let id: UUID
    let role: StaffRole
    /// For this staff member only (absent: anyone of the role).
    let personID: UUID?
    let title: String
    let deviceID: UUID?
    let alarmID: UUID?
    let status: String
    let createdAt: Date
    let doneAt: Date?
    let doneBy: String?

    init(_ t: StaffTask, title: String) throws {
        id = try t.requireID()
        role = t.role
        personID = t.personID
        self.title = title
        deviceID = t.deviceID
        alarmID = t.alarmID
        status = t.status.rawValue
        createdAt = t.createdAt
        doneAt = t.doneAt
        doneBy = t.doneBy
    }
}

struct SeriesRead: Content {
    let key: String
    let interval: Interval
    let agg: AggregateFunction
    let points: [SeriesPoint]
}

struct HealthRead: Content {
    struct Entry: Content {
        let deviceID: UUID
        let name: String
        let type: String
        let lastSeen: Date?
        let offlineSeconds: Int?
        let battery: Double?
        let rssi: Double?
    }

    let total: Int
    let online: Int
    let offline: Int
    let neverSeen: Int
    let disabled: Int
    /// Online devices of those enabled, 0…1.
    let onlineRate: Double
    let offlineLongest: [Entry]
    let neverUsed: [Entry]
    let lowBattery: [Entry]
}

struct DeviceTypeRead: Content {
    struct Key: Content {
        let name: String
        let kind: ValueKind
        let unit: String?
        let min: Double?
        let max: Double?
    }

    struct Command: Content {
        let method: String
        let twoWay: Bool
    }

    let key: String
    let telemetry: [Key]
    let commands: [Command]
    let offlineAfterSeconds: Int
    let openKeys: Bool

    init(_ type: DeviceType) {
        key = type.key
        telemetry = type.telemetry.map {
            Key(
                name: $0.name, kind: $0.kind, unit: $0.unit?.symbol, min: $0.range?.lowerBound,
                max: $0.range?.upperBound)
        }
        commands = type.commands.map { Command(method: $0.method, twoWay: $0.twoWay) }
        offlineAfterSeconds = Int(type.offlineAfter)
        openKeys = type.openKeys
    }
}

struct ImportedDevice: Content {
    let line: Int
    let device: DeviceRead
    let token: String
}
