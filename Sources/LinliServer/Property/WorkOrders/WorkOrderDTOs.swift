import Fluent
import Foundation
import LinliCore
import Vapor

struct WorkOrderInput: Content {
    let householdID: UUID
    let category: WorkCategory
    let description: String
    let place: String?
    let preferredTime: String?
}

struct WorkActionInput: Content {
    let action: WorkAction
    let note: String?
}

struct WorkAssignInput: Content {
    let assigneeID: UUID
}

struct WorkRatingInput: Content {
    let stars: Int
    let comment: String?
}

struct WorkEventRead: Content, Equatable {
    let action: String
    let actor: String
    let note: String
    let at: Date
}

struct WorkOrderRead: Content, Equatable {
    let id: UUID
    let communityID: UUID
    let householdID: UUID
    let home: String
    let channel: String
    let category: WorkCategory
    let description: String
    let place: String
    let preferredTime: String?
    let status: WorkStatus
    let assigneeID: UUID?
    let assignee: String?
    let respondBy: Date
    let completeBy: Date
    /// `response` or `completion` while the order is late.
    let overdue: WorkOrderRules.Overdue?
    let escalated: Bool
    let rating: Int?
    let ratingComment: String?
    let createdAt: Date
    let updatedAt: Date
    /// Only in the single-order answer.
    let timeline: [WorkEventRead]?
    let photos: [UUID]?
}
