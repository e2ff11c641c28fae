import Fluent
import FluentSQL
import LinliCore
import Vapor

extension RegistryAPI {
    /// Residents, CSV import and people.
    static func registerPeople(_ app: Application, _ api: any RoutesBuilder) {
        api.register(
            .init(
                method: .GET, path: c + "/residents", operationID: "listResidents",
                summary: "People who live in the community now", tag: "registry", authority: .community { .viewRegistry($0) },
                response: Schema.page(of: "Person"), query: Endpoint.listQuery(.residents)), in: app, listResidents)
        api.register(
            .init(
                method: .POST, path: c + "/residents", operationID: "createResident",
                summary: "Add a resident to a household", tag: "registry", authority: .community { .manageRegistry($0) }, body: Schema.ref("ResidentCreate"),
                status: .created, response: Schema.ref("Person")), in: app, createResident)
        api.register(
            .init(
                method: .POST, path: c + "/residents/import", operationID: "importResidents",
                summary: "Import residents from CSV (all rows or none)", tag: "registry", authority: .community { .manageRegistry($0) },
                body: Schema.string(), bodyContentType: "text/csv", maxBody: "5mb", status: .created,
                response: Schema.ref("ImportResult")), in: app, importResidents)
        api.register(
            .init(
                method: .GET, path: c + "/people/{personID}", operationID: "getPerson",
                summary: "One person of the community", tag: "registry", authority: .community(object: "personID") { .viewCommunity($0) }, response: Schema.ref("Person")), in: app, getPerson)
        api.register(
            .init(
                method: .PATCH, path: c + "/people/{personID}", operationID: "updatePerson",
                summary: "Change a person's details or set their password", tag: "registry", authority: .community(object: "personID") { .manageRegistry($0) },
                body: Schema.ref("PersonUpdate"), response: Schema.ref("Person")), in: app, updatePerson)
        api.register(
            .init(
                method: .POST, path: c + "/people/{personID}/password-reset", operationID: "startPasswordReset",
                summary:
                    "Start a password reset: a one-time code (shown once, valid 24 h) to hand over in person; ends the person's sign-ins",
                tag: "registry", authority: .community(object: "personID") { .manageRegistry($0) }, status: .created, response: Schema.ref("ResetStarted")), in: app, startPasswordReset)
    }
}
