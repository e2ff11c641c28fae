import Fluent
import Foundation
import LinliCore
import SQLKit
import Vapor

/// Reminders of unpaid bills to the household: three days before the due day, then the day after it,
/// 15 and 30 days after. Each stage is sent once per bill (a row unique per bill and stage, written in
/// the transaction of its notification); a server that was down sends only the latest stage reached,
/// not every one it missed.
enum Reminders {
    static let job = "bills.remind"

    enum Stage: String, CaseIterable {
        case dueSoon = "due_soon"
        case overdue1 = "overdue_1"
        case overdue15 = "overdue_15"
        case overdue30 = "overdue_30"

        /// Days after the due day from which the stage applies (−3: three days before it).
        var from: Int {
            switch self {
            case .dueSoon: -3
            case .overdue1: 1
            case .overdue15: 15
            case .overdue30: 30
            }
        }

        /// The latest stage reached `daysAfterDue` days after the due day.
        static func reached(_ daysAfterDue: Int) -> Stage? { allCases.last { daysAfterDue >= $0.from } }
    }

    /// Days after the last stage in which a bill is still looked at: a server down for less than this
    /// still sends the last stage it missed; a bill older than that has had its reminders.
    static let lateness = 7

    /// Sends what is due now; answers how many reminders went out. Only bills whose due day lies between
    /// three days from now and the last stage's day plus ``lateness`` are read (by the due-day index):
    /// the work follows the bills near their due day, not every unpaid bill there ever was.
    @discardableResult
    static func run(now: Date, app: Application) async throws -> Int {
        let db = app.db
        guard let today = CivilDate(Calendar.chinaDate(now)) else { return 0 }
        let todayNumber = CivilDays.days(year: today.year, month: today.month, day: today.day)
        func day(_ number: Int) -> String {
            let (year, month, day) = CivilDays.civil(fromDays: number)
            return CivilDate(year: year, month: month, day: day)?.description ?? ""
        }
        let unpaid = try await Bill.query(on: db).filter(\.$dueOn >= day(todayNumber - Stage.overdue30.from - lateness))
            .filter(\.$dueOn <= day(todayNumber - Stage.dueSoon.from)).filter(\.$status != .paid).all()
        let sent = Set(
            try await BillReminder.query(on: db).filter(\.$billID ~~ unpaid.compactMap(\.id)).all()
                .map { "\($0.billID):\($0.stage)" })
        var count = 0
        var communities: Set<UUID> = []
        for bill in unpaid {
            guard let id = bill.id, let due = CivilDate(bill.dueOn),
                let stage = Stage.reached(todayNumber - CivilDays.days(year: due.year, month: due.month, day: due.day)),
                !sent.contains("\(id):\(stage.rawValue)")
            else { continue }
            let told = try await db.writeTransaction { tx -> Bool in
                guard let sql = tx as? any SQLDatabase else { return false }
                let inserted = try await sql.insert(into: BillReminder.schema).columns("id", "bill_id", "stage", "sent_at")
                    .values(SQLBind(UUID()), SQLBind(id), SQLBind(stage.rawValue), SQLBind(now))
                    .ignoringConflicts(with: ["bill_id", "stage"]).returning("id").all()
                guard !inserted.isEmpty else { return false }
                try await Notifier.send(
                    "bill.note.\(stage.rawValue)", .bills, to: .household(bill.householdID), community: bill.communityID,
                    now: now, on: tx)
                return true
            }
            if told {
                count += 1
                communities.insert(bill.communityID)
            }
        }
        for community in communities { app.events.publish(NotificationsChanged(community: community)) }
        return count
    }
}
