import Fluent
import Foundation
import LinliCore
import Vapor

/// The strings of this feature (`GovernmentStrings` tables beside it).
enum GovernmentStrings: LocalizedStrings {}

/// Government services at community level (办事): applications with their statutory steps and working-day
/// clocks, what publicity shows, and the working-day table operators extend.
enum GovernmentServices: Feature {
    static var strings: (any LocalizedStrings.Type)? { GovernmentStrings.self }
    static var css: String? { "government/government.css" }

    static func register(_ app: Application) {
        app.migrations.add(CreateGovernment())
        app.migrations.add(CreateCourses())
        app.migrations.add(CreatePensioners())
        app.migrations.add(CreateMaterials())
        ApplicationFigures.register(app)
        app.notificationTopics.add(.applications)
        app.openAPIComponents.add(GovernmentSchemas.all + CourseSchemas.all + PensionerSchemas.all + ApplicationKinds.schemas)
        app.jobs.every(CivilApplications.job, seconds: 3600) { app, job in try await CivilApplications.escalate(now: job.now, app: app) }
        let api = app.api.authenticated
        registerCourses(app, api)
        registerPensioners(app, api)
        registerMaterials(app, api)
        GovernmentPages.register(app)
        app.jobs.every(Pensioners.job, seconds: 3600) { app, job in try await Pensioners.remind(now: job.now, app: app) }
        let c = RegistryAPI.c + "/applications"
        let handle = Authority.community { .handleApplications($0) }
        let one = Authority.community(object: "applicationID") { .handleApplications($0) }
        func add<R: AsyncResponseEncodable>(_ e: Endpoint, _ handler: @escaping @Sendable (Request) async throws -> R) {
            api.register(e, in: app, handler)
        }
        add(
            .init(
                method: .POST, path: c, operationID: "createApplication",
                summary: "Take an application (at the office, on someone's behalf, or received on paper on `receivedAt`)",
                tag: "government", authority: handle, body: GovernmentSchemas.applicationInput, status: .created,
                response: Schema.ref("CivilApplication")), createApplication)
        add(
            .init(
                method: .GET, path: c, operationID: "listApplications",
                summary: "The applications, soonest decision day first, each with its working days left", tag: "government",
                authority: handle, response: Schema.page(of: "CivilApplication"), query: Endpoint.listQuery(.applications)),
            listApplications)
        add(
            .init(
                method: .GET, path: c + "/{applicationID}", operationID: "getApplication", summary: "One application with its steps",
                tag: "government", authority: one, response: Schema.ref("CivilApplication")), getApplication)
        add(
            .init(
                method: .POST, path: c + "/{applicationID}/steps", operationID: "takeApplicationStep",
                summary: "Record the next step: incomplete (all that is missing), accept, help_first, investigate (two workers), review, publicize, approve, refuse (with reasons), notify, withdraw",
                tag: "government", authority: one, body: GovernmentSchemas.stepInput, response: Schema.ref("CivilApplication")),
            takeStep)
        add(
            .init(
                method: .POST, path: c + "/{applicationID}/extension", operationID: "extendApplication",
                summary: "Extend the decision to 45 working days, once, with the reason", tag: "government", authority: one,
                body: GovernmentSchemas.extensionInput, response: Schema.ref("CivilApplication")), extendApplication)
        add(
            .init(
                method: .GET, path: RegistryAPI.c + "/publicity", operationID: "listPublicity",
                summary: "What is in publicity (公示) now: name, family size, proposed amount — nothing more", tag: "government",
                authority: .community { .viewCommunity($0) }, response: Schema.page(of: "Publicity"), query: Endpoint.listQuery(.applications)),
            listPublicity)
        add(
            .init(
                method: .GET, path: RegistryAPI.c + "/working-calendar", operationID: "getWorkingCalendar",
                summary: "The lines this community added to the working-day table", tag: "government", authority: handle,
                response: Schema.ref("CalendarLines")), getWorkingCalendar)
        add(
            .init(
                method: .POST, path: RegistryAPI.c + "/working-calendar", operationID: "extendWorkingCalendar",
                summary: "Add holidays and worked weekend days (`2027-01-01 off`, `2027-01-04..2027-01-05 off`, `2027-01-09 worked`)",
                tag: "government", authority: .community { .manageCommunity($0) }, body: GovernmentSchemas.calendarInput,
                response: Schema.ref("CalendarLines")), extendWorkingCalendar)
        add(
            .init(
                method: .POST, path: "/api/v1/me/applications", operationID: "applyOnline", summary: "Apply online for one of my households",
                tag: "government", authority: .signedIn, body: GovernmentSchemas.myApplicationInput, status: .created,
                response: Schema.ref("CivilApplication")), applyOnline)
        add(
            .init(
                method: .GET, path: "/api/v1/me/applications", operationID: "listMyApplications",
                summary: "My applications and those of my households' adults", tag: "government", authority: .signedIn,
                response: Schema.page(of: "CivilApplication"), query: Endpoint.listQuery(.applications)), listMyApplications)
        add(
            .init(
                method: .GET, path: "/api/v1/me/applications/{applicationID}", operationID: "getMyApplication",
                summary: "One application: its step, what is missing, the next due day", tag: "government",
                authority: .object("applicationID"), response: Schema.ref("CivilApplication")), getMyApplication)
    }
}

extension NotificationTopic {
    static let applications = NotificationTopic("applications")
}

extension Sorting {
    static let applications = Sorting(keys: ["decision_due_on", "received_on"], defaultSort: "decision_due_on")
}
