import Fluent
import Foundation
import LinliCore

/// A registered device of a community. Its access token is stored only as a hash.
final class Device: Model, @unchecked Sendable {
    static let schema = "devices"

    // managed
    @ID(key: .id) var id: UUID?
    @OptionalField(key: "created_at") var createdAt: Date?
    @OptionalField(key: "updated_at") var updatedAt: Date?

    // data
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "type") var type: String
    @Field(key: "name") var name: String
    @OptionalField(key: "serial") var serial: String?
    @OptionalField(key: "building_id") var buildingID: UUID?
    @OptionalField(key: "household_id") var householdID: UUID?
    @OptionalField(key: "zone") var zone: String?
    /// Server-side attributes set by operators (JSON object text).
    @Field(key: "attributes") var attributes: String
    /// Attributes the device reported about itself (JSON object text).
    @Field(key: "client_attributes") var clientAttributes: String
    /// Attributes the server shares with the device (JSON object text).
    @Field(key: "shared_attributes") var sharedAttributes: String
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "disabled") var disabled: Bool
    /// Created by a device through provisioning rather than by an operator.
    @Field(key: "provisioned") var provisioned: Bool

    init() {}

    var facts: DeviceFacts {
        DeviceFacts(id: id ?? UUID(), type: type, buildingID: buildingID, householdID: householdID, zone: zone)
    }
}

/// A community's provisioning key and secret (ThingsBoard's device-profile provisioning).
final class DeviceProvisioning: Model, @unchecked Sendable {
    static let schema = "device_provisioning"

    // managed
    @ID(key: .id) var id: UUID?

    // data
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "provision_key") var key: String
    @Field(key: "secret_hash") var secretHash: String
    @Field(key: "enabled") var enabled: Bool
    @Field(key: "default_type") var defaultType: String
    /// How many devices provisioning may create in the community, in all.
    @Field(key: "max_devices") var maxDevices: Int

    static let defaultCap = 200

    init() {
        maxDevices = Self.defaultCap
    }
}

/// A server-to-device command (ThingsBoard's persistent RPC). The integer id is what the device sees.
final class DeviceCommand: Model, @unchecked Sendable {
    static let schema = "device_commands"

    // managed
    @ID(custom: "id", generatedBy: .database) var id: Int?

    // data
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "device_id") var deviceID: UUID
    @Field(key: "method") var method: String
    @Field(key: "params") var params: String
    @Field(key: "two_way") var twoWay: Bool
    @Field(key: "status") var status: CommandStatus
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "sent_at") var sentAt: Date?
    @OptionalField(key: "delivered_at") var deliveredAt: Date?
    @OptionalField(key: "completed_at") var completedAt: Date?
    @Field(key: "retries") var retries: Int
    @Field(key: "max_retries") var maxRetries: Int
    @Field(key: "reply_timeout") var replyTimeout: Double
    @OptionalField(key: "response") var response: String?
    @OptionalField(key: "created_by") var createdBy: UUID?
    @OptionalField(key: "rule_id") var ruleID: UUID?

    init() {}
}

/// An alarm on a device (ThingsBoard's alarm lifecycle). At most one active per device and type.
final class Alarm: Model, @unchecked Sendable {
    static let schema = "alarms"

    // managed
    @ID(key: .id) var id: UUID?

    // data
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "device_id") var deviceID: UUID
    @Field(key: "type") var type: String
    @Field(key: "severity") var severity: Severity
    @Field(key: "status") var status: AlarmStatus
    /// True until cleared; a partial unique index keeps one active alarm per (device, type).
    @Field(key: "active") var active: Bool
    @Field(key: "started_at") var startedAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    @Field(key: "repeats") var repeats: Int
    @OptionalField(key: "details") var details: String?
    @OptionalField(key: "rule_id") var ruleID: UUID?
    @OptionalField(key: "acknowledged_at") var acknowledgedAt: Date?
    @OptionalField(key: "acknowledged_by") var acknowledgedBy: String?
    @OptionalField(key: "cleared_at") var clearedAt: Date?
    @OptionalField(key: "cleared_by") var clearedBy: String?

    init() {}
}

/// An operator's rule, stored as the `Rule` JSON of LinliCore.
final class RuleRecord: Model, @unchecked Sendable {
    static let schema = "rules"

    // managed
    @ID(key: .id) var id: UUID?
    @OptionalField(key: "created_at") var createdAt: Date?
    @OptionalField(key: "updated_at") var updatedAt: Date?

    // data
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "name") var name: String
    @Field(key: "enabled") var enabled: Bool
    @Field(key: "definition") var definition: String

    init() {}
}

/// Where a rule stands for one device, kept so "for N minutes" and fired rules survive a restart.
final class RuleStateRecord: Model, @unchecked Sendable {
    static let schema = "rule_states"

    // managed
    @ID(key: .id) var id: UUID?

    // data
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "rule_id") var ruleID: UUID
    @Field(key: "device_id") var deviceID: UUID
    @OptionalField(key: "since") var since: Int64?
    @Field(key: "fired") var fired: Bool

    init() {}
}

extension Device: CommunityScoped {
    static var communityField: KeyPath<Device, FieldProperty<Device, UUID>> { \.$communityID }
}
extension Alarm: CommunityScoped {
    static var communityField: KeyPath<Alarm, FieldProperty<Alarm, UUID>> { \.$communityID }
}
extension RuleRecord: CommunityScoped {
    static var communityField: KeyPath<RuleRecord, FieldProperty<RuleRecord, UUID>> { \.$communityID }
}
extension Notification: CommunityScoped {
    static var communityField: KeyPath<Notification, FieldProperty<Notification, UUID>> { \.$communityID }
}
