import Fluent
import Foundation
import LinliCore
import Vapor

struct SecuritySensorRead: Content, Equatable {
    let id: UUID
    let name: String
    let type: String
    let sensorClass: AlarmPanel.SensorClass
    let open: Bool
    let problems: [String]

    init(_ s: HomeSecurity.Sensor) {
        id = s.id
        name = s.name
        type = s.type
        sensorClass = s.sensorClass
        open = s.open
        problems = s.problems
    }
}

struct SecurityAlarmRead: Content, Equatable {
    let sensor: UUID?
    let at: Date
    let reportAt: Date
    let confirmed: Bool
    let reported: Bool
}

/// `GET /api/v1/me/households/{householdID}/security`.
struct SecurityRead: Content, Equatable {
    let state: AlarmPanel.State
    let mode: AlarmPanel.Mode?
    let exitEndsAt: Date?
    let entryEndsAt: Date?
    let openSensors: [UUID]
    let bypassed: [UUID]
    let shutDown: [UUID]
    let alarm: SecurityAlarmRead?
    let sensors: [SecuritySensorRead]
    /// Whether the household set a code (the code itself is never readable).
    let codeSet: Bool
    let settings: SecuritySettingsRead

    init(_ panel: AlarmPanel, row: SecurityPanel, sensors: [HomeSecurity.Sensor]) {
        state = panel.state
        mode = panel.mode
        exitEndsAt = panel.exitEndsAt
        entryEndsAt = panel.entryEndsAt
        openSensors = sensors.filter(\.open).map(\.id)
        bypassed = panel.bypassed.compactMap(UUID.init(uuidString:)).sorted { $0.uuidString < $1.uuidString }
        shutDown = panel.shutDown.compactMap(UUID.init(uuidString:)).sorted { $0.uuidString < $1.uuidString }
        alarm = panel.intrusion.map {
            SecurityAlarmRead(
                sensor: UUID(uuidString: $0.sensor), at: $0.at, reportAt: $0.reportAt, confirmed: $0.confirmed,
                reported: $0.reported)
        }
        self.sensors = sensors.map(SecuritySensorRead.init)
        codeSet = row.codeHash != nil
        settings = SecuritySettingsRead(row.settings)
    }
}

struct SecuritySettingsRead: Content, Equatable {
    let exitDelay: Int
    let entryDelay: Int
    let abortWindow: Int
    let crossZoning: Bool
    let sensors: [String: AlarmPanel.SensorClass]
    let schedule: [ScheduleEntryIO]

    init(_ s: SecuritySettings) {
        exitDelay = s.panel.exitDelay
        entryDelay = s.panel.entryDelay
        abortWindow = s.panel.abortWindow
        crossZoning = s.panel.crossZoning
        sensors = Dictionary(uniqueKeysWithValues: s.sensors.map { ($0.key.uuidString.lowercased(), $0.value) })
        schedule = s.schedule.entries.map {
            ScheduleEntryIO(action: $0.action, at: TimeOfDay.text($0.minute), days: $0.days)
        }
    }
}

/// One entry of an arming schedule as the API writes it: `{"action":"armed_night","at":"22:30","days":[1,2,3,4,5]}`.
struct ScheduleEntryIO: Content, Equatable {
    let action: String
    let at: String
    let days: [Int]?
}

struct ArmInput: Content {
    let mode: String
    let code: String?
    let force: Bool?
}

struct DisarmInput: Content {
    let code: String?
}

struct SecuritySettingsInput: Content {
    let exitDelay: Int?
    let entryDelay: Int?
    let abortWindow: Int?
    let crossZoning: Bool?
    /// Sensor id → class, for the household's own sensors.
    let sensors: [String: String]?
    /// A new code (4–8 digits), or "" to remove it; absent: unchanged.
    let code: String?
    /// A new duress code (4–8 digits, not the code), or "" to remove it.
    let duressCode: String?
    /// The whole arming schedule (at most 8 entries); absent: unchanged.
    let schedule: [ScheduleEntryIO]?
}

struct SecurityEventRead: Content, Equatable {
    let id: UUID
    let kind: String
    let mode: String?
    let sensorID: UUID?
    let at: Date

    init(_ e: SecurityEvent) throws {
        id = try e.requireID()
        kind = e.kind
        mode = e.mode
        sensorID = e.sensorID
        at = e.at
    }
}

/// A call as the guard desk sees it: what, where, who to call, each step's time.
struct GuardCallRead: Content, Equatable {
    struct Person: Content, Equatable {
        let name: String
        let phone: String
    }

    let id: UUID
    let kind: GuardDesk.Kind
    let priority: Int
    let step: GuardDesk.Step
    let householdID: UUID
    let building: String
    let room: String
    let sensorID: UUID?
    let sensor: String?
    let raisedAt: Date
    let acknowledgedAt: Date?
    let dispatchedAt: Date?
    let guardID: UUID?
    let guardName: String?
    let onSiteAt: Date?
    let resolvedAt: Date?
    let outcome: GuardDesk.Outcome?
    let note: String?
    let disarmedAt: Date?
    let escalations: Int
    let repeats: Int
    let members: [Person]
    let emergencyContacts: [Person]
}

struct GuardStepInput: Content {
    /// `dispatch`: the guard to send; absent, the desk chooses (on shift, free, nearest).
    let guardID: UUID?
    /// `resolve`: what it was.
    let outcome: String?
    let note: String?
}

struct GuardFiguresRead: Content, Equatable {
    let calls: Int
    let acknowledgedWithin60s: Double?
    let medianToOnSiteSeconds: Double?
    let falseAlarmRate: Double?
    let falseAlarmRateByHousehold: [String: Double]
    let falseAlarmRateBySensor: [String: Double]
}

extension Sorting {
    static let guardCalls = Sorting(keys: ["raised_at"], defaultSort: "-raised_at")
    static let securityEvents = Sorting(keys: ["at"], defaultSort: "-at")
}

enum SecuritySchemas {
    static let modes = AlarmPanel.Mode.allCases.map(\.rawValue)
    static let classes = AlarmPanel.SensorClass.allCases.map(\.rawValue)

    static let scheduleEntry = Schema.object(
        [
            ("action", Schema.enumeration(modes + ["disarmed"])),
            ("at", Schema.string(max: 5, pattern: "^([01]?[0-9]|2[0-3]):[0-5][0-9]$")),
            ("days", Schema.array(Schema.integer(min: 1, max: 7))),
        ], required: ["action", "at"])
    static let sensor = Schema.object(
        [
            ("id", Schema.uuid), ("name", Schema.string()), ("type", Schema.string()),
            ("sensorClass", Schema.enumeration(classes)), ("open", Schema.bool),
            ("problems", Schema.array(Schema.enumeration(["offline", "low_battery", "disabled"]))),
        ], required: ["id", "name", "type", "sensorClass", "open", "problems"])
    static let settings = Schema.object(
        [
            ("exitDelay", Schema.integer()), ("entryDelay", Schema.integer()), ("abortWindow", Schema.integer()),
            ("crossZoning", Schema.bool), ("sensors", .object([("type", "object")])),
            ("schedule", Schema.array(scheduleEntry)),
        ], required: ["exitDelay", "entryDelay", "abortWindow", "crossZoning", "sensors", "schedule"])
    static let security = Schema.object(
        [
            ("state", Schema.enumeration(AlarmPanel.State.allCases.map(\.rawValue))),
            ("mode", Schema.nullable(Schema.enumeration(modes))), ("exitEndsAt", Schema.nullable(Schema.dateTime)),
            ("entryEndsAt", Schema.nullable(Schema.dateTime)), ("openSensors", Schema.array(Schema.uuid)),
            ("bypassed", Schema.array(Schema.uuid)), ("shutDown", Schema.array(Schema.uuid)),
            (
                "alarm",
                Schema.nullable(
                    Schema.object(
                        [
                            ("sensor", Schema.nullable(Schema.uuid)), ("at", Schema.dateTime),
                            ("reportAt", Schema.dateTime), ("confirmed", Schema.bool), ("reported", Schema.bool),
                        ], required: ["at", "reportAt", "confirmed", "reported"]))
            ),
            ("sensors", Schema.array(sensor)), ("codeSet", Schema.bool), ("settings", settings),
        ], required: ["state", "openSensors", "bypassed", "shutDown", "sensors", "codeSet", "settings"])
    static let arm = Schema.object(
        [
            ("mode", Schema.enumeration(modes)), ("code", Schema.string(max: 8, pattern: "^[0-9]*$")),
            ("force", Schema.bool),
        ], required: ["mode"])
    static let disarm = Schema.object([("code", Schema.string(max: 8, pattern: "^[0-9]*$"))])
    static let settingsInput = Schema.object([
        ("exitDelay", Schema.integer(min: 0, max: 255)), ("entryDelay", Schema.integer(min: 0, max: 255)),
        ("abortWindow", Schema.integer(min: 0, max: 300)), ("crossZoning", Schema.bool),
        ("sensors", .object([("type", "object"), ("additionalProperties", Schema.enumeration(classes))])),
        ("code", Schema.string(max: 8, pattern: "^([0-9]{4,8})?$")),
        ("duressCode", Schema.string(max: 8, pattern: "^([0-9]{4,8})?$")),
        ("schedule", Schema.array(scheduleEntry)),
    ])
    static let event = Schema.object(
        [
            ("id", Schema.uuid), ("kind", Schema.string()), ("mode", Schema.nullable(Schema.string())),
            ("sensorID", Schema.nullable(Schema.uuid)), ("at", Schema.dateTime),
        ], required: ["id", "kind", "at"])
    static let person = Schema.object(
        [("name", Schema.string()), ("phone", Schema.string())], required: ["name", "phone"])
    static let call = Schema.object(
        [
            ("id", Schema.uuid), ("kind", Schema.enumeration(GuardDesk.Kind.allCases.map(\.rawValue))),
            ("priority", Schema.integer()), ("step", Schema.enumeration(GuardDesk.Step.allCases.map(\.rawValue))),
            ("householdID", Schema.uuid), ("building", Schema.string()), ("room", Schema.string()),
            ("sensorID", Schema.nullable(Schema.uuid)), ("sensor", Schema.nullable(Schema.string())),
            ("raisedAt", Schema.dateTime), ("acknowledgedAt", Schema.nullable(Schema.dateTime)),
            ("dispatchedAt", Schema.nullable(Schema.dateTime)), ("guardID", Schema.nullable(Schema.uuid)),
            ("guardName", Schema.nullable(Schema.string())), ("onSiteAt", Schema.nullable(Schema.dateTime)),
            ("resolvedAt", Schema.nullable(Schema.dateTime)),
            ("outcome", Schema.nullable(Schema.enumeration(GuardDesk.Outcome.allCases.map(\.rawValue)))),
            ("note", Schema.nullable(Schema.string())), ("disarmedAt", Schema.nullable(Schema.dateTime)),
            ("escalations", Schema.integer()), ("repeats", Schema.integer()),
            ("members", Schema.array(person)), ("emergencyContacts", Schema.array(person)),
        ],
        required: [
            "id", "kind", "priority", "step", "householdID", "building", "room", "raisedAt", "escalations",
            "repeats", "members", "emergencyContacts",
        ])
    static let stepInput = Schema.object([
        ("guardID", Schema.uuid), ("outcome", Schema.enumeration(GuardDesk.Outcome.allCases.map(\.rawValue))),
        ("note", Schema.string(max: 500)),
    ])
    static let figures = Schema.object(
        [
            ("calls", Schema.integer()), ("acknowledgedWithin60s", Schema.nullable(Schema.number)),
            ("medianToOnSiteSeconds", Schema.nullable(Schema.number)),
            ("falseAlarmRate", Schema.nullable(Schema.number)),
            ("falseAlarmRateByHousehold", .object([("type", "object")])),
            ("falseAlarmRateBySensor", .object([("type", "object")])),
        ], required: ["calls", "falseAlarmRateByHousehold", "falseAlarmRateBySensor"])

    static var all: [(String, JSONValue)] {
        [("Security", security), ("SecurityEvent", event), ("GuardCall", call), ("GuardFigures", figures)]
    }
}
