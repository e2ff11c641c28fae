import Fluent
import Foundation
import LinliCore
import SQLKit
import Vapor

/// Applications and their clocks: created by a worker (at the office, on someone's behalf, or a paper
/// application received earlier) or by the resident online; each step a conditional write on the status
/// with its record and a note to the applicant; an overdue application escalated to the community's head.
enum CivilApplications {
    /// The community's working days: the built-in table with the lines its operators added.
    static func calendar(_ community: UUID, on db: any Database) async throws -> WorkingCalendar {
        let lines = try await CalendarLine.query(on: db).filter(\.$communityID == community).sort(\.$createdAt).all(\.$line)
        guard !lines.isEmpty else { return .china2026 }
        return WorkingCalendar.china2026.merging((try? WorkingCalendar.parse(lines.joined(separator: "\n"))) ?? WorkingCalendar())
    }

    static func today(_ now: Date) -> CivilDate { CivilDate(Calendar.chinaDate(now)) ?? CivilDate(year: 2026, month: 1, day: 1)! }

    struct New: Sendable {
        let kind: String
        let person: UUID
        let household: UUID
        let receivedOn: CivilDate?
        let channel: String
        let by: UUID
    }

    static func create(_ new: New, community: UUID, now: Date, today: String, on db: any Database) async throws -> CivilApplication {
        guard try await ApplicationKinds.kind(new.kind, community: community, on: db) != nil else {
            throw LinliError.invalid("kind", "invalid_value")
        }
        let day = Self.today(now)
        let received = new.receivedOn ?? day
        if received > day { throw LinliError.invalid("receivedAt", "in_the_future") }
        if received.dayNumber < day.dayNumber - 366 { throw LinliError.invalid("receivedAt", "out_of_range") }
        let lives = try await Membership.query(on: db).filter(\.$personID == new.person).filter(\.$householdID == new.household)
            .filter(\.$communityID == community).all().contains { $0.isCurrent(on: today) }
        guard lives else { throw LinliError(.notFound) }
        let clock = ApplicationClock(calendar: try await calendar(community, on: db))
        let row = CivilApplication()
        row.communityID = community
        row.householdID = new.household
        row.personID = new.person
        row.kind = new.kind
        row.status = .received
        row.channel = new.channel
        row.receivedOn = received.description
        row.decisionDueOn = clock.decisionDue(acceptedOn: received, extended: false).description
        row.createdBy = new.by
        row.createdAt = now
        try await db.writeTransaction { tx in
            try await row.create(on: tx)
            try await record(row, "receive", note: new.channel, visitors: [], by: new.by, now: now, on: tx)
            try await Notifier.send("gov.note.received", .applications, to: .person(new.person), community: community, now: now, on: tx)
        }
        return row
    }

    static func record(_ row: CivilApplication, _ step: String, note: String, visitors: [UUID], by: UUID, now: Date, on db: any Database) async throws {
        let record = ApplicationStep()
        record.applicationID = try row.requireID()
        record.communityID = row.communityID
        record.step = step
        record.note = note
        record.visitors = visitors.map(\.uuidString).joined(separator: ",")
        record.by = by
        record.at = now
        try await record.create(on: db)
    }

    /// Takes a step: checks it follows (``Applications/next``), then moves the status by a conditional
    /// write from the status it was read in, with the step's record and a note to the applicant — so the
    /// same step sent twice at once is taken once (the other 409).
    static func take(
        _ row: CivilApplication, _ input: StepInput, by: UUID, now: Date, board: NoticePosting? = nil, on db: any Database
    ) async throws {
        guard let kind = try await ApplicationKinds.kind(row.kind, community: row.communityID, on: db) else { throw LinliError(.unavailable) }
        let today = Self.today(now)
        let publicityEnded = row.publicityEnd.flatMap(CivilDate.init).map { $0 < today } ?? false
        let next: Applications.Status
        switch Applications.next(row.status, input.step, kind: kind, publicityEnded: publicityEnded, refusalNotified: row.notifiedOn != nil) {
        case .success(let status): next = status
        case .failure(let refusal): throw LinliError(.conflict, issues: [FieldIssue(field: "step", reason: refusal.rawValue)])
        }
        var v = Validation()
        let note = v.text(input.note?.nilIfEmpty, "note", max: 2000, required: false, multiline: true) ?? ""
        let visitors = Array(Set(input.visitors ?? []))
        switch input.step {
        case .incomplete:
            let missing = Set(input.missing ?? [])
            if missing.isEmpty || !missing.isSubset(of: kind.materials) { v.fail("missing", "invalid_value") }
        case .investigate: if visitors.count < 2 { v.fail("visitors", "two_visitors") }
        case .refuse: if (input.reasons ?? "").trimmingCharacters(in: .whitespaces).isEmpty { v.fail("reasons", "missing_value") }
        case .review:
            v.range(input.familySize, "familySize", 1...20)
            v.range(input.amountFen, "amountFen", 0...10_000_000)
            if input.familySize == nil { v.fail("familySize", "missing_value") }
        case .approve, .recheck: v.range(input.recheckMonths, "recheckMonths", 1...24)
        default: break
        }
        _ = v.text(input.reasons?.nilIfEmpty, "reasons", max: 2000, required: false, multiline: true)
        try v.check()
        if input.step == .investigate {
            let staff = try await StaffAssignment.query(on: db).filter(\.$communityID == row.communityID).filter(\.$personID ~~ visitors).all(\.$personID)
            guard Set(staff) == Set(visitors) else { throw LinliError.invalid("visitors", "not_staff") }
        }
        let clock = ApplicationClock(calendar: try await calendar(row.communityID, on: db))
        let id = try row.requireID()
        try await db.writeTransaction { tx in
            var update: (SQLUpdateBuilder) -> SQLUpdateBuilder = {
                $0.set("status", to: next.rawValue).where("id", .equal, id).where("status", .equal, row.status.rawValue)
            }
            let base = update
            switch input.step {
            case .incomplete:
                update = { base($0).set("missing", to: Array(Set(input.missing ?? [])).sorted().joined(separator: ",")) }
            case .accept: update = { base($0).set("missing", to: "") }
            case .helpFirst: update = { base($0).set("helped_first", to: true) }
            case .review: update = { base($0).set("family_size", to: input.familySize).set("amount_fen", to: input.amountFen) }
            case .publicize:
                update = { base($0).set("publicity_start", to: today.description).set("publicity_end", to: clock.publicityEnds(start: today).description) }
            case .approve:
                let recheck = kind.recheckMonths.flatMap { today.adding(months: input.recheckMonths ?? $0)?.description }
                update = { base($0).set("decided_on", to: today.description).set("decided_by", to: by).set("recheck_due_on", to: recheck) }
            case .recheck:
                // The re-check found the household still eligible: the next one is due a period later.
                let next = today.adding(months: input.recheckMonths ?? kind.recheckMonths ?? 12)?.description
                update = { base($0).set("recheck_due_on", to: next).where("recheck_due_on", .equal, row.recheckDueOn) }
            case .refuse:
                update = {
                    base($0).set("decided_on", to: today.description).set("decided_by", to: by).set("reasons", to: input.reasons)
                        .set("refusal_notice_due_on", to: clock.refusalNoticeDue(decidedOn: today).description)
                }
            case .notify: update = { base($0).set("notified_on", to: today.description).where("notified_on", .is, SQLLiteral.null) }
            default: break
            }
            guard try await tx.conditionalUpdate(CivilApplication.schema, update) == 1 else {
                throw LinliError(.conflict, issues: [FieldIssue(field: "step", reason: "wrong_step")])
            }
            try await record(row, input.step.rawValue, note: note, visitors: visitors, by: by, now: now, on: tx)
            if input.step == .publicize, let board {
                try await board.post(try await publicity(row, kind: kind, start: today, clock: clock, by: by, now: now, on: tx), on: tx)
            }
            try await Notifier.send("gov.note.\(input.step.rawValue)", .applications, to: .person(row.personID), community: row.communityID, now: now, on: tx)
        }
    }

    /// The publicity notice (公示) on the community's board for its seven days: the name, the family size
    /// and the proposed amount, nothing more (no id number, phone or room).
    static func publicity(
        _ row: CivilApplication, kind: Applications.Kind, start: CivilDate, clock: ApplicationClock, by: UUID, now: Date, on db: any Database
    ) async throws -> PostedNotice {
        let fresh = try await CivilApplication.find(row.id, on: db) ?? row
        let name = try await Person.find(row.personID, on: db)?.name ?? ""
        let end = clock.publicityEnds(start: start)
        let after = end.adding(days: 1) ?? end
        let until = Calendar.china.date(from: DateComponents(year: after.year, month: after.month, day: after.day)) ?? now.addingTimeInterval(7 * 86_400)
        let kindName = kind.name ?? L10n.text("gov.kind.\(kind.code)", .zhCN, [:])
        let amount = fresh.amountFen.map { MoneyText.yuan(Int64($0)) } ?? "—"
        return PostedNotice(
            community: row.communityID, title: L10n.text("gov.publicity.title", .zhCN, ["name": name, "kind": kindName]),
            body: L10n.text("gov.publicity.body", .zhCN, ["size": fresh.familySize.map(String.init) ?? "—", "amount": amount, "until": end.description]),
            from: now, until: until, by: by)
    }

    /// Extends the decision's clock to 45 working days, once, with the recorded reason.
    static func extend(_ row: CivilApplication, reason: String, by: UUID, now: Date, on db: any Database) async throws {
        var v = Validation()
        let reason = v.text(reason, "reason", max: 2000, multiline: true) ?? ""
        try v.check()
        guard row.status.isOpen, let received = CivilDate(row.receivedOn) else {
            throw LinliError(.conflict, issues: [FieldIssue(field: "reason", reason: "wrong_step")])
        }
        let due = ApplicationClock(calendar: try await calendar(row.communityID, on: db)).decisionDue(acceptedOn: received, extended: true)
        try await db.writeTransaction { tx in
            let changed = try await tx.conditionalUpdate(CivilApplication.schema) {
                $0.set("extension_reason", to: reason).set("decision_due_on", to: due.description).set("escalated", to: false)
                    .where("id", .equal, row.id).where("extension_reason", .is, SQLLiteral.null)
            }
            guard changed == 1 else { throw LinliError(.conflict, issues: [FieldIssue(field: "reason", reason: "already_extended")]) }
            try await record(row, "extend", note: reason, visitors: [], by: by, now: now, on: tx)
        }
    }

    static let job = "applications.escalate"

    /// Approved applications whose re-check is due within 30 days: the applicant is told and a worker gets
    /// the re-check as a task, once for each due day.
    static func remindRechecks(now: Date, app: Application) async throws {
        let today = Self.today(now)
        guard let horizon = today.adding(days: 30)?.description else { return }
        let due = try await CivilApplication.query(on: app.db).filter(\.$status == .approved).filter(\.$recheckDueOn != nil)
            .filter(\.$recheckDueOn <= horizon).all()
        for row in due where row.recheckReminded != row.recheckDueOn {
            guard let day = row.recheckDueOn else { continue }
            try await app.db.writeTransaction { tx in
                let claimed = try await tx.conditionalUpdate(CivilApplication.schema) {
                    $0.set("recheck_reminded", to: day).where("id", .equal, row.id).where("recheck_due_on", .equal, day)
                        .where(group: { $0.where("recheck_reminded", .is, SQLLiteral.null).orWhere("recheck_reminded", .notEqual, day) })
                }
                guard claimed == 1 else { return }
                try await Notifier.send("gov.note.recheckDue", .applications, to: .person(row.personID), community: row.communityID, now: now, on: tx)
                _ = try await StaffTasks.open("gov.task.recheck", .init(role: .communityWorker), community: row.communityID, now: now, on: tx)
            }
        }
    }

    /// Open applications past their decision day go to the community's head (an operator's task), once.
    static func escalate(now: Date, app: Application) async throws {
        try await remindRechecks(now: now, app: app)
        let today = Self.today(now).description
        let overdue = try await CivilApplication.query(on: app.db).filter(\.$decisionDueOn < today).filter(\.$escalated == false)
            .filter(\.$status ~~ Applications.Status.allCases.filter(\.isOpen)).all()
        for row in overdue {
            try await app.db.writeTransaction { tx in
                let claimed = try await tx.conditionalUpdate(CivilApplication.schema) {
                    $0.set("escalated", to: true).where("id", .equal, row.id).where("escalated", .equal, false)
                }
                guard claimed == 1 else { return }
                _ = try await StaffTasks.open("gov.task.overdue", .init(role: .operator_), community: row.communityID, now: now, on: tx)
            }
        }
    }
}
