import Fluent
import Foundation
import LinliCore
import Vapor

extension AccessAPI {
    static func registerOperators(_ app: Application, _ api: any RoutesBuilder) {
        api.register(
            .init(
                method: .POST, path: c + "/gates", operationID: "createGate", summary: "Add a gate and its terminals",
                tag: "access", authority: .community { .manageDevices($0) }, body: object, status: .created, response: object), in: app, createGate)
        api.register(
            .init(
                method: .GET, path: c + "/gates", operationID: "listGates", summary: "Gates and their terminals",
                tag: "access", authority: .community { .viewDevices($0) }, response: Schema.page(object), query: Endpoint.listQuery(.gates)), in: app, listGates)
        api.register(
            .init(
                method: .PUT, path: c + "/access-settings", operationID: "setAccessSettings",
                summary: "Server face matching (premises or further consent), match and liveness thresholds",
                tag: "access", authority: .community { .manageDevices($0) }, body: object, response: object), in: app, setAccessSettings)
        api.register(
            .init(
                method: .POST, path: c + "/credentials", operationID: "issueCredential",
                summary: "Register a card or PIN for a resident or staff member (stored as a hash)", tag: "access", authority: .community { .manageDevices($0) },
                body: object, status: .created), in: app, issueCredential)
        api.register(
            .init(
                method: .POST, path: c + "/deny-list", operationID: "denyPerson", summary: "Keep a person out",
                tag: "access", authority: .community { .handleAlarms($0) }, body: object, status: .created), in: app, denyPerson)
        api.register(
            .init(
                method: .GET, path: c + "/access-events", operationID: "listAccessEvents",
                summary: "The access log, newest first (the console exports it as CSV)", tag: "access", authority: .community { .viewDevices($0) },
                response: Schema.page(of: "AccessEvent"),
                query: Endpoint.listQuery(.accessEvents) + AccessLogFilter.parameters), in: app, listAccessEvents)
        api.register(
            .init(
                method: .DELETE, path: c + "/deny-list/{personID}", operationID: "undenyPerson",
                summary: "Take a person off the deny list", tag: "access", authority: .community { .handleAlarms($0) }, status: .noContent), in: app, undenyPerson)
        api.register(
            .init(
                method: .GET, path: c + "/face-data", operationID: "getFaceData",
                summary: "How many people's faces are held (the 100,000 filing threshold) and where", tag: "access", authority: .community { .manageDevices($0) },
                response: object), in: app, getFaceData)
        api.register(
            .init(
                method: .GET, path: c + "/face-data/log", operationID: "listFaceProcessing",
                summary: "The processing log of face data: consents, enrolments, withdrawals and deletions",
                tag: "access", authority: .community { .manageDevices($0) }, response: Schema.page(of: "FaceProcessing"), query: Endpoint.listQuery(.faceProcessing)),
            in: app, listFaceProcessing)
    }

}
