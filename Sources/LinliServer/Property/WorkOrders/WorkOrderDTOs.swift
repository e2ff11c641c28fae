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

extension WorkOrderService {
    /// Reads for a page of orders (names of homes and assignees in two queries).
    static func reads(_ orders: [WorkOrder], now: Date, detail: Bool = false, on db: any Database) async throws
        -> [WorkOrderRead]
    {
        // Each home with its building in one query: "1栋 101".
        let homeIDs = Array(Set(orders.map(\.householdID)))
        var homes: [UUID: String] = [:]
        if !homeIDs.isEmpty {
            for home in try await Household.query(on: db).join(Building.self, on: \Household.$buildingID == \Building.$id)
                .filter(\.$id ~~ homeIDs).all()
            {
                if let id = home.id { homes[id] = "\((try? home.joined(Building.self).name) ?? "") \(home.room)" }
            }
        }
        var events: [UUID: [WorkOrderEvent]] = [:]
        var photos: [UUID: [UUID]] = [:]
        if detail {
            let ids = orders.compactMap(\.id)
            for e in try await WorkOrderEvent.query(on: db).filter(\.$orderID ~~ ids).sort(\.$at).all() {
                events[e.orderID, default: []].append(e)
            }
            for p in try await WorkOrderPhoto.query(on: db).filter(\.$orderID ~~ ids).sort(\.$createdAt)
                .field(\.$id).field(\.$orderID).field(\.$createdAt).all()
            {
                if let id = p.id { photos[p.orderID, default: []].append(id) }
            }
        }
        let mentioned = events.values.flatMap { list in
            list.compactMap(\.actorID)
                + list.filter { $0.action == "assigned" }.compactMap { UUID(uuidString: $0.note) }
        }
        let people = try await Person.byID(orders.compactMap(\.assigneeID) + mentioned, on: db)
        return try orders.map { o in
            WorkOrderRead(
                id: try o.requireID(), communityID: o.communityID, householdID: o.householdID,
                home: homes[o.householdID] ?? " ",
                channel: o.channel, category: o.category, description: o.description, place: o.place,
                preferredTime: o.preferredTime, status: o.status, assigneeID: o.assigneeID,
                assignee: o.assigneeID.flatMap { people[$0]?.name }, respondBy: o.respondBy, completeBy: o.completeBy,
                overdue: WorkOrderRules.overdue(o.status, respondBy: o.respondBy, completeBy: o.completeBy, now: now),
                escalated: o.escalatedAt != nil, rating: o.rating, ratingComment: o.ratingComment,
                createdAt: o.createdAt, updatedAt: o.updatedAt,
                timeline: detail
                    ? (events[try o.requireID()] ?? []).map { e in
                        WorkEventRead(
                            action: e.action, actor: e.actorID.flatMap { people[$0]?.name } ?? "Linli",
                            note: e.action == "assigned"
                                ? (UUID(uuidString: e.note).flatMap { people[$0]?.name } ?? "") : e.note,
                            at: e.at)
                    } : nil,
                photos: detail ? photos[try o.requireID()] ?? [] : nil)
        }
    }
}
