import Fluent
import Foundation

struct CreateEnvironment: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(IrrigationZone.schema).id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("name", .string, .required)
            .field("valve_id", .uuid, .required, .references(Device.schema, .id, onDelete: .cascade))
            .field("sensor_ids", .string, .required).field("plant", .string, .required)
            .field("target_moisture", .double, .required).field("max_run_minutes", .int, .required)
            .field("litres_per_minute", .double, .required).field("rain_skip_mm", .double, .required)
            .field("programs", .string, .required).field("override_kind", .string).field("override_until", .datetime)
            .field("override_by", .uuid).field("override_run", .uuid).field("rain_delay_until", .datetime)
            .field("created_at", .datetime, .required).field("updated_at", .datetime, .required)
            .unique(on: "community_id", "name").unique(on: "valve_id").create()
        try await database.schema(IrrigationRun.schema).id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("zone_id", .uuid, .required, .references(IrrigationZone.schema, .id, onDelete: .cascade))
            .field("key", .string, .required).field("kind", .string, .required)
            .field("planned_at", .datetime, .required).field("scale", .int).field("status", .string, .required)
            .field("skip_reason", .string).field("cycles", .string, .required).field("cycle_index", .int, .required)
            .field("phase_at", .datetime, .required).field("open_seconds", .int, .required)
            .field("started_at", .datetime).field("stopped_at", .datetime).field("stop_reason", .string)
            .field("closed_at", .datetime).field("litres", .double).field("moisture", .double).field("by", .uuid)
            .field("version", .int, .required).field("updated_at", .datetime, .required)
            .unique(on: "key").create()
        try await IndexSQL.create("irrigation_runs_zone", on: IrrigationRun.schema, ["zone_id", "planned_at"], database)
        try await IndexSQL.create("irrigation_runs_status", on: IrrigationRun.schema, ["status"], database)
        try await database.schema(WasteBin.schema).id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("device_id", .uuid, .required, .references(Device.schema, .id, onDelete: .cascade))
            .field("capacity_litres", .int, .required).field("work_start", .int, .required)
            .field("work_end", .int, .required).field("threshold", .double, .required)
            .field("fire_celsius", .double, .required).field("last_fill", .double).field("last_fill_at", .datetime)
            .field("last_emptied_at", .datetime).field("full_since", .datetime)
            .field("overflowing", .bool, .required).field("task_id", .uuid)
            .field("overflows", .int, .required).field("full_at", .datetime).field("ask_by", .datetime)
            .field("enough_history", .bool, .required).field("forecast_at", .datetime)
            .field("updated_at", .datetime, .required)
            .unique(on: "device_id").create()
        try await database.schema(BinEvent.schema).id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("device_id", .uuid, .required, .references(Device.schema, .id, onDelete: .cascade))
            .field("kind", .string, .required).field("at", .datetime, .required).create()
        try await IndexSQL.create("bin_events_community", on: BinEvent.schema, ["community_id", "at"], database)
    }

    func revert(on database: any Database) async throws {
        for schema in [BinEvent.schema, WasteBin.schema, IrrigationRun.schema, IrrigationZone.schema] {
            try await database.schema(schema).delete()
        }
    }
}
