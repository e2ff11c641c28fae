import Fluent
import Foundation
import LinliCore
import Vapor

/// The work orders' operations figures: each day's filings (by category, channel, hour), completions
/// (on time against the category's deadlines, a redo against its own), reopenings, ratings and per staff
/// member, counted by the roll-up job; and what is open and overdue now, by the list's own query.
enum WorkOrderFigures {
    static func register(_ app: Application) {
        app.operationsFigures.addDaily("work", count: count)
        app.operationsFigures.readsDays(by: IndexSQL.Migration("work_orders_community_created", on: WorkOrder.schema, ["community_id", "created_at"]))
        app.operationsFigures.readsDays(by: IndexSQL.Migration("work_orders_community_done", on: WorkOrder.schema, ["community_id", "done_at"]))
        app.operationsFigures.add("workOrders", order: 20, audience: { .viewAnalytics($0) }, compute: figures)
    }

    /// One China day of a community.
    @Sendable static func count(_ community: UUID, _ day: CivilDate, _ db: any Database) async throws -> [String: Double] {
        let start = Calendar.chinaStart(of: day)
        let end = start.addingTimeInterval(86_400)
        let filed = try await WorkOrder.query(on: db).filter(\.$communityID == community)
            .filter(\.$createdAt >= start).filter(\.$createdAt < end).all()
        let done = try await WorkOrder.query(on: db).filter(\.$communityID == community)
            .filter(\.$doneAt >= start).filter(\.$doneAt < end).all()
        var rows: [UUID: WorkOrder] = [:]
        for order in filed + done { if let id = order.id { rows[id] = order } }
        guard !rows.isEmpty else { return [:] }
        let events = try await WorkOrderEvent.query(on: db).filter(\.$orderID ~~ Array(rows.keys))
            .filter(\.$action ~~ ["accept", "complete", "reopen"]).sort(\.$at).all()
        let byOrder = Dictionary(grouping: events, by: \.orderID)
        let orders = rows.map { id, order -> WorkFigures.Order in
            let steps = byOrder[id] ?? []
            return WorkFigures.Order(
                category: order.category, channel: order.channel,
                openings: [order.createdAt] + steps.filter { $0.action == "reopen" }.map(\.at),
                completions: steps.filter { $0.action == "complete" }.map(\.at), accepted: steps.first { $0.action == "accept" }?.at,
                status: order.status, assignee: order.assigneeID, rating: order.rating)
        }
        let figures = WorkFigures.compute(orders, from: start, to: end, now: end)
        var out: [String: Double] = [
            "work.filed": Double(figures.filed), "work.done": Double(figures.done), "work.onTime": Double(figures.onTime),
            "work.respondedOnTime": Double(figures.respondedOnTime), "work.reopened": Double(figures.reopened),
            "work.ratings": Double(figures.ratings), "work.ratingSum": Double(figures.ratingSum),
        ]
        for (key, value) in figures.byCategory { out["work.category.\(key)"] = Double(value) }
        for (key, value) in figures.byChannel { out["work.channel.\(key)"] = Double(value) }
        for (hour, value) in figures.byHour.enumerated() where value > 0 { out["work.hour.\(hour)"] = Double(value) }
        for (weekday, value) in figures.byWeekday.enumerated() where value > 0 { out["work.weekday.\(weekday)"] = Double(value) }
        for (staff, value) in figures.perStaff {
            out["work.staff.\(staff).done"] = Double(value.done)
            out["work.staff.\(staff).onTime"] = Double(value.onTime)
        }
        return out
    }

    @Sendable static func figures(_ c: FigureContext) async throws -> JSONValue {
        let overdue = try await WorkOrderAPI.overdue(WorkOrder.query(on: c.db).filter(\.$communityID == c.community), now: c.now).count()
        func counts(_ prefix: String) -> JSONValue { .object(c.under(prefix).map { ($0.0, .int(Int($0.1.rounded()))) }) }
        var staff: [String: (done: Int, onTime: Int)] = [:]
        for (key, value) in c.under("work.staff") {
            let parts = key.split(separator: ".")
            guard parts.count == 2 else { continue }
            if parts[1] == "done" { staff[String(parts[0]), default: (0, 0)].done = Int(value) } else { staff[String(parts[0]), default: (0, 0)].onTime = Int(value) }
        }
        let ratings = c.int("work.ratings")
        return .object([
            ("filed", .int(c.int("work.filed"))), ("done", .int(c.int("work.done"))), ("onTime", .int(c.int("work.onTime"))),
            ("onTimeRate", .rate(FeeFigures.rate(Int64(c.int("work.onTime")), Int64(c.int("work.done"))))),
            ("respondedOnTimeRate", .rate(FeeFigures.rate(Int64(c.int("work.respondedOnTime")), Int64(c.int("work.filed"))))),
            ("reopened", .int(c.int("work.reopened"))), ("ratings", .int(ratings)),
            ("ratingMean", ratings > 0 ? .double((c.sum("work.ratingSum") / Double(ratings) * 100).rounded() / 100) : .null),
            ("overdueOpen", .int(overdue)),
            ("byCategory", counts("work.category")), ("byChannel", counts("work.channel")),
            ("byHour", .array((0..<24).map { .int(c.int("work.hour.\($0)")) })),
            ("byWeekday", .array((0..<7).map { .int(c.int("work.weekday.\($0)")) })),
            ("perStaff", .array(staff.sorted { $0.key < $1.key }.map { id, value in
                .object([("id", .string(id)), ("done", .int(value.done)), ("onTime", .int(value.onTime))])
            })),
        ])
    }
}
