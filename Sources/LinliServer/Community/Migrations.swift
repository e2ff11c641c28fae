import Fluent

/// The registry's tables. Append-only: a landed migration is never edited.
struct CreateCommunity: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Community.schema)
            .id()
            .field("name", .string, .required)
            .field("address", .string, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "name")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Community.schema).delete()
    }
}

struct CreateBuilding: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Building.schema)
            .id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("name", .string, .required)
            .field("floors", .int, .required)
            .field("created_at", .datetime)
            .unique(on: "community_id", "name")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Building.schema).delete()
    }
}

struct CreateHousehold: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Household.schema)
            .id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("building_id", .uuid, .required, .references(Building.schema, .id, onDelete: .cascade))
            .field("floor", .int, .required)
            .field("room", .string, .required)
            .field("area_m2", .double, .required)
            .field("created_at", .datetime)
            .unique(on: "building_id", "room")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Household.schema).delete()
    }
}

struct CreatePerson: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Person.schema)
            .id()
            .field("name", .string, .required)
            .field("phone", .string, .required)
            .field("birth_year", .int)
            .field("is_elderly", .bool, .required)
            .field("lives_alone", .bool, .required)
            .field("is_child", .bool, .required)
            .field("password_hash", .string)
            .field("is_admin", .bool, .required)
            .field("language", .string)
            .field("elder_mode", .bool, .required)
            .field("high_contrast", .bool, .required)
            .field("text_size", .int, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "phone")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Person.schema).delete()
    }
}

struct CreateMembership: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Membership.schema)
            .id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("household_id", .uuid, .required, .references(Household.schema, .id, onDelete: .cascade))
            .field("person_id", .uuid, .required, .references(Person.schema, .id, onDelete: .cascade))
            .field("relation", .string, .required)
            .field("moved_in", .string, .required)
            .field("moved_out", .string)
            .field("created_at", .datetime)
            .create()
        try await IndexSQL.create("memberships_person", on: Membership.schema, ["person_id"], database)
        try await IndexSQL.create("memberships_household", on: Membership.schema, ["household_id"], database)
        try await IndexSQL.create("memberships_community", on: Membership.schema, ["community_id"], database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Membership.schema).delete()
    }
}

/// Shift hours of a staff role (gate access outside them is refused).
struct AddStaffShift: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(StaffAssignment.schema).field("shift_start", .int).update()
        try await database.schema(StaffAssignment.schema).field("shift_end", .int).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(StaffAssignment.schema).deleteField("shift_end").update()
        try await database.schema(StaffAssignment.schema).deleteField("shift_start").update()
    }
}

struct CreateStaffAssignment: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(StaffAssignment.schema)
            .id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("person_id", .uuid, .required, .references(Person.schema, .id, onDelete: .cascade))
            .field("role", .string, .required)
            .field("created_at", .datetime)
            .unique(on: "community_id", "person_id", "role")
            .create()
        try await IndexSQL.create("staff_person", on: StaffAssignment.schema, ["person_id"], database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema(StaffAssignment.schema).delete()
    }
}
