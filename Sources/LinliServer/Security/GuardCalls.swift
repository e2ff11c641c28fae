import Fluent
import Foundation
import LinliCore
import SQLKit
import Vapor

/// The guard desk on the server: a call's steps (each a conditional write on its step, with its history
/// line and the household's notification), escalation of calls nobody acknowledged, the panels' timers,
/// and the reads the console and the API share.
enum GuardCalls {
    /// One-off jobs at a panel's due time and at a call's escalation times, so a timer fires when the job
    /// worker next looks (4 times a second) instead of at the next sweep.
    static let dueJob = "security.due"
    static let escalationJob = "security.escalate"

    /// Takes the step `to` on the call: only one forward (or resolving), and of parallel presses one.
    static func act(
        _ call: GuardCall, _ to: GuardDesk.Step, _ input: GuardStepInput, by person: UUID, app: Application
    ) async throws {
        let from = call.step
        guard GuardDesk.allows(from, to) else {
            throw LinliError(.conflict, issues: [FieldIssue(field: "step", reason: "wrong_step")])
        }
        let now = app.clock.now()
        let id = try call.requireID()
        var outcome: GuardDesk.Outcome?
        var note: String?
        if to == .resolved {
            var v = Validation()
            if let text = input.outcome {
                outcome = GuardDesk.Outcome(rawValue: text)
                if outcome == nil { v.fail("outcome", "invalid_value") }
            } else {
                v.fail("outcome", "missing_value")
            }
            note = v.text(input.note?.nilIfEmpty, "note", max: 500, required: false)
            try v.check()
        }
        var guardID: UUID?
        if to == .dispatched {
            guardID = try await chooseGuard(input.guardID, community: call.communityID, now: now, on: app.db)
            guard guardID != nil else {
                throw LinliError(.conflict, issues: [FieldIssue(field: "guardID", reason: "no_guard_on_shift")])
            }
        }
        let chosen = guardID
        let (resolvedOutcome, resolvedNote) = (outcome, note)
        let changed: Bool = try await app.db.writeTransaction { db in
            let count = try await db.conditionalUpdate(GuardCall.schema) { update in
                var update = update.set("step", to: to.rawValue)
                switch to {
                case .acknowledged:
                    update = update.set("acknowledged_at", to: now).set("acknowledged_by", to: person)
                        .set("next_escalation_at", to: SQLLiteral.null)
                case .dispatched: update = update.set("dispatched_at", to: now).set("guard_id", to: chosen)
                case .onSite: update = update.set("on_site_at", to: now)
                case .resolved:
                    update = update.set("resolved_at", to: now).set("resolved_by", to: person)
                        .set("outcome", to: resolvedOutcome?.rawValue)
                        .set("note", to: resolvedNote.map { SQLBind($0) as any SQLExpression } ?? SQLLiteral.null)
                        .set("next_escalation_at", to: SQLLiteral.null)
                case .raised: break
                }
                return update.where("id", .equal, id).where("step", .equal, from.rawValue)
            }
            guard count == 1 else { return false }
            let line = SecurityEvent()
            line.communityID = call.communityID
            line.householdID = call.householdID
            line.kind = "call.\(to.rawValue)"
            line.sensorID = call.sensorID
            line.personID = person
            line.callID = id
            line.hidden = call.kind == .duress
            line.at = now
            try await line.create(on: db)
            if call.kind != .duress, let household = try await Household.find(call.householdID, on: db) {
                try await HomeSecurity.tell(household, "security.note.call.\(to.rawValue)", sensor: nil, now: now, on: db)
            }
            return true
        }
        guard changed else {
            throw LinliError(.conflict, issues: [FieldIssue(field: "step", reason: "wrong_step")])
        }
        publish(call, app)
    }

    static func publish(_ call: GuardCall, _ app: Application) {
        app.events.publish(
            SecurityChanged(community: call.communityID, household: call.kind == .duress ? nil : call.householdID))
        if call.kind != .duress { app.events.publish(NotificationsChanged(community: call.communityID)) }
    }

    /// The named guard (a guard of the community), or the desk's choice: on shift, free before busy.
    static func chooseGuard(_ named: UUID?, community: UUID, now: Date, on db: any Database) async throws -> UUID? {
        let guards = try await StaffAssignment.scoped(to: community, on: db).filter(\.$role == .guard_).all()
        if let named {
            guard guards.contains(where: { $0.personID == named }) else {
                throw LinliError.invalid("guardID", "not_a_guard")
            }
            return named
        }
        let busy = try await GuardCall.scoped(to: community, on: db).filter(\.$step ~~ [.dispatched, .onSite])
            .all(\.$guardID)
        let minute = Calendar.china.component(.hour, from: now) * 60 + Calendar.china.component(.minute, from: now)
        return GuardDesk.choose(
            guards.map { g in
                GuardDesk.Guard(
                    id: g.personID, onShift: (g.shift ?? .allDay).contains(minute: minute), distance: 0,
                    busy: busy.filter { $0 == g.personID }.count)
            })
    }

    /// Calls nobody acknowledged: at 60 s all guards on shift and the manager are told, again at 120 s.
    /// Each escalation is a conditional write on the count, so two servers send it once.
    static func escalate(now: Date, app: Application) async throws {
        let due = try await GuardCall.query(on: app.db).filter(\.$step == .raised)
            .filter(\.$nextEscalationAt <= now).all()
        for call in due {
            let (count, next) = GuardDesk.escalation(raisedAt: call.raisedAt, acknowledgedAt: nil, now: now)
            guard count > call.escalations, let id = call.id else { continue }
            let before = call.escalations
            let sent: Bool = try await app.db.writeTransaction { db in
                let changed = try await db.conditionalUpdate(GuardCall.schema) {
                    $0.set("escalations", to: count)
                        .set("next_escalation_at", to: next.map { SQLBind($0) as any SQLExpression } ?? SQLLiteral.null)
                        .where("id", .equal, id).where("escalations", .equal, before)
                        .where("step", .equal, GuardDesk.Step.raised.rawValue)
                }
                guard changed == 1 else { return false }
                for role in [StaffRole.guard_, .operator_] {
                    try await Notifier.send(
                        "security.note.escalated", .security, to: .role(role), community: call.communityID, now: now,
                        on: db)
                }
                let line = SecurityEvent()
                line.communityID = call.communityID
                line.householdID = call.householdID
                line.kind = "call.escalated"
                line.callID = id
                line.hidden = true
                line.at = now
                try await line.create(on: db)
                return true
            }
            if sent {
                call.escalations = count
                app.events.publish(SecurityChanged(community: call.communityID, household: nil))
                app.events.publish(NotificationsChanged(community: call.communityID))
            }
        }
    }

    /// Panels whose delay or abort window ended: moved on (the job runs this every second).
    static func advancePanels(now: Date, app: Application) async throws {
        let due = try await SecurityPanel.query(on: app.db).filter(\.$nextDue <= now).limit(500).all()
        for row in due {
            // One panel that cannot move on must not hold back the others' timers.
            do {
                guard let household = try await Household.find(row.householdID, on: app.db) else { continue }
                try await HomeSecurity.step(household, by: nil, now: now, app: app, retries: 3) { panel, settings in
                    panel.advance(to: now, settings: settings.panel)
                }
            } catch {
                app.logger.report(error: error)
            }
        }
    }

    /// The households' arming schedules: the latest entry due since the last look is applied (arming
    /// refused by an open sensor is noted in the history and told to the household, never forced).
    static func applySchedules(now: Date, app: Application) async throws {
        let rows = try await SecurityPanel.query(on: app.db).filter(\.$scheduled == true).all()
        for row in rows {
            do {
                let after = row.scheduleCheckedAt ?? row.updatedAt
                guard let household = try await Household.find(row.householdID, on: app.db) else { continue }
                if let (entry, _) = row.settings.schedule.due(after: after, upTo: now, calendar: .china) {
                    if let mode = entry.mode {
                        let open = try await HomeSecurity.sensors(of: row.householdID, row.settings, now: now, on: app.db)
                            .filter(\.open).map { $0.id.uuidString }
                        do {
                            try await HomeSecurity.step(household, by: nil, now: now, app: app, retries: 3) { panel, s in
                                guard panel.state == .disarmed else { return [] }
                                try panel.arm(mode, open: open, force: false, settings: s.panel, now: now)
                                return []
                            }
                        } catch is AlarmPanel.Refusal {
                            try await app.db.writeTransaction { db in
                                let line = SecurityEvent()
                                line.communityID = household.communityID
                                line.householdID = row.householdID
                                line.kind = "scheduleRefused"
                                line.mode = mode.rawValue
                                line.hidden = false
                                line.at = now
                                try await line.create(on: db)
                                try await HomeSecurity.tell(household, "security.note.scheduleRefused", sensor: nil, now: now, on: db)
                            }
                            app.events.publish(SecurityChanged(community: household.communityID, household: row.householdID))
                        }
                    } else {
                        try await HomeSecurity.step(household, by: nil, now: now, app: app, retries: 3) { panel, s in
                            panel.state == .disarmed ? [] : panel.disarm(.valid, settings: s.panel, now: now)
                        }
                    }
                }
                try await SecurityPanel.query(on: app.db).filter(\.$id == (try row.requireID()))
                    .set(\.$scheduleCheckedAt, to: now).update()
            } catch {
                app.logger.report(error: error)
            }
        }
    }

    /// The calls as the desk shows them, with names, members and contacts (a few queries for all).
    static func reads(_ calls: [GuardCall], on db: any Database) async throws -> [GuardCallRead] {
        let households = try await Household.byID(calls.map(\.householdID), on: db)
        let buildings = try await Building.byID(households.values.map(\.buildingID), on: db)
        let sensors = try await Device.byID(calls.compactMap(\.sensorID), on: db)
        let guards = try await Person.byID(calls.compactMap(\.guardID), on: db)
        let memberships = try await Membership.query(on: db).filter(\.$householdID ~~ Array(households.keys))
            .filter(\.$movedOut == nil).all()
        let people = try await Person.byID(memberships.map(\.personID), on: db)
        let contacts = try await EmergencyContact.query(on: db).filter(\.$householdID ~~ Array(households.keys))
            .sort(\.$position).all()
        return try calls.map { call in
            let household = households[call.householdID]
            return GuardCallRead(
                id: try call.requireID(), kind: call.kind, priority: call.kind.priority, step: call.step,
                householdID: call.householdID,
                building: household.flatMap { buildings[$0.buildingID]?.name } ?? "", room: household?.room ?? "",
                sensorID: call.sensorID, sensor: call.sensorID.flatMap { sensors[$0]?.name },
                raisedAt: call.raisedAt, acknowledgedAt: call.acknowledgedAt, dispatchedAt: call.dispatchedAt,
                guardID: call.guardID, guardName: call.guardID.flatMap { guards[$0]?.name }, onSiteAt: call.onSiteAt,
                resolvedAt: call.resolvedAt, outcome: call.outcome, note: call.note, disarmedAt: call.disarmedAt,
                escalations: call.escalations, repeats: call.repeats,
                members: memberships.filter { $0.householdID == call.householdID }.compactMap { m in
                    people[m.personID].map { GuardCallRead.Person(name: $0.name, phone: $0.phone) }
                },
                emergencyContacts: contacts.filter { $0.householdID == call.householdID }.map {
                    GuardCallRead.Person(name: $0.name, phone: $0.phone)
                })
        }
    }

    /// The open calls of the community in the desk's order (priority, then the oldest).
    static func open(_ community: UUID, on db: any Database) async throws -> [GuardCall] {
        let calls = try await GuardCall.scoped(to: community, on: db).filter(\.$step != .resolved).all()
        let byID = GuardCall.byID(calls)
        return GuardDesk.ordered(calls.compactMap { c in c.id.map { GuardDesk.Listed(id: $0, kind: c.kind, raisedAt: c.raisedAt) } })
            .compactMap { byID[$0.id] }
    }

    /// The desk's figures over the calls resolved since `since`.
    static func figures(_ community: UUID, since: Date, on db: any Database) async throws -> GuardFiguresRead {
        let closed = try await GuardCall.scoped(to: community, on: db).filter(\.$step == .resolved)
            .filter(\.$raisedAt >= since).all()
        let figures = GuardDesk.figures(
            closed.compactMap { c in
                c.outcome.map {
                    GuardDesk.Closed(
                        raisedAt: c.raisedAt, acknowledgedAt: c.acknowledgedAt, onSiteAt: c.onSiteAt, outcome: $0,
                        household: c.householdID, sensor: c.sensorID?.uuidString.lowercased() ?? "")
                }
            })
        return GuardFiguresRead(
            calls: closed.count, acknowledgedWithin60s: figures.acknowledgedWithin60s,
            medianToOnSiteSeconds: figures.medianToOnSite, falseAlarmRate: figures.falseAlarmRate,
            falseAlarmRateByHousehold: Dictionary(
                uniqueKeysWithValues: figures.falseAlarmRateByHousehold.map { ($0.key.uuidString.lowercased(), $0.value) }),
            falseAlarmRateBySensor: figures.falseAlarmRateBySensor.filter { !$0.key.isEmpty })
    }
}
