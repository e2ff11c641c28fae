import LinliCore

/// OpenAPI schemas of the registry's DTOs (kept beside them; `OpenAPITests` checks them against responses).
enum RegistrySchemas {
    static let phone = Schema.string(max: 20)
    static let relation = Schema.enumeration(HouseholdRelation.allCases.map(\.rawValue))
    static let role = Schema.enumeration(StaffRole.allCases.map(\.rawValue))
    static let shift = Schema.nullable(
        Schema.string(max: 11, pattern: "^([01]?[0-9]|2[0-4]):[0-5][0-9]-([01]?[0-9]|2[0-4]):[0-5][0-9]$"))

    static let all: [(String, JSONValue)] = [
        (
            "Community",
            Schema.object(
                [("id", Schema.uuid), ("name", Schema.string()), ("address", Schema.string())],
                required: ["id", "name", "address"])
        ),
        (
            "CommunityCreate",
            Schema.object(
                [("name", Schema.string(max: 100)), ("address", Schema.string(max: 200))],
                required: ["name", "address"])
        ),
        ("CommunityUpdate", Schema.object([("name", Schema.string(max: 100)), ("address", Schema.string(max: 200))])),
        (
            "Building",
            Schema.object(
                [
                    ("id", Schema.uuid), ("communityID", Schema.uuid), ("name", Schema.string()),
                    ("floors", Schema.integer()),
                ], required: ["id", "communityID", "name", "floors"])
        ),
        (
            "BuildingCreate",
            Schema.object(
                [("name", Schema.string(max: 30)), ("floors", Schema.integer(min: 1, max: 200))],
                required: ["name", "floors"])
        ),
        (
            "BuildingUpdate",
            Schema.object([("name", Schema.string(max: 30)), ("floors", Schema.integer(min: 1, max: 200))])
        ),
        (
            "Household",
            Schema.object(
                [
                    ("id", Schema.uuid), ("communityID", Schema.uuid), ("buildingID", Schema.uuid),
                    ("floor", Schema.integer()), ("room", Schema.string()), ("areaM2", Schema.number),
                ],
                required: ["id", "communityID", "buildingID", "floor", "room", "areaM2"])
        ),
        (
            "HouseholdCreate",
            Schema.object(
                [
                    ("buildingID", Schema.uuid), ("floor", Schema.integer(min: -5, max: 200)),
                    ("room", Schema.string(max: 20)), ("areaM2", Schema.number),
                ],
                required: ["buildingID", "floor", "room", "areaM2"])
        ),
        (
            "HouseholdUpdate",
            Schema.object([
                ("floor", Schema.integer(min: -5, max: 200)), ("room", Schema.string(max: 20)),
                ("areaM2", Schema.number),
            ])
        ),
        (
            "Person",
            Schema.object(
                [
                    ("id", Schema.uuid), ("name", Schema.string()), ("phone", Schema.string()),
                    ("birthYear", Schema.integer()), ("isElderly", Schema.bool),
                    ("livesAlone", Schema.bool), ("isChild", Schema.bool),
                ],
                required: ["id", "name", "phone", "isElderly", "livesAlone", "isChild"])
        ),
        (
            "ResidentCreate",
            Schema.object(
                [
                    ("name", Schema.string(max: 50)), ("phone", phone),
                    ("birthYear", Schema.integer(min: 1900)), ("isElderly", Schema.bool),
                    ("livesAlone", Schema.bool), ("isChild", Schema.bool),
                    ("householdID", Schema.uuid), ("relation", relation), ("movedIn", Schema.date),
                ],
                required: ["name", "phone", "householdID", "relation"])
        ),
        (
            "PersonUpdate",
            Schema.object([
                ("name", Schema.string(max: 50)), ("birthYear", Schema.integer(min: 1900)),
                ("isElderly", Schema.bool), ("livesAlone", Schema.bool), ("isChild", Schema.bool),
            ])
        ),
        (
            "Membership",
            Schema.object(
                [
                    ("id", Schema.uuid), ("householdID", Schema.uuid), ("personID", Schema.uuid),
                    ("personName", Schema.string()), ("relation", relation), ("movedIn", Schema.date),
                    ("movedOut", Schema.date), ("isCurrent", Schema.bool),
                ],
                required: ["id", "householdID", "personID", "personName", "relation", "movedIn", "isCurrent"])
        ),
        (
            "MemberCreate",
            Schema.object(
                [("phone", phone), ("relation", relation), ("movedIn", Schema.date)],
                required: ["phone", "relation"])
        ),
        ("MembershipUpdate", Schema.object([("relation", relation), ("movedOut", Schema.date)])),
        (
            "Staff",
            Schema.object(
                [
                    ("id", Schema.uuid), ("communityID", Schema.uuid), ("personID", Schema.uuid),
                    ("personName", Schema.string()), ("phone", Schema.string()), ("role", role),
                    ("shift", shift), ("skills", Schema.array(Schema.enumeration(WorkCategory.skills))),
                ],
                required: ["id", "communityID", "personID", "personName", "phone", "role"])
        ),
        (
            "StaffCreate",
            Schema.object(
                [
                    ("phone", phone), ("name", Schema.string(max: 50)), ("role", role),
                    ("password", Schema.string(min: 8, max: 200)), ("shift", shift),
                ],
                required: ["phone", "role"])
        ),
        ("StaffShiftUpdate", Schema.object([("shift", shift)], required: ["shift"])),
        (
            "StaffSkillsUpdate",
            Schema.object(
                [("skills", Schema.array(Schema.enumeration(WorkCategory.skills)))], required: ["skills"])
        ),
        (
            "AuditEntry",
            Schema.object(
                [
                    ("id", Schema.uuid), ("actorID", Schema.uuid), ("actorName", Schema.string()),
                    ("action", Schema.string()), ("entity", Schema.string()), ("entityID", Schema.uuid),
                    ("before", Schema.string()), ("after", Schema.string()), ("at", Schema.dateTime),
                ],
                required: ["id", "actorName", "action", "entity", "at"])
        ),
        (
            "ImportResult",
            Schema.object(
                [("created", Schema.integer()), ("people", Schema.integer())],
                required: ["created", "people"])
        ),
    ]
}
