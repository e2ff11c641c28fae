import Fluent
import Foundation
import LinliCore
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// The care watch on the server: signs of life from the home's devices (an observer of the hub), the job
/// that asks `WelfareWatch` about each watched person when their time comes and climbs the open checks'
/// ladder, check-ins and visits. Each step is a conditional write with its notification, so a restart
/// or a second server changes nothing: the job finds the same rows where they were.
enum CareWatchService {
    /// Looks at the watches whose time came, then moves on the checks whose next step is due.
    static func run(now: Date, app: Application) async throws {
        let due = try await CareWatch.query(on: app.db).filter(\.$active == true).filter(\.$nextLookAt <= now)
            .limit(500).all()
        for watch in due {
            do { try await look(watch, now: now, app: app) } catch { app.logger.report(error: error) }
        }
        try await climb(now: now, app: app)
    }

    /// What the person's silence means now: nothing yet (look again when it would), held back (away), or
    /// a check opened (unless one is open already).
    static func look(_ watch: CareWatch, now: Date, app: Application) async throws {
        let seen = try await app.activity.lastSeen(watch.personID, on: app.db)
        let last = [watch.lastSignAt, seen?.at].compactMap { $0 }.max()
        var away = false
        if let home = watch.householdID { away = try await app.activity.isAway(home, on: app.db) }
        // Out by the gate, and nothing at home has stirred since: not missing, just out.
        var out = false
        if !away, let left = try await app.activity.wentOut(watch.personID, on: app.db) {
            out = left >= (watch.lastSignAt ?? .distantPast)
        }
        let verdict = WelfareWatch.verdict(
            watch.rule,
            .init(
                lastSignOfLife: last, lastCheckIn: watch.lastCheckInAt, watchedSince: watch.watchedSince,
                suppression: away ? .armedAway : out ? .outByGate : nil), now: now, calendar: .china)
        let id = try watch.requireID()
        var next = now.addingTimeInterval(300)
        var suppression: String?
        var opened: (WelfareWatch.Reason, Date)?
        switch verdict {
        case .fine(let until): next = max(until, now.addingTimeInterval(1))
        case .suppressed(let why, _): suppression = why.rawValue
        case .check(let reason, let since): opened = (reason, since)
        }
        let nextLook = next
        let held = suppression
        let opening = opened
        let made: Bool = try await app.db.writeTransaction { db in
            let changed = try await db.conditionalUpdate(CareWatch.schema) {
                $0.set("next_look_at", to: nextLook).set("updated_at", to: now)
                    .set("last_suppression", to: held.map { SQLBind($0) as any SQLExpression } ?? SQLLiteral.null)
                    .where("id", .equal, id).where("next_look_at", .lessThanOrEqual, now)
            }
            guard changed == 1, let (reason, since) = opening else { return false }
            let open = try await CareCheck.query(on: db).filter(\.$watchID == id)
                .filter(\.$step ~~ [.reminder, .family, .worker]).count()
            // One open check at a time, and never a second for the same silence or the same missed deadline.
            let answered = try await CareCheck.query(on: db).filter(\.$watchID == id).filter(\.$reason == reason)
                .filter(\.$since >= since).count()
            guard open == 0, answered == 0 else { return false }
            let check = CareCheck()
            check.communityID = watch.communityID
            check.watchID = id
            check.personID = watch.personID
            check.householdID = watch.householdID
            check.reason = reason
            check.since = since
            check.openedAt = now
            check.step = .reminder
            check.nextStepAt = WelfareWatch.next(after: .reminder, openedAt: now)?.due
            try await check.create(on: db)
            try await tell(person: watch.personID, community: watch.communityID, "care.note.reminder", now: now, on: db)
            return true
        }
        if made { announce(watch.communityID, app) }
    }

    /// The open checks whose next step is due: the family is told, then the community worker.
    static func climb(now: Date, app: Application) async throws {
        let due = try await CareCheck.query(on: app.db).filter(\.$step ~~ [.reminder, .family])
            .filter(\.$nextStepAt <= now).all()
        for check in due {
            guard let (step, _) = WelfareWatch.next(after: check.step, openedAt: check.openedAt), let id = check.id
            else { continue }
            let from = check.step
            let following = WelfareWatch.next(after: step, openedAt: check.openedAt)?.due
            let moved: Bool = try await app.db.writeTransaction { db in
                let changed = try await db.conditionalUpdate(CareCheck.schema) {
                    $0.set("step", to: step.rawValue)
                        .set(step == .family ? "family_at" : "worker_at", to: now)
                        .set(
                            "next_step_at",
                            to: following.map { SQLBind($0) as any SQLExpression } ?? SQLLiteral.null)
                        .where("id", .equal, id).where("step", .equal, from.rawValue)
                }
                guard changed == 1 else { return false }
                if step == .family {
                    if let home = check.householdID, let household = try await Household.find(home, on: db) {
                        try await EmergencyContacts.tell(household, "care.note.family", .care, now: now, on: db)
                    }
                } else {
                    try await Notifier.send(
                        "care.note.worker", .care, to: .role(.communityWorker), community: check.communityID, now: now,
                        on: db)
                }
                return true
            }
            if moved { announce(check.communityID, app) }
        }
    }

    /// 我很好: the person answers (the app, the TV, the home's call button), or a family member for them,
    /// or the worker logs a call with them. The person's own answer and a logged call count as the day's
    /// check-in (`counts`); every answer closes their open checks as acknowledged.
    static func checkIn(person: UUID, by who: UUID, counts: Bool? = nil, now: Date, app: Application) async throws
        -> Int
    {
        let watches = try await CareWatch.query(on: app.db).filter(\.$personID == person).filter(\.$active == true).all()
        guard !watches.isEmpty else { throw LinliError(.notFound) }
        let closed: Int = try await app.db.writeTransaction { db in
            if counts ?? (who == person) {
                try await CareWatch.query(on: db).filter(\.$personID == person)
                    .set(\.$lastCheckInAt, to: now).set(\.$updatedAt, to: now).update()
            }
            return try await db.conditionalUpdate(CareCheck.schema) {
                $0.set("step", to: WelfareWatch.Step.acknowledged.rawValue).set("closed_at", to: now)
                    .set("closed_by", to: who).set("outcome", to: VisitOutcome.fine.rawValue)
                    .set("next_step_at", to: SQLLiteral.null)
                    .where("person_id", .equal, person)
                    .where("step", .in, [WelfareWatch.Step.reminder, .family, .worker].map(\.rawValue))
            }
        }
        // The watch looks again at once: the check-in moves its deadline.
        for watch in watches { watch.nextLookAt = now }
        try await CareWatch.query(on: app.db).filter(\.$personID == person).set(\.$nextLookAt, to: now).update()
        for community in Set(watches.map(\.communityID)) { announce(community, app) }
        return closed
    }

    /// The worker's visit ends the check with what they found.
    static func visit(_ check: CareCheck, outcome: String?, note: String?, by who: UUID, app: Application) async throws {
        var v = Validation()
        let result = outcome.flatMap(VisitOutcome.init(rawValue:))
        if outcome == nil { v.fail("outcome", "missing_value") } else if result == nil { v.fail("outcome", "invalid_value") }
        let text = v.text(note?.nilIfEmpty, "note", max: 500, required: false)
        try v.check()
        let now = app.clock.now()
        let id = try check.requireID()
        let changed = try await app.db.writeTransaction { db in
            try await db.conditionalUpdate(CareCheck.schema) {
                $0.set("step", to: WelfareWatch.Step.visited.rawValue).set("closed_at", to: now)
                    .set("closed_by", to: who).set("outcome", to: result?.rawValue)
                    .set("note", to: text.map { SQLBind($0) as any SQLExpression } ?? SQLLiteral.null)
                    .set("next_step_at", to: SQLLiteral.null)
                    .where("id", .equal, id)
                    .where("step", .in, [WelfareWatch.Step.reminder, .family, .worker].map(\.rawValue))
            }
        }
        guard changed == 1 else { throw LinliError(.conflict, issues: [FieldIssue(field: "step", reason: "check_closed")]) }
        announce(check.communityID, app)
    }

    static func tell(person: UUID, community: UUID, _ title: String, now: Date, on db: any Database) async throws {
        try await Notifier.send(title, .care, to: .person(person), community: community, now: now, on: db)
    }

    static func announce(_ community: UUID, _ app: Application) {
        app.events.publish(CareChanged(community: community))
        app.events.publish(NotificationsChanged(community: community))
    }
}

/// Signs of life from the watched homes' devices, after the readings are stored. The set of watched homes
/// is kept in memory (loaded again on `CareChanged` and every minute), so the readings of every other
/// home cost nothing; a home's sign is written at most once a minute.
final class CareObserver: TelemetryObserver, Sendable {
    private struct State {
        var watched: Set<UUID> = []
        var loadedAt: Date = .distantPast
        var written: [UUID: Date] = [:]
        var signs = LifeSigns()
    }

    private let app: Application
    private let state = NIOLockedValueBox(State())

    init(app: Application) { self.app = app }

    func forget() { state.withLockedValue { $0.loadedAt = .distantPast } }

    func observe(_ batches: [TelemetryBatch], now: Date) async throws {
        if state.withLockedValue({ now.timeIntervalSince($0.loadedAt) > 60 }) {
            let homes = try await CareWatch.query(on: app.db).filter(\.$active == true).all(\.$householdID)
            state.withLockedValue {
                $0.watched = Set(homes.compactMap { $0 })
                $0.loadedAt = now
            }
        }
        var signs: [UUID: String] = [:]
        state.withLockedValue { s in
            for batch in batches {
                guard let home = batch.device.facts.householdID, s.watched.contains(home) else { continue }
                guard s.signs.isSign(device: batch.device.id, type: batch.device.type, batch.readings) else { continue }
                if let last = s.written[home], now.timeIntervalSince(last) < 60 { continue }
                s.written[home] = now
                signs[home] = batch.device.type
            }
        }
        for (home, kind) in signs {
            try await CareWatch.query(on: app.db).filter(\.$householdID == home).filter(\.$active == true)
                .set(\.$lastSignAt, to: now).set(\.$lastSignKind, to: kind).update()
        }
        // The call button's 我很好 key: the check-in of whoever is watched in that home.
        for batch in batches where batch.device.type == "emergency_button" && !batch.device.disabled
            && batch.readings.contains(where: { $0.key == "fine" && $0.value == .bool(true) })
        {
            guard let home = batch.device.facts.householdID else { continue }
            let watched = try await CareWatch.query(on: app.db).filter(\.$householdID == home)
                .filter(\.$active == true).all(\.$personID)
            for person in Set(watched) {
                _ = try await CareWatchService.checkIn(person: person, by: person, now: now, app: app)
            }
        }
    }
}
