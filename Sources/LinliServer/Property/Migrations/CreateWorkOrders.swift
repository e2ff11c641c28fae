import Fluent
import Foundation
import LinliCore

struct CreateWorkOrders: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(WorkOrder.schema).id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("household_id", .uuid, .required, .references(Household.schema, .id, onDelete: .cascade))
            .field("filed_by", .uuid, .required).field("channel", .string, .required)
            .field("category", .string, .required).field("description", .string, .required)
            .field("place", .string, .required).field("preferred_time", .string)
            .field("status", .string, .required).field("assignee_id", .uuid)
            .field("respond_by", .datetime, .required).field("complete_by", .datetime, .required)
            .field("done_at", .datetime).field("escalated_at", .datetime)
            .field("rating", .int).field("rating_comment", .string)
            .field("created_at", .datetime, .required).field("updated_at", .datetime, .required).create()
        try await IndexSQL.create(
            "work_orders_community_status", on: WorkOrder.schema, ["community_id", "status"], database)
        try await IndexSQL.create(
            "work_orders_household", on: WorkOrder.schema, ["household_id", "created_at"], database)
        try await IndexSQL.create("work_orders_assignee", on: WorkOrder.schema, ["assignee_id", "status"], database)
        try await database.schema(WorkOrderEvent.schema).id()
            .field("order_id", .uuid, .required, .references(WorkOrder.schema, .id, onDelete: .cascade))
            .field("action", .string, .required).field("actor_id", .uuid)
            .field("note", .string, .required).field("at", .datetime, .required).create()
        try await IndexSQL.create("work_order_events_order", on: WorkOrderEvent.schema, ["order_id", "at"], database)
        try await database.schema(WorkOrderPhoto.schema).id()
            .field("order_id", .uuid, .required, .references(WorkOrder.schema, .id, onDelete: .cascade))
            .field("content_type", .string, .required).field("bytes", .data, .required).field("thumbnail", .data)
            .field("uploaded_by", .uuid, .required).field("created_at", .datetime, .required).create()
        try await IndexSQL.create("work_order_photos_order", on: WorkOrderPhoto.schema, ["order_id"], database)
        try await database.schema(DemandSignal.schema).id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("kind", .string, .required).field("subject", .string, .required)
            .field("household_id", .uuid).field("building_id", .uuid).field("at", .datetime, .required).create()
        try await IndexSQL.create(
            "demand_signals_community_at", on: DemandSignal.schema, ["community_id", "at"], database)
        try await database.schema(StaffAssignment.schema).field("skills", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(StaffAssignment.schema).deleteField("skills").update()
        for schema in [DemandSignal.schema, WorkOrderPhoto.schema, WorkOrderEvent.schema, WorkOrder.schema] {
            try await database.schema(schema).delete()
        }
    }
}
