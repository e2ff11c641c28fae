import Fluent
import Foundation
import LinliCore

/// A household's intrusion panel: the state machine (`LinliCore.AlarmPanel`, as JSON), its settings, the
/// hashes of the household's codes, and a version every write checks (of two parallel arms one wins).
/// `next_due` is when the timer job must move it on (the end of a delay or of the abort window).
final class SecurityPanel: Model, @unchecked Sendable {
    static let schema = "security_panels"
    @ID(key: .id) var id: UUID?
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "household_id") var householdID: UUID
    @Field(key: "panel") var panelJSON: String
    @Field(key: "settings") var settingsJSON: String
    /// `CredentialKey` hashes (HMAC of the SHA-256): never readable back.
    @OptionalField(key: "code_hash") var codeHash: String?
    @OptionalField(key: "duress_hash") var duressHash: String?
    @Field(key: "version") var version: Int
    @OptionalField(key: "next_due") var nextDue: Date?
    /// Whether the household has an arming schedule, and up to when the schedule job applied it.
    @Field(key: "scheduled") var scheduled: Bool
    @OptionalField(key: "schedule_checked_at") var scheduleCheckedAt: Date?
    @Field(key: "updated_at") var updatedAt: Date
    init() {}

    var panel: AlarmPanel {
        (try? JSONDecoder().decode(AlarmPanel.self, from: Data(panelJSON.utf8))) ?? AlarmPanel()
    }

    var settings: SecuritySettings {
        (try? JSONDecoder().decode(SecuritySettings.self, from: Data(settingsJSON.utf8))) ?? SecuritySettings()
    }
}

/// What a household set: the panel's delays and rules, and the class of each sensor that is not its
/// type's default (a door contact on a window is `perimeter`).
struct SecuritySettings: Codable, Equatable, Sendable {
    var panel = AlarmPanel.Settings()
    var sensors: [UUID: AlarmPanel.SensorClass] = [:]
    /// Arm and disarm at set times (applied by the `security.schedule` job).
    var schedule = ArmingSchedule()

    init(panel: AlarmPanel.Settings = .init(), sensors: [UUID: AlarmPanel.SensorClass] = [:], schedule: ArmingSchedule = .init()) {
        self.panel = panel
        self.sensors = sensors
        self.schedule = schedule
    }

    /// Settings stored before a field existed read with its default.
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        panel = try c.decodeIfPresent(AlarmPanel.Settings.self, forKey: .panel) ?? .init()
        sensors = try c.decodeIfPresent([UUID: AlarmPanel.SensorClass].self, forKey: .sensors) ?? [:]
        schedule = try c.decodeIfPresent(ArmingSchedule.self, forKey: .schedule) ?? .init()
    }
}

/// One line of a household's security history: armed, disarmed, a delay, an alarm and each of its steps.
/// `hidden` lines (the duress alarm) are the guards' only: the household never sees them.
final class SecurityEvent: Model, @unchecked Sendable {
    static let schema = "security_events"
    @ID(key: .id) var id: UUID?
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "household_id") var householdID: UUID
    @Field(key: "kind") var kind: String
    @OptionalField(key: "mode") var mode: String?
    @OptionalField(key: "sensor_id") var sensorID: UUID?
    @OptionalField(key: "person_id") var personID: UUID?
    @OptionalField(key: "call_id") var callID: UUID?
    @Field(key: "hidden") var hidden: Bool
    @Field(key: "at") var at: Date
    init() {}
}

/// A call on the guard desk: an alarm of a household, from raised to resolved. Every step is a
/// conditional write on `step` (of two guards acknowledging at once, one is recorded).
final class GuardCall: Model, @unchecked Sendable {
    static let schema = "guard_calls"
    @ID(key: .id) var id: UUID?
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "household_id") var householdID: UUID
    @Enum(key: "kind") var kind: GuardDesk.Kind
    @OptionalField(key: "sensor_id") var sensorID: UUID?
    @Enum(key: "step") var step: GuardDesk.Step
    @Field(key: "raised_at") var raisedAt: Date
    @OptionalField(key: "acknowledged_at") var acknowledgedAt: Date?
    @OptionalField(key: "acknowledged_by") var acknowledgedBy: UUID?
    @OptionalField(key: "dispatched_at") var dispatchedAt: Date?
    @OptionalField(key: "guard_id") var guardID: UUID?
    @OptionalField(key: "on_site_at") var onSiteAt: Date?
    @OptionalField(key: "resolved_at") var resolvedAt: Date?
    @OptionalField(key: "resolved_by") var resolvedBy: UUID?
    @OptionalEnum(key: "outcome") var outcome: GuardDesk.Outcome?
    @OptionalField(key: "note") var note: String?
    /// The household disarmed after the guards were told (they still go, or resolve it as cancelled).
    @OptionalField(key: "disarmed_at") var disarmedAt: Date?
    /// Escalations sent (all guards on shift and the manager at 60 s, again at 120 s).
    @Field(key: "escalations") var escalations: Int
    @OptionalField(key: "next_escalation_at") var nextEscalationAt: Date?
    /// Repeats of the same alarm while the call is open (a smoke detector that keeps ringing).
    @Field(key: "repeats") var repeats: Int
    init() {}
}

extension GuardCall: CommunityScoped {
    static var communityField: KeyPath<GuardCall, FieldProperty<GuardCall, UUID>> { \.$communityID }
}

