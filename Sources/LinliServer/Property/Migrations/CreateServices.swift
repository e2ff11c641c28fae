import Fluent
import Foundation
import LinliCore
import Vapor

struct CreateServices: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Service.schema).id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("name", .string, .required).field("description", .string, .required)
            .field("price_cents", .int, .required).field("duration_minutes", .int, .required)
            .field("capacity", .int, .required).field("open_minute", .int, .required)
            .field("close_minute", .int, .required).field("active", .bool, .required).create()
        try await database.schema(Booking.schema).id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("service_id", .uuid, .required, .references(Service.schema, .id, onDelete: .cascade))
            .field("household_id", .uuid, .required).field("person_id", .uuid, .required)
            .field("slot_start", .datetime, .required).field("status", .string, .required)
            .field("payment", .string, .required).field("amount_cents", .int, .required)
            .field("paid_at", .datetime).field("refunded_at", .datetime).field("created_at", .datetime, .required)
            .create()
        try await IndexSQL.create("bookings_household", on: Booking.schema, ["household_id", "slot_start"], database)
        try await IndexSQL.create("bookings_service_slot", on: Booking.schema, ["service_id", "slot_start"], database)
        try await database.schema(BookingSeat.schema).id()
            .field("service_id", .uuid, .required, .references(Service.schema, .id, onDelete: .cascade))
            .field("slot_start", .datetime, .required).field("seat", .int, .required)
            .field("booking_id", .uuid, .required, .references(Booking.schema, .id, onDelete: .cascade))
            .unique(on: "service_id", "slot_start", "seat").create()
        try await database.schema(Payment.schema).id()
            .field("booking_id", .uuid, .required, .references(Booking.schema, .id, onDelete: .cascade))
            .field("kind", .string, .required).field("provider", .string, .required)
            .field("reference", .string, .required).field("amount_cents", .int, .required)
            .field("at", .datetime, .required).create()
    }

    func revert(on database: any Database) async throws {
        for schema in [Payment.schema, BookingSeat.schema, Booking.schema, Service.schema] {
            try await database.schema(schema).delete()
        }
    }
}
