import Fluent
import Foundation
import LinliCore
import Vapor

/// The care watch's figures for operators and community workers, counted on the China day a check
/// opened: checks by reason, how far each went (answered at the reminder or by the family, or a worker's
/// visit) and its outcome, and the minutes to close it; and, as of now, who is watched and the checks
/// still open.
enum CareFigures {
    static func register(_ app: Application) {
        app.operationsFigures.readsDays(by: IndexSQL.Migration("care_checks_community_opened", on: CareCheck.schema, ["community_id", "opened_at"]))
        app.operationsFigures.addDaily("care") { community, day, db in
            let (start, end) = ActivityDay.window(day)
            var out: [String: Double] = [:]
            for check in try await CareCheck.query(on: db).filter(\.$communityID == community).filter(\.$openedAt >= start)
                .filter(\.$openedAt < end).all()
            {
                out["care.checks", default: 0] += 1
                out["care.reason.\(check.reason.rawValue)", default: 0] += 1
                if check.workerAt != nil { out["care.workerVisits", default: 0] += 1 }
                if let outcome = check.outcome { out["care.outcome.\(outcome)", default: 0] += 1 }
                if let closed = check.closedAt {
                    out["care.closed", default: 0] += 1
                    out["care.closeMinutes", default: 0] += max(0, closed.timeIntervalSince(check.openedAt)) / 60
                }
            }
            return out
        }
        app.operationsFigures.add("care", order: 55, audience: { .keepCareWatch($0) }) { c in
            let watched = try await CareWatch.query(on: c.db).filter(\.$communityID == c.community).filter(\.$active == true).count()
            let open = try await CareCheck.query(on: c.db).filter(\.$communityID == c.community).filter(\.$step !~ [.visited, .acknowledged]).count()
            let closed = c.sum("care.closed")
            return .object([
                ("watched", .int(watched)), ("checks", .int(c.int("care.checks"))),
                ("byReason", .object(WelfareWatch.Reason.allCases.map { ($0.rawValue, .int(c.int("care.reason.\($0.rawValue)"))) })),
                ("workerVisits", .int(c.int("care.workerVisits"))),
                ("byOutcome", .object(VisitOutcome.allCases.map { ($0.rawValue, .int(c.int("care.outcome.\($0.rawValue)"))) })),
                ("meanMinutesToClose", .rate(closed == 0 ? nil : (c.sum("care.closeMinutes") / closed).rounded())),
                ("openNow", .int(open)),
            ])
        }
    }
}
