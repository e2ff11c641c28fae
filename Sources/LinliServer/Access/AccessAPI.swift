import Fluent
import Foundation
import LinliCore
import Vapor

/// Gate access: terminals ask, residents consent and share, operators set up gates.
enum AccessAPI {
    static let object: JSONValue = .object([("type", "object")])
    static let c = RegistryAPI.c

    static func register(_ app: Application) {
        let open = app.api.open
        let api = app.api.authenticated
        open.register(
            .init(
                method: .POST, path: "/api/v1/devices/access/decide", operationID: "decideAccess",
                summary: "Terminal: may this face, card, PIN or QR pass this gate? (device token as bearer)",
                tag: "access", authority: .device, body: object, response: object), in: app, decideAccess)
        open.register(
            .init(
                method: .POST, path: "/api/v1/devices/access/enrol", operationID: "enrolFace",
                summary: "Enrolment terminal: store a face vector of a person who consented (device token as bearer)",
                tag: "access", authority: .device, body: object, status: .created, response: object), in: app, enrolFace)
        open.register(
            .init(
                method: .GET, path: "/api/v1/devices/access/sync", operationID: "syncAccessLibrary",
                summary:
                    "Edge terminal: additions and removals (faces, cards, PINs, passes, deny list) since a version",
                tag: "access", authority: .device, response: object,
                query: [.init(name: "since", schema: Schema.integer(min: 0))]), in: app, syncAccessLibrary)
        open.register(
            .init(
                method: .GET, path: "/api/v1/devices/access/credential-key", operationID: "getCredentialKey",
                summary:
                    "Terminal: the community's key for card, PIN and pass hashes (HMAC-SHA256 of the value's SHA-256 hex)",
                tag: "access", authority: .device, response: object), in: app, getCredentialKey)
        open.register(
            .init(
                method: .POST, path: "/api/v1/devices/access/events", operationID: "uploadAccessEvents",
                summary: "Edge terminal: decisions it made itself, in batches, idempotent by event id", tag: "access", authority: .device,
                body: Schema.array(object), response: object), in: app, uploadAccessEvents)
        api.register(
            .init(
                method: .GET, path: "/api/v1/me/access/consent", operationID: "getFaceConsent",
                summary: "The face-recognition consent text version and my (and my children's) consents", tag: "access", authority: .signedIn,
                response: object, query: [.init(name: "communityID", schema: Schema.uuid)]), in: app, getFaceConsent)
        api.register(
            .init(
                method: .POST, path: "/api/v1/me/access/consent", operationID: "giveFaceConsent",
                summary: "Accept the current consent text, for myself or a child under 14 of my household",
                tag: "access", authority: .signedIn, body: object, status: .created, response: object), in: app, giveFaceConsent)
        api.register(
            .init(
                method: .DELETE, path: "/api/v1/me/access/consent/{personID}", operationID: "withdrawFaceConsent",
                summary: "Withdraw consent: the face vectors are deleted and leave matching at once",
                tag: "access", authority: .object("personID"), status: .noContent, query: [.init(name: "communityID", schema: Schema.uuid)]), in: app, withdrawFaceConsent)
        api.register(
            .init(
                method: .GET, path: "/api/v1/me/access/qr", operationID: "getMyQR",
                summary: "My rotating gate QR payload (changes every 30 s)", tag: "access", authority: .signedIn, response: object), in: app, getMyQR)
        api.register(
            .init(
                method: .GET, path: "/api/v1/me/access/history", operationID: "getMyAccessHistory",
                summary: "Gate decisions about me and my households' visitor passes", tag: "access", authority: .signedIn,
                response: Schema.page(of: "AccessEvent"), query: Endpoint.listQuery(.accessEvents)), in: app, getMyAccessHistory)
        api.register(
            .init(
                method: .POST, path: "/api/v1/me/visitor-passes", operationID: "createVisitorPass",
                summary: "A pass for a visitor: time window and entries; answers its QR and a PIN (shown once)",
                tag: "access", authority: .signedIn, body: object, status: .created, response: object), in: app, createVisitorPass)
        api.register(
            .init(
                method: .GET, path: "/api/v1/me/visitor-passes", operationID: "listVisitorPasses",
                summary: "My households' visitor passes", tag: "access", authority: .signedIn, response: Schema.page(of: "VisitorPass"),
                query: Endpoint.listQuery(.passes)), in: app, listVisitorPasses)
        api.register(
            .init(
                method: .POST, path: "/api/v1/me/visitor-passes/{passID}/revoke", operationID: "revokeVisitorPass",
                summary: "Revoke a pass", tag: "access", authority: .object("passID"), response: object), in: app, revokeVisitorPass)
        registerOperators(app, api)
    }

    struct ConsentStatus: Content {
        let version: String
        let consents: [ConsentRead]
    }

    struct QRRead: Content {
        let payload: String
        let refreshIn: Int
    }

}
