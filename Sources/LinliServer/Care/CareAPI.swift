import Fluent
import Foundation
import LinliCore
import Vapor

struct CareWatchInput: Content {
    let windowMinutes: Int?
    /// `HH:MM`, China time: the daily check-in is due by then.
    let checkInBy: String?
    /// `HH:MM-HH:MM`: night hours the silence does not count.
    let quietHours: String?
    let consent: Bool
    /// Who consented: `self`, `guardian` or `family`.
    let consentBy: String?
}

struct CareWatchRead: Content, Equatable {
    struct OpenCheck: Content, Equatable {
        let id: UUID
        let step: WelfareWatch.Step
        let reason: WelfareWatch.Reason
    }

    let personID: UUID
    let name: String
    let householdID: UUID?
    let home: String
    let windowMinutes: Int
    let checkInBy: String?
    let quietHours: String?
    let consentBy: String
    let consentAt: Date
    let watchedSince: Date
    let active: Bool
    let lastSignOfLife: Date?
    let lastSignKind: String?
    let lastCheckIn: Date?
    let suppressed: String?
    let openCheck: OpenCheck?
}

struct CareCheckRead: Content, Equatable {
    let id: UUID
    let personID: UUID
    let name: String
    let home: String
    let reason: WelfareWatch.Reason
    let since: Date
    let openedAt: Date
    let step: WelfareWatch.Step
    let familyAt: Date?
    let workerAt: Date?
    let closedAt: Date?
    let outcome: String?
    let note: String?
    let emergencyContacts: [EmergencyContactRead]
}

struct VisitInput: Content {
    let outcome: String?
    let note: String?
}

struct CheckInInput: Content {
    /// For a family member answering for the person; absent: myself.
    let personID: UUID?
}

struct CheckInRead: Content, Equatable {
    let acknowledged: Int
}

extension Sorting {
    static let careWatches = Sorting(keys: ["watched_since"], defaultSort: "watched_since")
    static let careChecks = Sorting(keys: ["opened_at"], defaultSort: "-opened_at")
}

/// The care watch's API: workers and operators keep the watch list and record visits; residents and
/// family answer 我很好.
enum CareAPI {
    static let c = RegistryAPI.c + "/care"

    /// Starts, changes or (without consent) ends the watch of a resident of the community.
    static func setWatch(_ community: UUID, _ person: UUID, _ input: CareWatchInput, on req: Request) async throws
        -> CareWatch
    {
        guard
            let membership = try await Membership.scoped(to: community, on: req.db).filter(\.$personID == person)
                .filter(\.$movedOut == nil).first()
        else { throw LinliError(.notFound) }
        let now = req.clock.now()
        let existing = try await CareWatch.scoped(to: community, on: req.db).filter(\.$personID == person).first()
        var v = Validation()
        let window = input.windowMinutes ?? existing?.windowMinutes ?? 720
        var checkInBy: Int?
        if let text = input.checkInBy?.nilIfEmpty {
            checkInBy = TimeOfDay.minutes(text)
            if checkInBy == nil { v.fail("checkInBy", "invalid_time") }
        }
        var quiet: Shift?
        if let text = input.quietHours?.nilIfEmpty {
            quiet = Shift(text: text)
            if quiet == nil { v.fail("quietHours", "invalid_value") }
        }
        let rule = WelfareWatch.Rule(
            windowMinutes: window, checkInBy: checkInBy,
            quietHours: quiet.map { WelfareWatch.QuietHours(start: $0.start, end: $0.end % (24 * 60)) })
        for field in rule.problems { v.fail(field, "out_of_range") }
        let consentBy = input.consentBy ?? "self"
        if !["self", "guardian", "family"].contains(consentBy) { v.fail("consentBy", "invalid_value") }
        if !input.consent && existing == nil { v.fail("consent", "consent_required") }
        try v.check()
        let watch = existing ?? CareWatch()
        if !input.consent {
            watch.active = false
        } else {
            if existing == nil || watch.active == false {
                watch.watchedSince = now
                watch.consentAt = now
                watch.consentBy = consentBy
                watch.consentRecordedBy = try req.user().principal.personID
            } else if input.consentBy != nil, consentBy != watch.consentBy {
                watch.consentBy = consentBy
                watch.consentAt = now
                watch.consentRecordedBy = try req.user().principal.personID
            }
            watch.active = true
            watch.communityID = community
            watch.personID = person
            watch.householdID = membership.householdID
            watch.windowMinutes = window
            watch.checkInBy = checkInBy
            watch.quietStart = rule.quietHours?.start
            watch.quietEnd = rule.quietHours?.end
            watch.nextLookAt = now
        }
        watch.updatedAt = now
        let saved = watch
        try await req.db.writeTransaction { db in
            try await saved.save(on: db)
            try await Audit.record(
                input.consent ? .update : .delete, "care_watch", id: saved.id, community: community,
                after: "\(saved.windowMinutes) min · \(saved.consentBy)", by: req, on: db)
        }
        CareWatchService.announce(community, req.application)
        return watch
    }

    static func reads(_ watches: [CareWatch], on db: any Database) async throws -> [CareWatchRead] {
        let people = try await Person.byID(watches.map(\.personID), on: db)
        let homes = try await Household.byID(watches.compactMap(\.householdID), on: db)
        let buildings = try await Building.byID(homes.values.map(\.buildingID), on: db)
        let open = try await CareCheck.query(on: db).filter(\.$watchID ~~ watches.compactMap(\.id))
            .filter(\.$step ~~ [.reminder, .family, .worker]).all()
        func time(_ minutes: Int?) -> String? { minutes.map(TimeOfDay.text) }
        return try watches.map { w in
            let home = w.householdID.flatMap { homes[$0] }
            let check = open.first { $0.watchID == w.id }
            return CareWatchRead(
                personID: w.personID, name: people[w.personID]?.name ?? "", householdID: w.householdID,
                home: home.map { "\(buildings[$0.buildingID]?.name ?? "") \($0.room)" } ?? "",
                windowMinutes: w.windowMinutes, checkInBy: time(w.checkInBy),
                quietHours: w.quietStart.flatMap { s in w.quietEnd.map { "\(time(s) ?? "")-\(time($0) ?? "")" } },
                consentBy: w.consentBy, consentAt: w.consentAt, watchedSince: w.watchedSince, active: w.active,
                lastSignOfLife: w.lastSignAt, lastSignKind: w.lastSignKind, lastCheckIn: w.lastCheckInAt,
                suppressed: w.lastSuppression,
                openCheck: try check.map { CareWatchRead.OpenCheck(id: try $0.requireID(), step: $0.step, reason: $0.reason) })
        }
    }

    static func checkReads(_ checks: [CareCheck], on db: any Database) async throws -> [CareCheckRead] {
        let people = try await Person.byID(checks.map(\.personID), on: db)
        let homes = try await Household.byID(checks.compactMap(\.householdID), on: db)
        let buildings = try await Building.byID(homes.values.map(\.buildingID), on: db)
        let contacts = try await EmergencyContact.query(on: db).filter(\.$householdID ~~ Array(homes.keys))
            .sort(\.$position).all()
        return try checks.map { c in
            let home = c.householdID.flatMap { homes[$0] }
            return CareCheckRead(
                id: try c.requireID(), personID: c.personID, name: people[c.personID]?.name ?? "",
                home: home.map { "\(buildings[$0.buildingID]?.name ?? "") \($0.room)" } ?? "", reason: c.reason,
                since: c.since, openedAt: c.openedAt, step: c.step, familyAt: c.familyAt, workerAt: c.workerAt,
                closedAt: c.closedAt, outcome: c.outcome, note: c.note,
                emergencyContacts: contacts.filter { $0.householdID == c.householdID }.map {
                    EmergencyContactRead(name: $0.name, phone: $0.phone, relation: $0.relation)
                })
        }
    }

    /// Whom the caller may answer for: themselves, someone they live with, or someone whose home lists
    /// the caller's phone as an emergency contact.
    static func mayAnswer(for person: UUID, _ req: Request) async throws -> Bool {
        let user = try req.user()
        if person == user.principal.personID { return true }
        let theirs = try await Membership.query(on: req.db).filter(\.$personID == person).filter(\.$movedOut == nil)
            .all(\.$householdID)
        if theirs.contains(where: { user.principal.households[$0] != nil }) { return true }
        guard let mine = PhoneNumber(user.person.phone)?.digits else { return false }
        let listed = try await EmergencyContact.query(on: req.db).filter(\.$householdID ~~ theirs).all()
        return listed.contains { PhoneNumber($0.phone)?.digits == mine }
    }
}
