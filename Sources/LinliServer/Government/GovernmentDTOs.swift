import Foundation
import LinliCore
import Vapor

struct ApplicationInput: Content {
    let kind: String
    let personID: UUID
    let householdID: UUID
    /// A paper application taken earlier (`YYYY-MM-DD`): the clock counts from it.
    let receivedAt: String?
    let channel: String?
}

struct MyApplicationInput: Content {
    let kind: String
    let householdID: UUID
}

struct StepInput: Content {
    let step: Applications.Step
    let note: String?
    let missing: [String]?
    let visitors: [UUID]?
    let reasons: String?
    let amountFen: Int?
    let familySize: Int?
    /// With `approve` on a kind with re-checks: months to the first one (6 or 12 by category).
    let recheckMonths: Int?
}

struct ExtensionInput: Content {
    let reason: String
}

struct CalendarLinesInput: Content {
    let lines: String
}

struct ApplicationRead: Content {
    struct StepRead: Content {
        let step: String
        let at: Date
        let note: String
    }

    let id: UUID
    let communityID: UUID
    let householdID: UUID
    let personID: UUID
    let kind: String
    let status: String
    let channel: String
    let receivedOn: String
    let decisionDueOn: String
    let workingDaysLeft: Int
    /// `on_time`, `soon` (3 working days or fewer), `overdue`; nil once decided.
    let urgency: String?
    let extended: Bool
    let missing: [String]
    let publicityEnd: String?
    let decidedOn: String?
    let reasons: String?
    let refusalNoticeDueOn: String?
    let notifiedOn: String?
    let helpedFirst: Bool
    let recheckDueOn: String?
    let steps: [StepRead]?
    let materials: [MaterialInfo]?

    init(_ a: CivilApplication, clock: ApplicationClock, today: CivilDate, steps: [ApplicationStep]? = nil, materials: [MaterialInfo]? = nil) throws {
        id = try a.requireID()
        communityID = a.communityID
        householdID = a.householdID
        personID = a.personID
        kind = a.kind
        status = a.status.rawValue
        channel = a.channel
        receivedOn = a.receivedOn
        decisionDueOn = a.decisionDueOn
        let due = CivilDate(a.decisionDueOn) ?? today
        workingDaysLeft = clock.calendar.workingDaysLeft(today: today, due: due)
        urgency = a.status.isOpen ? clock.urgency(today: today, due: due).rawValue : nil
        extended = a.extensionReason != nil
        missing = a.missing.split(separator: ",").map(String.init)
        publicityEnd = a.publicityEnd
        decidedOn = a.decidedOn
        reasons = a.reasons
        refusalNoticeDueOn = a.refusalNoticeDueOn
        notifiedOn = a.notifiedOn
        helpedFirst = a.helpedFirst
        recheckDueOn = a.recheckDueOn
        self.materials = materials
        self.steps = steps?.map { StepRead(step: $0.step, at: $0.at, note: $0.note) }
    }
}

/// What publicity (公示) shows, and nothing more: the name, the family size, the proposed amount.
struct PublicityRead: Content {
    let name: String
    let kind: String
    let familySize: Int?
    let amountFen: Int?
    let until: String
}

enum GovernmentSchemas {
    static let applicationInput = Schema.object(
        [
            ("kind", Schema.string(min: 1, max: 40)), ("personID", Schema.uuid), ("householdID", Schema.uuid),
            ("receivedAt", Schema.string(max: 10)), ("channel", Schema.enumeration(["office", "on_behalf", "online"])),
        ], required: ["kind", "personID", "householdID"])
    static let myApplicationInput = Schema.object(
        [("kind", Schema.string(min: 1, max: 40)), ("householdID", Schema.uuid)], required: ["kind", "householdID"])
    static let stepInput = Schema.object(
        [
            ("step", Schema.enumeration(Applications.Step.allCases.map(\.rawValue))), ("note", Schema.string(max: 2000)),
            ("missing", Schema.array(Schema.string(max: 40))), ("visitors", Schema.array(Schema.uuid)),
            ("reasons", Schema.string(max: 2000)), ("amountFen", Schema.integer(min: 0, max: 10_000_000)),
            ("familySize", Schema.integer(min: 1, max: 20)), ("recheckMonths", Schema.integer(min: 1, max: 24)),
        ], required: ["step"])
    static let extensionInput = Schema.object([("reason", Schema.string(min: 1, max: 2000))], required: ["reason"])
    static let calendarInput = Schema.object([("lines", Schema.string(min: 1, max: 20_000))], required: ["lines"])

    static let all: [(String, JSONValue)] = [
        (
            "CivilApplication",
            Schema.object(
                [
                    ("id", Schema.uuid), ("communityID", Schema.uuid), ("householdID", Schema.uuid), ("personID", Schema.uuid),
                    ("kind", Schema.string()), ("status", Schema.enumeration(Applications.Status.allCases.map(\.rawValue))),
                    ("channel", Schema.string()), ("receivedOn", Schema.string()), ("decisionDueOn", Schema.string()),
                    ("workingDaysLeft", Schema.integer()), ("urgency", Schema.nullable(Schema.string())), ("extended", Schema.bool),
                    ("missing", Schema.array(Schema.string())), ("publicityEnd", Schema.nullable(Schema.string())),
                    ("decidedOn", Schema.nullable(Schema.string())), ("reasons", Schema.nullable(Schema.string())),
                    ("refusalNoticeDueOn", Schema.nullable(Schema.string())), ("notifiedOn", Schema.nullable(Schema.string())),
                    ("helpedFirst", Schema.bool), ("recheckDueOn", Schema.nullable(Schema.string())),
                    ("materials", Schema.nullable(Schema.array(Schema.ref("ApplicationMaterial")))),
                    ("steps", Schema.nullable(Schema.array(Schema.object([("step", Schema.string()), ("at", Schema.dateTime), ("note", Schema.string())])))),
                ], required: ["id", "kind", "status", "receivedOn", "decisionDueOn"])
        ),
        (
            "Publicity",
            Schema.object(
                [
                    ("name", Schema.string()), ("kind", Schema.string()), ("familySize", Schema.nullable(Schema.integer())),
                    ("amountFen", Schema.nullable(Schema.integer())), ("until", Schema.string()),
                ], required: ["name", "kind", "until"])
        ),
        ("CalendarLines", Schema.object([("lines", Schema.array(Schema.string()))], required: ["lines"])),
        (
            "ApplicationMaterial",
            Schema.object(
                [
                    ("id", Schema.uuid), ("material", Schema.string()), ("contentType", Schema.string()), ("size", Schema.integer()),
                    ("uploadedAt", Schema.dateTime),
                ], required: ["id", "material", "contentType", "size", "uploadedAt"])
        ),
        (
            "MaterialRead",
            Schema.object(
                [("materialID", Schema.uuid), ("readerID", Schema.uuid), ("readerName", Schema.string()), ("at", Schema.dateTime)],
                required: ["materialID", "readerID", "at"])
        ),
    ]
}
