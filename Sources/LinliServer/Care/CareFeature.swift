import Fluent
import Foundation
import LinliCore
import Vapor

/// The strings of this feature (`CareStrings` tables beside it).
enum CareStrings: LocalizedStrings {}

/// Smart elderly care (智慧养老): the watch list kept by community workers with consent recorded, signs
/// of life from the home's devices, the gate and the app, the daily 我很好, and the ladder of a check
/// (reminder, family, worker, visit) run by a durable job.
enum ElderCare: Feature {
    static var strings: (any LocalizedStrings.Type)? { CareStrings.self }

    static func register(_ app: Application) {
        app.notificationTopics.add(.care)
        CareTV.register(app)
        CareFigures.register(app)
        app.migrations.add(CreateCare())
        // Nobody on the care watch has their water or power cut off (prepaid meters ask).
        app.supplyProtections.add { household, db in
            let living = try await Membership.query(on: db).filter(\.$householdID == household).filter(\.$movedOut == nil)
                .all(\.$personID)
            return try await CareWatch.query(on: db).filter(\.$active == true).filter(\.$personID ~~ living).count() > 0
        }
        // A care check-in ("I'm fine") is a sign of life a worker may read beside a pensioner.
        app.activity.addEvidence("check_in") { person, db in
            try await CareWatch.query(on: db).filter(\.$personID == person).filter(\.$lastCheckInAt != nil)
                .sort(\.$lastCheckInAt, .descending).first()?.lastCheckInAt
        }
        app.pageLinks.add("care", CareRoute.myCare)
        app.homeTiles.add("care", order: 60, CareRoute.myCare)
        app.pageLinks.add("careCheckIn", CareRoute.checkIn)
        app.consoleTabs.add("care", order: 135, shown: { .keepCareWatch($0) }) { CareRoute.worker($0) }
        let observer = CareObserver(app: app)
        app.deviceHub.observers.add(observer)
        app.events.on(CareChanged.self) { _ in observer.forget() }
        app.jobs.every("care.watch", seconds: 5) { app, job in try await CareWatchService.run(now: job.now, app: app) }
        registerAPI(app, app.api.authenticated)
        CarePages.register(app.pages)
        app.openAPIComponents.add(CareSchemas.all)
    }

    static func seedDemo(_ world: DemoWorld, on db: any Database) async throws {
        try await DemoCare.seed(world, on: db)
    }

    static func registerAPI(_ app: Application, _ api: any RoutesBuilder) {
        let c = CareAPI.c
        api.register(
            .init(
                method: .PUT, path: c + "/watch/{personID}", operationID: "setCareWatch",
                summary: "Watch a resident (consent recorded), change their rule, or end the watch (consent false)",
                tag: "care", authority: .community { .keepCareWatch($0) }, body: CareSchemas.watchInput, response: Schema.ref("CareWatch")), in: app, setCareWatch)
        api.register(
            .init(
                method: .GET, path: c + "/watch", operationID: "listCareWatch",
                summary: "The watched people: rule, consent, last sign of life, check-in, an open check",
                tag: "care", authority: .community { .keepCareWatch($0) }, response: Schema.page(of: "CareWatch"), query: Endpoint.listQuery(.careWatches)), in: app, listCareWatch)
        api.register(
            .init(
                method: .GET, path: c + "/checks", operationID: "listCareChecks",
                summary: "Checks opened by silence or a missed check-in: open ones (their step) or done ones (the outcome)",
                tag: "care", authority: .community { .keepCareWatch($0) }, response: Schema.page(of: "CareCheck"),
                query: Endpoint.listQuery(.careChecks) + [
                    .init(name: "status", schema: Schema.enumeration(["open", "done"]))
                ]), in: app, listCareChecks)
        api.register(
            .init(
                method: .POST, path: c + "/checks/{checkID}/visit", operationID: "recordCareVisit",
                summary: "Record the visit: fine, needs_help, hospital, not_at_home (409 once the check is closed)",
                tag: "care", authority: .community { .keepCareWatch($0) }, body: CareSchemas.visitInput, response: Schema.ref("CareCheck")), in: app, recordCareVisit)
        api.register(
            .init(
                method: .POST, path: c + "/watch/{personID}/call", operationID: "logCareCall",
                summary: "The worker called the watched person and they are well: the day's check-in, open checks closed",
                tag: "care", authority: .community { .keepCareWatch($0) }, response: Schema.ref("CareCheckIn")), in: app, logCareCall)
        api.register(
            .init(
                method: .POST, path: "/api/v1/me/care/check-in", operationID: "careCheckIn",
                summary: "我很好: my daily check-in, or a family member answering for a watched person",
                tag: "care", authority: .signedIn, body: CareSchemas.checkInInput, response: Schema.ref("CareCheckIn")), in: app, careCheckIn)
    }
}

enum CareSchemas {
    static let steps = WelfareWatch.Step.allCases.map(\.rawValue)
    static let reasons = WelfareWatch.Reason.allCases.map(\.rawValue)
    static let watchInput = Schema.object(
        [
            ("windowMinutes", Schema.integer(min: 1, max: 10_080)),
            ("checkInBy", Schema.string(max: 5, pattern: "^([01]?[0-9]|2[0-3]):[0-5][0-9]$")),
            ("quietHours", Schema.string(max: 11, pattern: "^[0-2]?[0-9]:[0-5][0-9]-[0-2]?[0-9]:[0-5][0-9]$")),
            ("consent", Schema.bool), ("consentBy", Schema.enumeration(["self", "guardian", "family"])),
        ], required: ["consent"])
    static let visitInput = Schema.object(
        [
            ("outcome", Schema.enumeration(VisitOutcome.allCases.map(\.rawValue))), ("note", Schema.string(max: 500)),
        ], required: ["outcome"])
    static let checkInInput = Schema.object([("personID", Schema.uuid)])
    static let contact = Schema.object(
        [("name", Schema.string()), ("phone", Schema.string()), ("relation", Schema.string())],
        required: ["name", "phone", "relation"])
    static let watch = Schema.object(
        [
            ("personID", Schema.uuid), ("name", Schema.string()), ("householdID", Schema.nullable(Schema.uuid)),
            ("home", Schema.string()), ("windowMinutes", Schema.integer()),
            ("checkInBy", Schema.nullable(Schema.string())), ("quietHours", Schema.nullable(Schema.string())),
            ("consentBy", Schema.string()), ("consentAt", Schema.dateTime), ("watchedSince", Schema.dateTime),
            ("active", Schema.bool), ("lastSignOfLife", Schema.nullable(Schema.dateTime)),
            ("lastSignKind", Schema.nullable(Schema.string())), ("lastCheckIn", Schema.nullable(Schema.dateTime)),
            ("suppressed", Schema.nullable(Schema.string())),
            (
                "openCheck",
                Schema.nullable(
                    Schema.object(
                        [
                            ("id", Schema.uuid), ("step", Schema.enumeration(steps)),
                            ("reason", Schema.enumeration(reasons)),
                        ], required: ["id", "step", "reason"]))
            ),
        ],
        required: [
            "personID", "name", "home", "windowMinutes", "consentBy", "consentAt", "watchedSince", "active",
        ])
    static let check = Schema.object(
        [
            ("id", Schema.uuid), ("personID", Schema.uuid), ("name", Schema.string()), ("home", Schema.string()),
            ("reason", Schema.enumeration(reasons)), ("since", Schema.dateTime), ("openedAt", Schema.dateTime),
            ("step", Schema.enumeration(steps)), ("familyAt", Schema.nullable(Schema.dateTime)),
            ("workerAt", Schema.nullable(Schema.dateTime)), ("closedAt", Schema.nullable(Schema.dateTime)),
            ("outcome", Schema.nullable(Schema.string())), ("note", Schema.nullable(Schema.string())),
            ("emergencyContacts", Schema.array(contact)),
        ], required: ["id", "personID", "name", "home", "reason", "since", "openedAt", "step", "emergencyContacts"])

    static var all: [(String, JSONValue)] {
        [
            ("CareWatch", watch), ("CareCheck", check),
            ("CareCheckIn", Schema.object([("acknowledged", Schema.integer())], required: ["acknowledged"])),
        ]
    }
}

extension NotificationTopic {
    static let care = NotificationTopic("care", safety: true)
}

extension ElderCare {
    static var commands: [(name: String, command: any AnyAsyncCommand)] { [("care-replay", CareReplayCommand())] }
}

/// A care watch or check of the community changed: pages reload, the watched homes are loaded again.
struct CareChanged: LinliEvent {
    let community: UUID
}
