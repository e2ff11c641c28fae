import Fluent
import Foundation
import LinliCore
import Vapor

/// The alarms' figures, counted on the China day each call was raised: calls by kind, how many the
/// guards resolved as false alarms, and how fast a call was acknowledged.
enum AlarmFigures {
    static func register(_ app: Application) {
        app.operationsFigures.readsDays(by: IndexSQL.Migration("guard_calls_community_raised", on: GuardCall.schema, ["community_id", "raised_at"]))
        app.operationsFigures.addDaily("alarms") { community, day, db in
            let (start, end) = ActivityDay.window(day)
            var out: [String: Double] = [:]
            for call in try await GuardCall.query(on: db).filter(\.$communityID == community).filter(\.$raisedAt >= start)
                .filter(\.$raisedAt < end).all()
            {
                out["alarms.kind.\(call.kind.rawValue)", default: 0] += 1
                if call.outcome == .falseAlarm { out["alarms.false.\(call.kind.rawValue)", default: 0] += 1 }
                if let acknowledged = call.acknowledgedAt {
                    out["alarms.acknowledged", default: 0] += 1
                    out["alarms.ackSeconds", default: 0] += max(0, acknowledged.timeIntervalSince(call.raisedAt))
                }
            }
            return out
        }
        app.operationsFigures.add("alarms", order: 35, audience: { .viewAnalytics($0) }) { c in
            let kinds = GuardDesk.Kind.allCases.map(\.rawValue)
            let raised = kinds.map { c.int("alarms.kind.\($0)") }.reduce(0, +)
            let falseAlarms = kinds.map { c.int("alarms.false.\($0)") }.reduce(0, +)
            let acknowledged = c.sum("alarms.acknowledged")
            return .object([
                ("raised", .int(raised)), ("falseAlarms", .int(falseAlarms)),
                ("falseRate", .rate(raised == 0 ? nil : Double(falseAlarms) / Double(raised))),
                ("meanAckSeconds", .rate(acknowledged == 0 ? nil : (c.sum("alarms.ackSeconds") / acknowledged).rounded())),
                ("byKind", .object(kinds.map { ($0, .int(c.int("alarms.kind.\($0)"))) })),
                ("falseByKind", .object(kinds.map { ($0, .int(c.int("alarms.false.\($0)"))) })),
            ])
        }
    }
}
