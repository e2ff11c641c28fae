import Fluent
import Foundation
import LinliCore

/// One watched person in one community (智慧养老): their rule, the consent recorded for the watch, the
/// last sign of life their home gave, and when the watch job must look at them again.
final class CareWatch: Model, @unchecked Sendable {
    static let schema = "care_watches"
    @ID(key: .id) var id: UUID?
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "person_id") var personID: UUID
    /// The home whose devices speak for the person (their current one when the watch was set).
    @OptionalField(key: "household_id") var householdID: UUID?
    @Field(key: "window_minutes") var windowMinutes: Int
    @OptionalField(key: "check_in_by") var checkInBy: Int?
    @OptionalField(key: "quiet_start") var quietStart: Int?
    @OptionalField(key: "quiet_end") var quietEnd: Int?
    /// Who consented: the person (`self`), their guardian or their family, and who recorded it when.
    @Field(key: "consent_by") var consentBy: String
    @Field(key: "consent_recorded_by") var consentRecordedBy: UUID
    @Field(key: "consent_at") var consentAt: Date
    @Field(key: "watched_since") var watchedSince: Date
    @Field(key: "active") var active: Bool
    @OptionalField(key: "last_sign_at") var lastSignAt: Date?
    @OptionalField(key: "last_sign_kind") var lastSignKind: String?
    @OptionalField(key: "last_check_in_at") var lastCheckInAt: Date?
    /// Why the last look opened no check although one was due (`armed_away`), for the month's figures.
    @OptionalField(key: "last_suppression") var lastSuppression: String?
    @Field(key: "next_look_at") var nextLookAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    init() {}

    var rule: WelfareWatch.Rule {
        WelfareWatch.Rule(
            windowMinutes: windowMinutes, checkInBy: checkInBy,
            quietHours: quietStart.flatMap { start in quietEnd.map { WelfareWatch.QuietHours(start: start, end: $0) } })
    }
}

/// A check opened by a watched person's silence or missed check-in, and the ladder it climbs: reminder,
/// family (2 min), community worker (15 min), until someone acknowledges or the worker records a visit.
/// Each step is a conditional write on `step`.
final class CareCheck: Model, @unchecked Sendable {
    static let schema = "care_checks"
    @ID(key: .id) var id: UUID?
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "watch_id") var watchID: UUID
    @Field(key: "person_id") var personID: UUID
    @OptionalField(key: "household_id") var householdID: UUID?
    @Enum(key: "reason") var reason: WelfareWatch.Reason
    @Field(key: "since") var since: Date
    @Field(key: "opened_at") var openedAt: Date
    @Enum(key: "step") var step: WelfareWatch.Step
    @OptionalField(key: "next_step_at") var nextStepAt: Date?
    @OptionalField(key: "family_at") var familyAt: Date?
    @OptionalField(key: "worker_at") var workerAt: Date?
    @OptionalField(key: "closed_at") var closedAt: Date?
    @OptionalField(key: "closed_by") var closedBy: UUID?
    /// The visit's outcome, or `fine` when the person or the family answered.
    @OptionalField(key: "outcome") var outcome: String?
    @OptionalField(key: "note") var note: String?
    init() {}

    var isOpen: Bool { ![.visited, .acknowledged].contains(step) }
}

extension CareWatch: CommunityScoped {
    static var communityField: KeyPath<CareWatch, FieldProperty<CareWatch, UUID>> { \.$communityID }
}
extension CareCheck: CommunityScoped {
    static var communityField: KeyPath<CareCheck, FieldProperty<CareCheck, UUID>> { \.$communityID }
}

/// What a visit found.
enum VisitOutcome: String, Codable, CaseIterable, Sendable {
    case fine
    case needsHelp = "needs_help"
    case hospital
    case notAtHome = "not_at_home"
}
