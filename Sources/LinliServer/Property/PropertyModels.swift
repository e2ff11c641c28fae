import Fluent
import Foundation
import LinliCore

/// A resident's request to the property team (repair, help, cleaning, complaint, suggestion).
final class WorkOrder: Model, @unchecked Sendable {
    static let schema = "work_orders"
    @ID(key: .id) var id: UUID?
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "household_id") var householdID: UUID
    @Field(key: "filed_by") var filedBy: UUID
    /// app, tv, kiosk, or phone (staff filed it after a call).
    @Field(key: "channel") var channel: String
    @Enum(key: "category") var category: WorkCategory
    @Field(key: "description") var description: String
    @Field(key: "place") var place: String
    @OptionalField(key: "preferred_time") var preferredTime: String?
    @Enum(key: "status") var status: WorkStatus
    @OptionalField(key: "assignee_id") var assigneeID: UUID?
    @Field(key: "respond_by") var respondBy: Date
    @Field(key: "complete_by") var completeBy: Date
    @OptionalField(key: "done_at") var doneAt: Date?
    @OptionalField(key: "escalated_at") var escalatedAt: Date?
    @OptionalField(key: "rating") var rating: Int?
    @OptionalField(key: "rating_comment") var ratingComment: String?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    /// Bumped by every step: a step is written only over the version it was decided on.
    @Field(key: "version") var version: Int
    init() { version = 0 }
}

/// One step of a work order's timeline: who did what, when.
final class WorkOrderEvent: Model, @unchecked Sendable {
    static let schema = "work_order_events"
    @ID(key: .id) var id: UUID?
    @Field(key: "order_id") var orderID: UUID
    /// filed, assigned, accept, depart, complete, confirm, reopen, cancel, escalated, rated, photo.
    @Field(key: "action") var action: String
    /// Nil for Linli itself (auto-assignment, escalation, auto-confirmation).
    @OptionalField(key: "actor_id") var actorID: UUID?
    @Field(key: "note") var note: String
    @Field(key: "at") var at: Date
    init() {}
}

/// A photo of a work order, kept in the database (checked type and size).
final class WorkOrderPhoto: Model, @unchecked Sendable {
    static let schema = "work_order_photos"
    @ID(key: .id) var id: UUID?
    @Field(key: "order_id") var orderID: UUID
    @Field(key: "content_type") var contentType: String
    @Field(key: "bytes") var bytes: Data
    /// A small JPEG made by the client (the browser's canvas, an app), shown in lists; nil: none sent.
    @OptionalField(key: "thumbnail") var thumbnail: Data?
    @Field(key: "uploaded_by") var uploadedBy: UUID
    @Field(key: "created_at") var createdAt: Date
    init() {}
}

/// Something residents asked for, searched for without a result, or ordered: with time and place, for
/// the analytics of what is wanted and not offered yet.
final class DemandSignal: Model, @unchecked Sendable {
    enum Kind: String, Codable, Sendable, CaseIterable {
        case request, searchMiss = "search_miss", order
    }

    static let schema = "demand_signals"
    @ID(key: .id) var id: UUID?
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "kind") var kind: Kind
    /// A category, a service, or the words searched.
    @Field(key: "subject") var subject: String
    @OptionalField(key: "household_id") var householdID: UUID?
    @OptionalField(key: "building_id") var buildingID: UUID?
    @Field(key: "at") var at: Date
    init() {}

    static func record(
        _ kind: Kind, _ subject: String, community: UUID, household: UUID?, building: UUID?, at: Date,
        on db: any Database
    ) async throws {
        let row = DemandSignal()
        row.communityID = community
        row.kind = kind
        row.subject = String(subject.prefix(200))
        row.householdID = household
        row.buildingID = building
        row.at = at
        try await row.create(on: db)
    }
}

extension WorkOrder: CommunityScoped {
    static var communityField: KeyPath<WorkOrder, FieldProperty<WorkOrder, UUID>> { \.$communityID }
}
