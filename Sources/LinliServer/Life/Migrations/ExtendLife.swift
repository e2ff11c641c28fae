import Fluent
import Foundation
import SQLKit

/// Community life's second part: venues, clubs and their members, and on events their fee, waitlist
/// mode, sign-up window, draw, audience, club, series, reminders and closing; on registrations the
/// household, family members, place in line, offer, fee and no-show.
struct ExtendLife: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let eventFields: [(FieldKey, DatabaseSchema.DataType, [DatabaseSchema.FieldConstraint])] = [
            ("venue_id", .uuid, []), ("fee_fen", .int, [.required, .sql(.default(0))]),
            ("waitlist", .string, [.required, .sql(.default("promote"))]),
            ("hold_seconds", .int, [.required, .sql(.default(86_400))]), ("signup_opens_at", .datetime, []),
            ("signup_closes_at", .datetime, []), ("cancel_by", .datetime, []), ("draw_until", .datetime, []),
            ("draw_seed", .string, []), ("drawn_at", .datetime, []),
            ("audience_buildings", .string, [.required, .sql(.default(""))]),
            ("audience_groups", .string, [.required, .sql(.default(""))]), ("club_id", .uuid, []), ("series_id", .uuid, []),
            ("reminded", .int, [.required, .sql(.default(0))]), ("closed_at", .datetime, []),
        ]
        for (key, type, constraints) in eventFields {
            try await database.schema(LifeEvent.schema).field(.definition(name: .key(key), dataType: type, constraints: constraints)).update()
        }
        let registrationFields: [(FieldKey, DatabaseSchema.DataType, [DatabaseSchema.FieldConstraint])] = [
            ("household_id", .uuid, []), ("member_ids", .string, [.required, .sql(.default(""))]),
            ("line_at", .datetime, []), ("offer_ends_at", .datetime, []),
            ("fee_fen", .int, [.required, .sql(.default(0))]), ("fee_cause", .string, []),
            ("refunded", .bool, [.required, .sql(.default(false))]), ("no_show", .bool, [.required, .sql(.default(false))]),
            ("promoted", .bool, [.required, .sql(.default(false))]),
        ]
        for (key, type, constraints) in registrationFields {
            try await database.schema(Registration.schema).field(.definition(name: .key(key), dataType: type, constraints: constraints)).update()
        }
        // Registrations from before keep their place in line: their sign-up time.
        if let sql = database as? any SQLDatabase {
            try await sql.raw("UPDATE life_registrations SET line_at = signed_up_at WHERE line_at IS NULL").run()
        }
        try await database.schema(Venue.schema).id()
            .field("community_id", .uuid, .required)
            .field("name", .string, .required)
            .field("capacity", .int)
            .field("bookings", .int, .required)
            .unique(on: "community_id", "name")
            .create()
        try await database.schema(Club.schema).id()
            .field("community_id", .uuid, .required)
            .field("name", .string, .required)
            .field("description", .string, .required)
            .field("join_policy", .string, .required)
            .field("audience_group", .string)
            .field("status", .string, .required)
            .field("proposed_by", .uuid, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "community_id", "name")
            .create()
        try await database.schema(ClubMember.schema).id()
            .field("club_id", .uuid, .required, .references(Club.schema, .id, onDelete: .cascade))
            .field("community_id", .uuid, .required)
            .field("person_id", .uuid, .required)
            .field("role", .string, .required)
            .field("status", .string, .required)
            .field("show_name", .bool, .required)
            .field("joined_at", .datetime, .required)
            .unique(on: "club_id", "person_id")
            .create()
        try await database.schema(CalendarFeed.schema).id()
            .field("person_id", .uuid, .required)
            .field("token_hash", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "person_id")
            .unique(on: "token_hash")
            .create()
        try await IndexSQL.create("life_club_members_person", on: ClubMember.schema, ["person_id"], database)
        try await IndexSQL.create("life_registrations_no_show", on: Registration.schema, ["person_id", "no_show"], database)
    }

    func revert(on database: any Database) async throws {
        for schema in [CalendarFeed.schema, ClubMember.schema, Club.schema, Venue.schema] { try await database.schema(schema).delete() }
    }
}
