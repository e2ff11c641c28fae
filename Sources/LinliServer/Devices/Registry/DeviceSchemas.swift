import LinliCore

/// OpenAPI schemas of the device hub's DTOs.
enum DeviceSchemas {
    static let anyJSON: JSONValue = .object([])
    static let nullableUUID = Schema.nullable(Schema.uuid)
    static let nullableString = Schema.nullable(Schema.string())
    static let nullableDate = Schema.nullable(Schema.dateTime)
    static let deviceType = Schema.enumeration(DeviceCatalog.all.map(\.key))
    static let object: JSONValue = .object([("type", "object")])

    static let scope = Schema.object([
        ("deviceType", Schema.nullable(deviceType)), ("buildingID", nullableUUID), ("householdID", nullableUUID),
        ("zone", Schema.nullable(Schema.string(max: 40))), ("deviceID", nullableUUID),
    ])
    static let condition = Schema.object(
        [
            ("kind", Schema.enumeration(RuleCondition.Kind.allCases.map(\.rawValue))),
            ("value", Schema.nullable(Schema.number)),
            ("low", Schema.nullable(Schema.number)), ("high", Schema.nullable(Schema.number)),
        ], required: ["kind"])
    static let action = Schema.object(
        [
            ("kind", Schema.enumeration(RuleAction.Kind.allCases.map(\.rawValue))),
            ("on", Schema.enumeration(RuleAction.Moment.allCases.map(\.rawValue))),
            ("alarmType", Schema.nullable(Schema.string(max: 64))),
            ("severity", Schema.nullable(Schema.enumeration(Severity.allCases.map(\.rawValue)))),
            ("method", Schema.nullable(Schema.string(max: 64))), ("params", anyJSON), ("targetDeviceID", nullableUUID),
            ("title", Schema.nullable(Schema.string(max: 120))),
            ("role", Schema.nullable(Schema.enumeration(StaffRole.allCases.map(\.rawValue)))),
        ], required: ["kind", "on"])
    static let healthEntry = Schema.object(
        [
            ("deviceID", Schema.uuid), ("name", Schema.string()), ("type", Schema.string()), ("lastSeen", nullableDate),
            ("offlineSeconds", Schema.nullable(Schema.integer())), ("battery", Schema.nullable(Schema.number)),
            ("rssi", Schema.nullable(Schema.number)),
        ], required: ["deviceID", "name", "type"])

    static let all: [(String, JSONValue)] = [
        (
            "DeviceType",
            Schema.object(
                [
                    ("key", Schema.string()),
                    (
                        "telemetry",
                        Schema.array(
                            Schema.object(
                                [
                                    ("name", Schema.string()),
                                    ("kind", Schema.enumeration(["number", "boolean", "text"])),
                                    ("unit", nullableString), ("min", Schema.nullable(Schema.number)),
                                    ("max", Schema.nullable(Schema.number)),
                                ], required: ["name", "kind"]))
                    ),
                    ("commands", Schema.array(Schema.object([("method", Schema.string()), ("twoWay", Schema.bool)]))),
                    ("offlineAfterSeconds", Schema.integer()), ("openKeys", Schema.bool),
                ], required: ["key", "telemetry", "commands", "offlineAfterSeconds", "openKeys"])
        ),
        (
            "Device",
            Schema.object(
                [
                    ("id", Schema.uuid), ("communityID", Schema.uuid), ("type", Schema.string()),
                    ("name", Schema.string()),
                    ("serial", nullableString), ("buildingID", nullableUUID), ("householdID", nullableUUID),
                    ("zone", nullableString), ("attributes", object), ("clientAttributes", object),
                    ("sharedAttributes", object), ("disabled", Schema.bool), ("provisioned", Schema.bool),
                    ("lastSeen", nullableDate), ("online", Schema.bool),
                ],
                required: [
                    "id", "communityID", "type", "name", "attributes", "clientAttributes", "sharedAttributes",
                    "disabled",
                    "provisioned", "online",
                ])
        ),
        (
            "DeviceCreate",
            Schema.object(
                [
                    ("type", deviceType), ("name", Schema.string(min: 1, max: 60)),
                    ("serial", Schema.nullable(Schema.string(max: 60))),
                    ("buildingID", nullableUUID), ("householdID", nullableUUID),
                    ("zone", Schema.nullable(Schema.string(max: 40))),
                    ("attributes", object), ("sharedAttributes", object),
                ], required: ["type", "name"])
        ),
        (
            "DeviceUpdate",
            Schema.object([
                ("type", deviceType), ("name", Schema.string(min: 1, max: 60)),
                ("serial", Schema.nullable(Schema.string(max: 60))),
                ("buildingID", nullableUUID), ("householdID", nullableUUID),
                ("zone", Schema.nullable(Schema.string(max: 40))),
                ("attributes", object), ("disabled", Schema.bool),
            ])
        ),
        (
            "DeviceCredentials",
            Schema.object(
                [("device", Schema.ref("Device")), ("token", Schema.string())], required: ["device", "token"])
        ),
        (
            "ImportedDevice",
            Schema.object(
                [("line", Schema.integer()), ("device", Schema.ref("Device")), ("token", Schema.string())],
                required: ["line", "device", "token"])
        ),
        ("AttributeValues", object),
        (
            "DeviceAttributeSet",
            Schema.object([("client", object), ("shared", object)])
        ),
        (
            "TelemetryPayload",
            .object([("anyOf", .array([object, Schema.array(object)]))])
        ),
        (
            "TelemetryAnswer",
            Schema.object(
                [
                    ("accepted", Schema.integer()),
                    (
                        "refused",
                        Schema.array(
                            Schema.object(
                                [
                                    ("key", Schema.string()), ("ts", Schema.nullable(Schema.integer())),
                                    ("reason", Schema.string()),
                                    ("expected", nullableString), ("message", Schema.string()),
                                ], required: ["key", "reason", "message"]))
                    ),
                ], required: ["accepted", "refused"])
        ),
        (
            "DeviceCommandMessage",
            Schema.object(
                [("id", Schema.integer()), ("method", Schema.string()), ("params", anyJSON)],
                required: ["id", "method"])
        ),
        (
            "DeviceRequest",
            Schema.object([("method", Schema.string(max: 64)), ("params", anyJSON)], required: ["method"])
        ),
        (
            "ProvisionRequest",
            Schema.object(
                [
                    ("deviceName", Schema.string(min: 1, max: 60)), ("provisionDeviceKey", Schema.string(max: 64)),
                    ("provisionDeviceSecret", Schema.string(max: 128)), ("deviceType", deviceType),
                    ("credentialsType", Schema.enumeration(["ACCESS_TOKEN"])),
                    ("token", Schema.string(min: 8, max: 128)),
                ], required: ["provisionDeviceKey", "provisionDeviceSecret"])
        ),
        (
            "ProvisionAnswer",
            Schema.object(
                [
                    ("status", Schema.string()), ("credentialsType", Schema.string()),
                    ("credentialsValue", Schema.string()),
                ],
                required: ["status", "credentialsType", "credentialsValue"])
        ),
        (
            "Provisioning",
            Schema.object(
                [
                    ("enabled", Schema.bool), ("key", nullableString), ("defaultType", Schema.string()),
                    ("maxDevices", Schema.integer(min: 0, max: 10_000)),
                ],
                required: ["enabled", "defaultType", "maxDevices"])
        ),
        (
            "ProvisioningUpdate",
            Schema.object(
                [
                    ("enabled", Schema.bool), ("key", Schema.string(max: 64)),
                    ("secret", Schema.string(min: 8, max: 128)),
                    ("defaultType", deviceType), ("maxDevices", Schema.integer(min: 0, max: 10_000)),
                ], required: ["enabled"])
        ),
        (
            "LatestValue",
            Schema.object(
                [("key", Schema.string()), ("ts", Schema.integer()), ("value", anyJSON)],
                required: ["key", "ts", "value"])
        ),
        (
            "Series",
            Schema.object(
                [
                    ("key", Schema.string()), ("interval", Schema.enumeration(Interval.allCases.map(\.rawValue))),
                    ("agg", Schema.enumeration(AggregateFunction.allCases.map(\.rawValue))),
                    (
                        "points",
                        Schema.array(
                            Schema.object(
                                [
                                    ("ts", Schema.integer()), ("value", anyJSON),
                                    ("count", Schema.nullable(Schema.integer())),
                                ],
                                required: ["ts", "value"]))
                    ),
                ], required: ["key", "interval", "agg", "points"])
        ),
        (
            "CommandCreate",
            Schema.object(
                [
                    ("method", Schema.string(min: 1, max: 64)), ("params", anyJSON), ("twoWay", Schema.bool),
                    ("expiresInSeconds", Schema.integer(min: 10, max: 30 * 86_400)),
                    ("maxRetries", Schema.integer(min: 0, max: 20)),
                    ("replyTimeoutSeconds", Schema.integer(min: 1, max: 86_400)),
                ], required: ["method"])
        ),
        (
            "Command",
            Schema.object(
                [
                    ("id", Schema.integer()), ("deviceID", Schema.uuid), ("method", Schema.string()),
                    ("params", anyJSON),
                    ("twoWay", Schema.bool), ("status", Schema.enumeration(CommandStatus.allCases.map(\.rawValue))),
                    ("createdAt", Schema.dateTime), ("expiresAt", Schema.dateTime), ("sentAt", nullableDate),
                    ("deliveredAt", nullableDate), ("completedAt", nullableDate), ("retries", Schema.integer()),
                    ("maxRetries", Schema.integer()), ("response", anyJSON), ("ruleID", nullableUUID),
                ],
                required: [
                    "id", "deviceID", "method", "params", "twoWay", "status", "createdAt", "expiresAt", "retries",
                    "maxRetries",
                ])
        ),
        (
            "Alarm",
            Schema.object(
                [
                    ("id", Schema.uuid), ("communityID", Schema.uuid), ("deviceID", Schema.uuid),
                    ("deviceName", nullableString),
                    ("type", Schema.string()), ("severity", Schema.enumeration(Severity.allCases.map(\.rawValue))),
                    ("status", Schema.enumeration(AlarmStatus.allCases.map(\.rawValue))),
                    ("startedAt", Schema.dateTime),
                    ("updatedAt", Schema.dateTime), ("repeats", Schema.integer()), ("details", nullableString),
                    ("ruleID", nullableUUID), ("acknowledgedAt", nullableDate), ("acknowledgedBy", nullableString),
                    ("clearedAt", nullableDate), ("clearedBy", nullableString),
                ],
                required: [
                    "id", "communityID", "deviceID", "type", "severity", "status", "startedAt", "updatedAt", "repeats",
                ])
        ),
        (
            "Rule",
            Schema.object(
                [
                    ("id", Schema.uuid), ("name", Schema.string()), ("enabled", Schema.bool), ("scope", scope),
                    ("key", Schema.string()), ("condition", condition), ("forMinutes", Schema.integer()),
                    ("actions", Schema.array(action)),
                ], required: ["id", "name", "enabled", "scope", "key", "condition", "forMinutes", "actions"])
        ),
        (
            "RuleInput",
            Schema.object(
                [
                    ("name", Schema.string(min: 1, max: 80)), ("enabled", Schema.bool), ("scope", scope),
                    ("key", Schema.string(min: 1, max: 64)), ("condition", condition),
                    ("forMinutes", Schema.integer(min: 0, max: 10_080)), ("actions", Schema.array(action)),
                ], required: ["name", "key", "condition", "actions"])
        ),
        (
            "Task",
            Schema.object(
                [
                    ("id", Schema.uuid), ("role", Schema.enumeration(StaffRole.allCases.map(\.rawValue))),
                    ("personID", nullableUUID), ("title", Schema.string()), ("deviceID", nullableUUID),
                    ("alarmID", nullableUUID), ("status", Schema.string()), ("createdAt", Schema.dateTime), ("doneAt", nullableDate),
                    ("doneBy", nullableString),
                ], required: ["id", "role", "title", "status", "createdAt"])
        ),
        (
            "DeviceHealth",
            Schema.object(
                [
                    ("total", Schema.integer()), ("online", Schema.integer()), ("offline", Schema.integer()),
                    ("neverSeen", Schema.integer()), ("disabled", Schema.integer()), ("onlineRate", Schema.number),
                    ("offlineLongest", Schema.array(healthEntry)), ("neverUsed", Schema.array(healthEntry)),
                    ("lowBattery", Schema.array(healthEntry)),
                ],
                required: [
                    "total", "online", "offline", "neverSeen", "disabled", "onlineRate", "offlineLongest", "neverUsed",
                    "lowBattery",
                ])
        ),
    ]
}
