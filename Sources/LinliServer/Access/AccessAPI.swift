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
                tag: "access", authority: .device, body: object, response: object), in: app
        ) { req in try await AccessService.decide(req) }
        open.register(
            .init(
                method: .POST, path: "/api/v1/devices/access/enrol", operationID: "enrolFace",
                summary: "Enrolment terminal: store a face vector of a person who consented (device token as bearer)",
                tag: "access", authority: .device, body: object, status: .created, response: object), in: app
        ) { req in
            let (device, _) = try await AccessService.terminal(req, enrolling: true)
            let input = try req.decode(EnrolInput.self)
            return Created(value: try await enrol(input, from: device, on: req))
        }
        open.register(
            .init(
                method: .GET, path: "/api/v1/devices/access/sync", operationID: "syncAccessLibrary",
                summary:
                    "Edge terminal: additions and removals (faces, cards, PINs, passes, deny list) since a version",
                tag: "access", authority: .device, response: object,
                query: [.init(name: "since", schema: Schema.integer(min: 0))]), in: app
        ) { req in
            let (device, gates) = try await AccessService.terminal(req)
            let since = try req.int64Query("since").map(Int.init) ?? 0
            guard since >= 0 else { throw LinliError.invalid("since", "out_of_range") }
            return try await AccessSync.changes(community: device.communityID, since: since, for: gates, on: req)
        }
        open.register(
            .init(
                method: .GET, path: "/api/v1/devices/access/credential-key", operationID: "getCredentialKey",
                summary:
                    "Terminal: the community's key for card, PIN and pass hashes (HMAC-SHA256 of the value's SHA-256 hex)",
                tag: "access", authority: .device, response: object), in: app
        ) { req in
            let (device, _) = try await AccessService.terminal(req)
            let key = try await req.application.accessDirectory.credentialKey(device.communityID, on: req.db)
            let response = try await ["algorithm": "HMAC-SHA256(key, hex(SHA-256(value)))", "key": key.base64]
                .encodeResponse(for: req)
            response.headers.cacheControl = .init(noStore: true)
            return response
        }
        open.register(
            .init(
                method: .POST, path: "/api/v1/devices/access/events", operationID: "uploadAccessEvents",
                summary: "Edge terminal: decisions it made itself, in batches, idempotent by event id", tag: "access", authority: .device,
                body: Schema.array(object), response: object), in: app
        ) { req in
            let (device, gates) = try await AccessService.terminal(req)
            let stored = try await AccessSync.upload(
                try req.decode([EdgeEvent].self), from: device, gates: gates, on: req)
            return ["stored": stored]
        }
        api.register(
            .init(
                method: .GET, path: "/api/v1/me/access/consent", operationID: "getFaceConsent",
                summary: "The face-recognition consent text version and my (and my children's) consents", tag: "access", authority: .signedIn,
                response: object, query: [.init(name: "communityID", schema: Schema.uuid)]), in: app
        ) { req in
            let me = try req.user().principal.personID
            let rows = try await FaceConsent.query(on: req.db).filter(\.$givenBy == me).sort(\.$acceptedAt, .descending)
                .all()
            return ConsentStatus(version: FaceConsentText.version, consents: rows.map(ConsentRead.init))
        }
        api.register(
            .init(
                method: .POST, path: "/api/v1/me/access/consent", operationID: "giveFaceConsent",
                summary: "Accept the current consent text, for myself or a child under 14 of my household",
                tag: "access", authority: .signedIn, body: object, status: .created, response: object), in: app
        ) { req in Created(value: ConsentRead(try await giveConsent(try req.decode(ConsentInput.self), on: req))) }
        api.register(
            .init(
                method: .DELETE, path: "/api/v1/me/access/consent/{personID}", operationID: "withdrawFaceConsent",
                summary: "Withdraw consent: the face vectors are deleted and leave matching at once",
                tag: "access", authority: .object("personID"), status: .noContent, query: [.init(name: "communityID", schema: Schema.uuid)]), in: app
        ) { req in
            guard let community = req.query[UUID.self, at: "communityID"] else {
                throw LinliError.invalid("communityID", "missing_value")
            }
            try await withdraw(person: try req.id("personID"), community: community, on: req)
            return NoContent()
        }
        api.register(
            .init(
                method: .GET, path: "/api/v1/me/access/qr", operationID: "getMyQR",
                summary: "My rotating gate QR payload (changes every 30 s)", tag: "access", authority: .signedIn, response: object), in: app
        ) { req in
            let secret = try await qrSecret(for: try req.user().principal.personID, on: req.db)
            let now = req.clock.now()
            let window = RotatingCode.window(at: now)
            let left = Int((window + 1) * RotatingCode.window) - Int(now.timeIntervalSince1970)
            return QRRead(
                payload: RotatingCode.payload(handle: secret.handle, secret: Array(secret.secret), at: now),
                refreshIn: left)
        }
        api.register(
            .init(
                method: .GET, path: "/api/v1/me/access/history", operationID: "getMyAccessHistory",
                summary: "Gate decisions about me and my households' visitor passes", tag: "access", authority: .signedIn,
                response: Schema.page(of: "AccessEvent"), query: Endpoint.listQuery(.accessEvents)), in: app
        ) { req in
            let options = try req.listOptions(.accessEvents)
            return try await history(for: try req.user().principal, on: req.db).page(options, map: EventRead.init)
        }
        api.register(
            .init(
                method: .POST, path: "/api/v1/me/visitor-passes", operationID: "createVisitorPass",
                summary: "A pass for a visitor: time window and entries; answers its QR and a PIN (shown once)",
                tag: "access", authority: .signedIn, body: object, status: .created, response: object), in: app
        ) { req in Created(value: try await createPass(try req.decode(PassInput.self), on: req)) }
        api.register(
            .init(
                method: .GET, path: "/api/v1/me/visitor-passes", operationID: "listVisitorPasses",
                summary: "My households' visitor passes", tag: "access", authority: .signedIn, response: Schema.page(of: "VisitorPass"),
                query: Endpoint.listQuery(.passes)), in: app
        ) { req in
            let options = try req.listOptions(.passes)
            return try await VisitorPass.query(on: req.db).madeInHomes(of: try req.user().principal).page(
                options, map: PassRead.init)
        }
        api.register(
            .init(
                method: .POST, path: "/api/v1/me/visitor-passes/{passID}/revoke", operationID: "revokeVisitorPass",
                summary: "Revoke a pass", tag: "access", authority: .object("passID"), response: object), in: app
        ) { req in try PassRead(try await revokePass(try req.id("passID"), on: req)) }
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
