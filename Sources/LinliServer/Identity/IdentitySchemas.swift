/// OpenAPI schemas of the identity DTOs.
enum IdentitySchemas {
    static let settings = Schema.object(
        [
            ("language", Schema.enumeration(Language.allCases.map(\.rawValue))), ("elderMode", Schema.bool),
            ("highContrast", Schema.bool), ("textSize", Schema.integer(min: 1, max: 4)),
        ],
        required: ["elderMode", "highContrast", "textSize"])

    static let all: [(String, JSONValue)] = [
        (
            "TokenRequest",
            Schema.object(
                [("phone", Schema.string(max: 20)), ("password", Schema.string(max: 200))],
                required: ["phone", "password"])
        ),
        (
            "Token",
            Schema.object(
                [("token", Schema.string()), ("expiresAt", Schema.dateTime)], required: ["token", "expiresAt"])
        ),
        (
            "ResetCompletion",
            Schema.object(
                [
                    ("phone", Schema.string(max: 20)), ("code", Schema.string(max: 64)),
                    ("newPassword", Schema.string(min: 8, max: 200)),
                ],
                required: ["phone", "code", "newPassword"])
        ),
        (
            "ResetStarted",
            Schema.object(
                [("code", Schema.string()), ("expiresAt", Schema.dateTime)], required: ["code", "expiresAt"])
        ),
        ("DisplaySettings", settings),
        (
            "Me",
            Schema.object(
                [
                    ("person", Schema.ref("Person")), ("isAdmin", Schema.bool),
                    ("settings", Schema.ref("DisplaySettings")),
                    (
                        "roles",
                        Schema.array(
                            Schema.object(
                                [
                                    ("communityID", Schema.uuid), ("communityName", Schema.string()),
                                    ("role", RegistrySchemas.role),
                                ],
                                required: ["communityID", "communityName", "role"]))
                    ),
                    (
                        "households",
                        Schema.array(
                            Schema.object(
                                [
                                    ("householdID", Schema.uuid), ("communityID", Schema.uuid),
                                    ("communityName", Schema.string()),
                                    ("building", Schema.string()), ("room", Schema.string()),
                                    ("floor", Schema.integer()), ("areaM2", Schema.number),
                                    ("relation", RegistrySchemas.relation),
                                ],
                                required: [
                                    "householdID", "communityID", "communityName", "building", "room", "floor",
                                    "areaM2", "relation",
                                ]))
                    ),
                ],
                required: ["person", "isAdmin", "settings", "roles", "households"])
        ),
        (
            "MeUpdate",
            Schema.object(
                [
                    ("language", Schema.enumeration(Language.allCases.map(\.rawValue))), ("elderMode", Schema.bool),
                    ("highContrast", Schema.bool), ("textSize", Schema.integer(min: 1, max: 4)),
                    ("currentPassword", Schema.string(max: 200)), ("newPassword", Schema.string(min: 8, max: 200)),
                ])
        ),
    ]
}
