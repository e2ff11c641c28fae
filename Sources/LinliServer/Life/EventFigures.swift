import Fluent
import Foundation
import LinliCore
import Vapor

/// The events' part of the demand figures: sign-ups on the day they were made (and how many were later
/// cancelled), and for the events held on a day (not cancelled) the confirmed sign-ups, who came (checked
/// in at the door) and who did not.
enum EventFigures {
    static func register(_ app: Application) {
        app.operationsFigures.readsDays(by: IndexSQL.Migration("life_registrations_community_signed", on: Registration.schema, ["community_id", "signed_up_at"]))
        app.operationsFigures.addDaily("events") { community, day, db in
            let (start, end) = ActivityDay.window(day)
            var out: [String: Double] = [:]
            for row in try await Registration.query(on: db).filter(\.$communityID == community).filter(\.$signedUpAt >= start)
                .filter(\.$signedUpAt < end).all()
            {
                out["events.signups", default: 0] += 1
                if row.status == .cancelled { out["events.signupsCancelled", default: 0] += 1 }
            }
            let held = try await LifeEvent.query(on: db).filter(\.$communityID == community).filter(\.$startsAt >= start)
                .filter(\.$startsAt < end).filter(\.$cancelledAt == nil).all(\.$id)
            guard !held.isEmpty else { return out }
            out["events.held"] = Double(held.count)
            for row in try await Registration.query(on: db).filter(\.$eventID ~~ held).filter(\.$status == .confirmed).all() {
                out["events.confirmed", default: 0] += 1
                if row.checkedInAt != nil { out["events.attended", default: 0] += 1 }
                if row.noShow { out["events.noShows", default: 0] += 1 }
            }
            return out
        }
        app.operationsFigures.add("events", order: 46, audience: { .viewAnalytics($0) }) { c in
            let confirmed = c.sum("events.confirmed")
            return .object([
                ("held", .int(c.int("events.held"))), ("signups", .int(c.int("events.signups"))),
                ("signupsCancelled", .int(c.int("events.signupsCancelled"))), ("confirmed", .int(Int(confirmed))),
                ("attended", .int(c.int("events.attended"))), ("noShows", .int(c.int("events.noShows"))),
                ("attendanceRate", .rate(confirmed == 0 ? nil : c.sum("events.attended") / confirmed)),
            ])
        }
    }
}
