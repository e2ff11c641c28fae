import Fluent
import Foundation
import LinliCore
import Vapor

/// The applications' figures for operators and community workers: received by kind (on the day received),
/// decided, approved and refused with the days to a decision and whether it came by its decision day (on
/// the day decided), and — as of now — how many are open and past their decision day (what the
/// escalation job escalates).
enum ApplicationFigures {
    static func register(_ app: Application) {
        app.operationsFigures.readsDays(by: IndexSQL.Migration("gov_applications_received", on: CivilApplication.schema, ["community_id", "received_on"]))
        app.operationsFigures.readsDays(by: IndexSQL.Migration("gov_applications_decided", on: CivilApplication.schema, ["community_id", "decided_on"]))
        app.operationsFigures.addDaily("applications") { community, day, db in
            let text = day.description
            var out: [String: Double] = [:]
            for row in try await CivilApplication.query(on: db).filter(\.$communityID == community).filter(\.$receivedOn == text).all() {
                out["applications.received", default: 0] += 1
                out["applications.kind.\(row.kind)", default: 0] += 1
            }
            for row in try await CivilApplication.query(on: db).filter(\.$communityID == community).filter(\.$decidedOn == text).all() {
                guard let received = CivilDate(row.receivedOn) else { continue }
                out["applications.decided", default: 0] += 1
                if row.status == .approved { out["applications.approved", default: 0] += 1 }
                if row.status == .refused { out["applications.refused", default: 0] += 1 }
                out["applications.decisionDays", default: 0] += Double(AnalyticsPeriod.dayNumber(day) - AnalyticsPeriod.dayNumber(received))
                if text <= row.decisionDueOn { out["applications.decidedOnTime", default: 0] += 1 }
            }
            return out
        }
        app.operationsFigures.add("applications", order: 48, audience: { .handleApplications($0) }) { c in
            let today = CivilApplications.today(c.now).description
            let open = try await CivilApplication.query(on: c.db).filter(\.$communityID == c.community)
                .filter(\.$status ~~ Applications.Status.allCases.filter(\.isOpen)).all(\.$decisionDueOn)
            let decided = c.sum("applications.decided")
            return .object([
                ("received", .int(c.int("applications.received"))),
                ("byKind", .object(c.under("applications.kind").map { ($0.0, .int(Int($0.1.rounded()))) })),
                ("decided", .int(Int(decided))), ("approved", .int(c.int("applications.approved"))),
                ("refused", .int(c.int("applications.refused"))),
                ("meanDaysToDecision", .rate(decided == 0 ? nil : (c.sum("applications.decisionDays") / decided * 10).rounded() / 10)),
                ("decidedOnTimeRate", .rate(decided == 0 ? nil : c.sum("applications.decidedOnTime") / decided)),
                ("openNow", .int(open.count)), ("overdueNow", .int(open.filter { $0 < today }.count)),
            ])
        }
    }
}
