import Fluent
import Foundation
import LinliCore
import Vapor

struct ConsentInput: Content {
    let communityID: UUID
    let personID: UUID?
    let version: String
    let serverMatching: Bool?
}

struct ConsentRead: Content {
    let personID: UUID
    let version: String
    let acceptedAt: Date
    let givenBy: UUID
    let serverMatching: Bool
    let withdrawnAt: Date?

    init(_ c: FaceConsent) {
        personID = c.personID
        version = c.version
        acceptedAt = c.acceptedAt
        givenBy = c.givenBy
        serverMatching = c.serverMatching
        withdrawnAt = c.withdrawnAt
    }
}

struct EnrolInput: Content {
    let personID: UUID
    let model: String
    let vector: [Float]
}

struct PassInput: Content {
    let householdID: UUID
    let visitorName: String
    let visitorPhone: String?
    let validFrom: Date
    let validUntil: Date
    let entries: Int
}

struct PassRead: Content, Equatable {
    let id: UUID
    let householdID: UUID
    let visitorName: String
    let validFrom: Date
    let validUntil: Date
    let entriesAllowed: Int
    let entriesUsed: Int
    let revoked: Bool
    let qr: String

    init(_ p: VisitorPass) throws {
        id = try p.requireID()
        householdID = p.householdID
        visitorName = p.visitorName
        validFrom = p.validFrom
        validUntil = p.validUntil
        entriesAllowed = p.entriesAllowed
        entriesUsed = p.entriesUsed
        revoked = p.revoked
        qr = "P1:" + p.qrToken
    }
}

struct PassCreated: Content {
    let pass: PassRead
    /// Shown once: the visitor types it at a keypad.
    let pin: String
}

struct EventRead: Content, Equatable {
    let id: UUID
    let gateID: UUID?
    let personID: UUID?
    let passID: UUID?
    let method: String
    let allow: Bool
    let reason: String
    let score: Double?
    let at: Date

    init(_ e: AccessEvent) throws {
        id = try e.requireID()
        gateID = e.gateID
        personID = e.personID
        passID = e.passID
        method = e.method
        allow = e.allow
        reason = e.reason
        score = e.score
        at = e.at
    }
}

struct GateInput: Content {
    let name: String
    let kind: GateKind
    let buildingID: UUID?
    let deviceIDs: [UUID]
}

struct GateRead: Content {
    let id: UUID
    let name: String
    let kind: GateKind
    let buildingID: UUID?
    let deviceIDs: [UUID]
}

struct CredentialInput: Content {
    let personID: UUID
    let kind: String
    let value: String
}

struct AccessSettingsInput: Content {
    let serverMatching: Bool
    let matchThreshold: Double?
    let livenessThreshold: Double?
    /// Server decisions refuse a face without a liveness score (default on).
    let livenessRequired: Bool?
}

/// How much face data the operator holds, against the filing threshold (人脸识别技术应用安全管理办法: an
/// operator holding the faces of 100,000 people or more files with the provincial regulator within 30
/// working days), where it is kept, and the consents behind it.
struct FaceDataRead: Content {
    /// People with face vectors in this community, and vectors.
    let people: Int
    let vectors: Int
    /// People with face vectors on this whole server (the operator's count for filing).
    let serverPeople: Int
    let filingThreshold: Int
    let filingRequired: Bool
    let storedAt: String
    let consentVersion: String
    let activeConsents: Int
    let serverMatchingConsents: Int
    let withdrawnConsents: Int
    /// Face decisions at this community's gates in the last 30 days.
    let faceDecisions30Days: Int

    static func of(community: UUID, on req: Request) async throws -> FaceDataRead {
        let vectors = try await FaceVector.query(on: req.db).filter(\.$communityID == community).all(\.$personID)
        let everywhere = Set(try await FaceVector.query(on: req.db).all(\.$personID)).count
        let consents = try await FaceConsent.query(on: req.db).filter(\.$communityID == community).all()
        let active = consents.filter { $0.withdrawnAt == nil }
        let since = req.clock.now().addingTimeInterval(-30 * 86_400)
        let decisions = try await AccessEvent.scoped(to: community, on: req.db).filter(\.$method == "face")
            .filter(\.$at >= since).count()
        return FaceDataRead(
            people: Set(vectors).count, vectors: vectors.count, serverPeople: everywhere, filingThreshold: 100_000,
            filingRequired: everywhere >= 100_000,
            storedAt: req.t("access.face.storedAt", ["count": "\(everywhere)"]),
            consentVersion: FaceConsentText.version,
            activeConsents: active.count, serverMatchingConsents: active.filter(\.serverMatching).count,
            withdrawnConsents: consents.count - active.count, faceDecisions30Days: decisions)
    }
}

/// One entry of the face-data processing log.
struct FaceProcessingRead: Content {
    let id: UUID
    let personID: UUID
    let person: String
    let action: FaceProcessing.Action
    /// Who did it: a masked name or a device name.
    let actor: String
    let vectors: Int
    let at: Date

    static func list(_ rows: [FaceProcessing], on db: any Database) async throws -> [FaceProcessingRead] {
        let people = try await Person.byID(
            rows.flatMap { [$0.personID] + ($0.actorPersonID.map { [$0] } ?? []) }, on: db)
        let devices = try await Device.byID(rows.compactMap(\.actorDeviceID), on: db)
        return try rows.map { row in
            FaceProcessingRead(
                id: try row.requireID(), personID: row.personID,
                person: people[row.personID].map { MaskedName.of($0.name) } ?? "",
                action: row.action,
                actor: row.actorDeviceID.flatMap { devices[$0]?.name }
                    ?? row.actorPersonID.flatMap { people[$0] }.map { MaskedName.of($0.name) } ?? "",
                vectors: row.vectors, at: row.at)
        }
    }
}

extension Sorting {
    static let accessEvents = Sorting(keys: ["at"], defaultSort: "-at")
    static let faceProcessing = Sorting(keys: ["at"], defaultSort: "-at")
    static let passes = Sorting(keys: ["valid_from", "created_at"], defaultSort: "-created_at")
}

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
                tag: "access", authenticated: false, body: object, response: object), in: app
        ) { req in try await AccessService.decide(req) }
        open.register(
            .init(
                method: .POST, path: "/api/v1/devices/access/enrol", operationID: "enrolFace",
                summary: "Enrolment terminal: store a face vector of a person who consented (device token as bearer)",
                tag: "access", authenticated: false, body: object, status: .created, response: object), in: app
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
                tag: "access", authenticated: false, response: object,
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
                tag: "access", authenticated: false, response: object), in: app
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
                summary: "Edge terminal: decisions it made itself, in batches, idempotent by event id", tag: "access",
                authenticated: false, body: Schema.array(object), response: object), in: app
        ) { req in
            let (device, gates) = try await AccessService.terminal(req)
            let stored = try await AccessSync.upload(
                try req.decode([EdgeEvent].self), from: device, gates: gates, on: req)
            return ["stored": stored]
        }
        api.register(
            .init(
                method: .GET, path: "/api/v1/me/access/consent", operationID: "getFaceConsent",
                summary: "The face-recognition consent text version and my (and my children's) consents", tag: "access",
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
                tag: "access", body: object, status: .created, response: object), in: app
        ) { req in Created(value: ConsentRead(try await giveConsent(try req.decode(ConsentInput.self), on: req))) }
        api.register(
            .init(
                method: .DELETE, path: "/api/v1/me/access/consent/{personID}", operationID: "withdrawFaceConsent",
                summary: "Withdraw consent: the face vectors are deleted and leave matching at once",
                tag: "access", status: .noContent, query: [.init(name: "communityID", schema: Schema.uuid)]), in: app
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
                summary: "My rotating gate QR payload (changes every 30 s)", tag: "access", response: object), in: app
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
                summary: "Gate decisions about me and my households' visitor passes", tag: "access",
                response: Schema.page(of: "AccessEvent"), query: Endpoint.listQuery(.accessEvents)), in: app
        ) { req in
            let options = try req.listOptions(.accessEvents)
            return try await history(for: try req.user().principal, on: req.db).page(options, map: EventRead.init)
        }
        api.register(
            .init(
                method: .POST, path: "/api/v1/me/visitor-passes", operationID: "createVisitorPass",
                summary: "A pass for a visitor: time window and entries; answers its QR and a PIN (shown once)",
                tag: "access", body: object, status: .created, response: object), in: app
        ) { req in Created(value: try await createPass(try req.decode(PassInput.self), on: req)) }
        api.register(
            .init(
                method: .GET, path: "/api/v1/me/visitor-passes", operationID: "listVisitorPasses",
                summary: "My households' visitor passes", tag: "access", response: Schema.page(of: "VisitorPass"),
                query: Endpoint.listQuery(.passes)), in: app
        ) { req in
            let options = try req.listOptions(.passes)
            return try await VisitorPass.query(on: req.db).madeInHomes(of: try req.user().principal).page(
                options, map: PassRead.init)
        }
        api.register(
            .init(
                method: .POST, path: "/api/v1/me/visitor-passes/{passID}/revoke", operationID: "revokeVisitorPass",
                summary: "Revoke a pass", tag: "access", response: object), in: app
        ) { req in try PassRead(try await revokePass(try req.id("passID"), on: req)) }
        registerOperators(app, api)
    }

    static func registerOperators(_ app: Application, _ api: any RoutesBuilder) {
        api.register(
            .init(
                method: .POST, path: c + "/gates", operationID: "createGate", summary: "Add a gate and its terminals",
                tag: "access", body: object, status: .created, response: object), in: app
        ) { req in
            let id = try await RegistryAPI.communityID(req, { .manageDevices($0) })
            let input = try req.decode(GateInput.self)
            var v = Validation()
            let name = v.text(input.name, "name", max: 60) ?? ""
            if input.kind == .building, input.buildingID == nil { v.fail("buildingID", "missing_value") }
            try v.check()
            if let building = input.buildingID { _ = try await Building.find(building, in: id, on: req.db) }
            for device in input.deviceIDs { _ = try await Device.find(device, in: id, on: req.db) }
            if try await Gate.scoped(to: id, on: req.db).filter(\.$name == name).first() != nil {
                throw LinliError(.conflict)
            }
            let gate = Gate()
            gate.communityID = id
            gate.name = name
            gate.kind = input.kind
            gate.buildingID = input.buildingID
            gate.deviceIDs = input.deviceIDs
            try await req.db.writeTransaction { db in
                try await gate.create(on: db)
                try await Audit.record(.create, "gate", id: gate.id, community: id, after: name, by: req, on: db)
            }
            return Created(
                value: GateRead(
                    id: try gate.requireID(), name: gate.name, kind: gate.kind, buildingID: gate.buildingID,
                    deviceIDs: gate.deviceIDs))
        }
        api.register(
            .init(
                method: .GET, path: c + "/gates", operationID: "listGates", summary: "Gates and their terminals",
                tag: "access", response: Schema.array(object)), in: app
        ) { req in
            let id = try await RegistryAPI.communityID(req, { .viewDevices($0) })
            return try await Gate.scoped(to: id, on: req.db).sort(\.$name).all().map {
                GateRead(
                    id: try $0.requireID(), name: $0.name, kind: $0.kind, buildingID: $0.buildingID,
                    deviceIDs: $0.deviceIDs)
            }
        }
        api.register(
            .init(
                method: .PUT, path: c + "/access-settings", operationID: "setAccessSettings",
                summary: "Server face matching (premises or further consent), match and liveness thresholds",
                tag: "access", body: object, response: object), in: app
        ) { req in
            let id = try await RegistryAPI.communityID(req, { .manageDevices($0) })
            let input = try req.decode(AccessSettingsInput.self)
            var v = Validation()
            v.range(input.matchThreshold, "matchThreshold", 0.0...1.0)
            v.range(input.livenessThreshold, "livenessThreshold", 0.0...1.0)
            try v.check()
            let row = try await AccessService.settings(id, on: req.db)
            row.serverMatching = input.serverMatching
            if let threshold = input.matchThreshold { row.matchThreshold = threshold }
            if let threshold = input.livenessThreshold { row.livenessThreshold = threshold }
            if let required = input.livenessRequired { row.livenessRequired = required }
            try await req.db.writeTransaction { db in
                try await row.save(on: db)
                try await Audit.record(
                    .update, "access_settings", id: row.id, community: id, after: input, by: req, on: db)
            }
            return input
        }
        api.register(
            .init(
                method: .POST, path: c + "/credentials", operationID: "issueCredential",
                summary: "Register a card or PIN for a resident or staff member (stored as a hash)", tag: "access",
                body: object, status: .created), in: app
        ) { req in
            let id = try await RegistryAPI.communityID(req, { .manageDevices($0) })
            let input = try req.decode(CredentialInput.self)
            var v = Validation()
            if !["card", "pin"].contains(input.kind) { v.fail("kind", "invalid_value") }
            if input.kind == "pin", !(4...8).contains(input.value.count) || !input.value.allSatisfy(\.isNumber) {
                v.fail("value", "invalid_value")
            }
            v.text(input.value, "value", max: 128)
            try v.check()
            try await requireMember(input.personID, of: id, on: req)
            let row = AccessCredential()
            row.communityID = id
            row.personID = input.personID
            row.kind = input.kind
            row.valueHash = try await req.application.accessDirectory.credentialKey(id, on: req.db).hash(input.value)
            row.createdAt = req.clock.now()
            row.revoked = false
            if try await AccessCredential.query(on: req.db).filter(\.$communityID == id).filter(\.$kind == row.kind)
                .filter(\.$valueHash == row.valueHash).first() != nil
            {
                throw LinliError(.conflict)
            }
            try await req.db.writeTransaction { db in
                try await row.create(on: db)
                try await AccessSync.record(row.kind, row.id, "add", community: id, at: row.createdAt, on: db)
                try await Audit.record(
                    .create, "credential", id: row.id, community: id, after: input.kind, by: req, on: db)
            }
            return Response(status: .created)
        }
        api.register(
            .init(
                method: .POST, path: c + "/deny-list", operationID: "denyPerson", summary: "Keep a person out",
                tag: "access", body: object, status: .created), in: app
        ) { req in
            let id = try await RegistryAPI.communityID(req, { .handleAlarms($0) })
            struct Input: Content {
                let personID: UUID
                let reason: String
            }
            let input = try req.decode(Input.self)
            try await deny(input.personID, reason: input.reason, in: id, on: req)
            return Response(status: .created)
        }
        api.register(
            .init(
                method: .GET, path: c + "/access-events", operationID: "listAccessEvents",
                summary: "The access log, newest first (the console exports it as CSV)", tag: "access",
                response: Schema.page(of: "AccessEvent"),
                query: Endpoint.listQuery(.accessEvents) + AccessLogFilter.parameters), in: app
        ) { req in
            let id = try await RegistryAPI.communityID(req, { .viewDevices($0) })
            let options = try req.listOptions(.accessEvents)
            let filter = try AccessLogFilter(req)
            return try await filter.apply(AccessEvent.scoped(to: id, on: req.db)).page(options, map: EventRead.init)
        }
        api.register(
            .init(
                method: .DELETE, path: c + "/deny-list/{personID}", operationID: "undenyPerson",
                summary: "Take a person off the deny list", tag: "access", status: .noContent), in: app
        ) { req in
            let id = try await RegistryAPI.communityID(req, { .handleAlarms($0) })
            try await undeny(try req.id("personID"), in: id, on: req)
            return NoContent()
        }
        api.register(
            .init(
                method: .GET, path: c + "/face-data", operationID: "getFaceData",
                summary: "How many people's faces are held (the 100,000 filing threshold) and where", tag: "access",
                response: object), in: app
        ) { req in
            let id = try await RegistryAPI.communityID(req, { .manageDevices($0) })
            return try await FaceDataRead.of(community: id, on: req)
        }
        api.register(
            .init(
                method: .GET, path: c + "/face-data/log", operationID: "listFaceProcessing",
                summary: "The processing log of face data: consents, enrolments, withdrawals and deletions",
                tag: "access", response: Schema.page(of: "FaceProcessing"), query: Endpoint.listQuery(.faceProcessing)),
            in: app
        ) { req in
            let id = try await RegistryAPI.communityID(req, { .manageDevices($0) })
            let options = try req.listOptions(.faceProcessing)
            let page = try await FaceProcessing.scoped(to: id, on: req.db).page(options) { $0 }
            return ListPage(items: try await FaceProcessingRead.list(page.items, on: req.db), metadata: page.metadata)
        }
    }

    struct ConsentStatus: Content {
        let version: String
        let consents: [ConsentRead]
    }

    struct QRRead: Content {
        let payload: String
        let refreshIn: Int
    }

    static func giveConsent(_ input: ConsentInput, on req: Request) async throws -> FaceConsent {
        let user = try req.user()
        let subject = input.personID ?? user.principal.personID
        guard user.principal.communities.contains(input.communityID) else { throw LinliError(.notFound) }
        guard input.version == FaceConsentText.version else { throw LinliError.invalid("version", "outdated_consent") }
        if subject != user.principal.personID {
            // A guardian consents for a child under 14 of one of their households: the household's owner or
            // a guardian the operators registered; a tenant sharing the flat may not.
            guard let child = try await Person.find(subject, on: req.db) else { throw LinliError(.notFound) }
            let standing = try await Guardians.standing(of: user.principal, for: subject, on: req.db)
            guard standing != .stranger else { throw LinliError(.notFound) }
            guard Guardians.isChild(child, now: req.clock.now()), standing == .guardian else {
                throw LinliError(.forbidden)
            }
        }
        let consent = FaceConsent()
        consent.communityID = input.communityID
        consent.personID = subject
        consent.version = input.version
        consent.acceptedAt = req.clock.now()
        consent.givenBy = user.principal.personID
        consent.serverMatching = input.serverMatching ?? false
        try await req.db.writeTransaction { db in
            try await consent.create(on: db)
            try await FaceProcessing.record(
                consent.serverMatching ? .serverConsent : .consent, person: subject, community: input.communityID,
                actorPerson: consent.givenBy, at: consent.acceptedAt, on: db)
        }
        if consent.serverMatching { try req.application.faceGalleries.reload(input.communityID) }
        return consent
    }

    static func activeConsent(person: UUID, community: UUID, on db: any Database) async throws -> FaceConsent? {
        try await FaceConsent.query(on: db).filter(\.$personID == person).filter(\.$communityID == community)
            .filter(\.$withdrawnAt == nil).filter(\.$version == FaceConsentText.version).first()
    }

    static func enrol(_ input: EnrolInput, from device: DeviceRef, on req: Request) async throws -> [String: String] {
        let community = device.communityID
        guard let consent = try await activeConsent(person: input.personID, community: community, on: req.db) else {
            throw LinliError.invalid("personID", "no_consent")
        }
        var v = Validation()
        v.text(input.model, "model", max: 64)
        try v.check()
        guard FaceGallery<UUID>.dimensions.contains(input.vector.count) else {
            throw AccessService.badVector("vector", "wrong_dimension")
        }
        guard input.vector.allSatisfy(\.isFinite), input.vector.contains(where: { $0 != 0 }) else {
            throw AccessService.badVector("vector", "not_finite")
        }
        let galleries = try req.application.faceGalleries
        if let dimension = try await galleries.dimension(community: community, model: input.model, on: req.db),
            dimension != input.vector.count
        {
            throw AccessService.badVector("vector", "wrong_dimension")
        }
        let row = FaceVector()
        row.id = UUID()
        row.communityID = community
        row.personID = input.personID
        row.model = input.model
        row.dimension = input.vector.count
        row.sealed = try req.application.faceVault.seal(input.vector)
        row.createdAt = req.clock.now()
        try await req.db.writeTransaction { db in
            try await row.create(on: db)
            try await AccessSync.record("face", row.id, "add", community: community, at: row.createdAt, on: db)
            try await FaceProcessing.record(
                .enrol, person: row.personID, community: community, actorDevice: device.id, vectors: 1,
                at: row.createdAt,
                on: db)
        }
        try galleries.add(row, vector: input.vector, serverMatching: consent.serverMatching)
        return ["id": try row.requireID().uuidString]
    }

    static func withdraw(person: UUID, community: UUID, on req: Request) async throws {
        let user = try req.user()
        let consents = try await FaceConsent.query(on: req.db).filter(\.$personID == person)
            .filter(\.$communityID == community).filter(\.$withdrawnAt == nil).all()
        guard !consents.isEmpty else { throw LinliError(.notFound) }
        // The person, whoever gave the consent, or another of the child's guardians may withdraw it.
        if person != user.principal.personID, !consents.contains(where: { $0.givenBy == user.principal.personID }) {
            guard try await Guardians.standing(of: user.principal, for: person, on: req.db) == .guardian else {
                throw LinliError(.notFound)
            }
        }
        let vectors = try await FaceVector.query(on: req.db).filter(\.$personID == person).filter(
            \.$communityID == community
        ).all()
        let now = req.clock.now()
        try await req.db.writeTransaction { db in
            for consent in consents {
                consent.withdrawnAt = now
                try await consent.save(on: db)
            }
            try await FaceVector.query(on: db).filter(\.$personID == person).filter(\.$communityID == community)
                .delete()
            for vector in vectors {
                try await AccessSync.record("face", vector.id, "remove", community: community, at: now, on: db)
            }
            try await FaceProcessing.record(
                .withdraw, person: person, community: community, actorPerson: user.principal.personID, at: now, on: db)
            try await FaceProcessing.record(
                .delete, person: person, community: community, actorPerson: user.principal.personID,
                vectors: vectors.count, at: now, on: db)
        }
        try req.application.faceGalleries.remove(vectors: vectors)
    }

    /// Decisions about a person and about their households' visitor passes.
    static func history(for principal: Principal, on db: any Database) async throws -> QueryBuilder<AccessEvent> {
        let passes = try await VisitorPass.query(on: db).madeInHomes(of: principal).all(\.$id)
        return AccessEvent.query(on: db).group(.or) { either in
            either.filter(\.$personID == principal.personID)
            if !passes.isEmpty { either.filter(\.$passID ~~ passes) }
        }
    }

    /// Revokes a pass of one of the caller's households, and its PIN; terminals drop both at their next sync.
    static func revokePass(_ id: UUID, on req: Request) async throws -> VisitorPass {
        guard let pass = try await VisitorPass.find(id, on: req.db) else { throw LinliError(.notFound) }
        try req.authorize(.viewHouseholdRecord(household: pass.householdID, madeAt: pass.createdAt))
        pass.revoked = true
        let pins = try await AccessCredential.query(on: req.db).filter(\.$passID == pass.requireID()).all()
        let now = req.clock.now()
        try await req.db.writeTransaction { db in
            try await pass.save(on: db)
            try await AccessCredential.query(on: db).filter(\.$passID == pass.requireID()).set(\.$revoked, to: true)
                .update()
            try await AccessSync.record("pass", pass.id, "remove", community: pass.communityID, at: now, on: db)
            for pin in pins {
                try await AccessSync.record("pin", pin.id, "remove", community: pass.communityID, at: now, on: db)
            }
        }
        return pass
    }

    /// Puts a person on a community's deny list (audited; terminals get it at their next sync).
    static func deny(_ person: UUID, reason: String, in community: UUID, on req: Request) async throws {
        try req.authorize(.handleAlarms(community))
        try await requireMember(person, of: community, on: req)
        var v = Validation()
        let reason = v.text(reason, "reason", max: 200) ?? ""
        try v.check()
        if try await DenyEntry.query(on: req.db).filter(\.$communityID == community).filter(\.$personID == person)
            .first() != nil
        {
            throw LinliError(.conflict)
        }
        let row = DenyEntry()
        row.communityID = community
        row.personID = person
        row.reason = reason
        row.createdAt = req.clock.now()
        try await req.db.writeTransaction { db in
            try await row.create(on: db)
            try await AccessSync.record("deny", row.id, "add", community: community, at: row.createdAt, on: db)
            try await Audit.record(
                .create, "deny_list", id: row.id, community: community, after: reason, by: req, on: db)
        }
    }

    /// Takes a person off a community's deny list (audited; terminals drop the entry at their next sync).
    static func undeny(_ person: UUID, in community: UUID, on req: Request) async throws {
        try req.authorize(.handleAlarms(community))
        guard
            let row = try await DenyEntry.query(on: req.db).filter(\.$communityID == community)
                .filter(\.$personID == person).first()
        else { throw LinliError(.notFound) }
        try await req.db.writeTransaction { db in
            try await row.delete(on: db)
            try await AccessSync.record("deny", row.id, "remove", community: community, at: req.clock.now(), on: db)
            try await Audit.record(
                .delete, "deny_list", id: row.id, community: community, before: row.reason, by: req, on: db)
        }
    }

    /// A person who lives or works in the community, or a 404.
    static func requireMember(_ person: UUID, of community: UUID, on req: Request) async throws {
        let lives = try await Membership.query(on: req.db).filter(\.$personID == person).filter(
            \.$communityID == community
        )
        .first()
        let works = try await StaffAssignment.query(on: req.db).filter(\.$personID == person)
            .filter(\.$communityID == community).first()
        guard lives != nil || works != nil else { throw LinliError(.notFound) }
    }

    static func qrSecret(for person: UUID, on db: any Database) async throws -> QRSecret {
        if let row = try await QRSecret.query(on: db).filter(\.$personID == person).first() { return row }
        let row = QRSecret()
        row.personID = person
        row.handle = Secret.alphanumeric(12)
        row.secret = Data([UInt8].random(count: 32))
        try await row.create(on: db)
        return row
    }

    static func createPass(_ input: PassInput, on req: Request) async throws -> PassCreated {
        let user = try req.user()
        guard let community = user.principal.households[input.householdID],
            let household = try await Household.find(input.householdID, on: req.db)
        else { throw LinliError(.notFound) }
        var v = Validation()
        let name = v.text(input.visitorName, "visitorName", max: 50) ?? ""
        v.range(input.entries, "entries", 1...50)
        if input.validUntil <= input.validFrom { v.fail("validUntil", "out_of_range") }
        if input.validUntil.timeIntervalSince(input.validFrom) > 30 * 86_400 { v.fail("validUntil", "out_of_range") }
        if let phone = input.visitorPhone, PhoneNumber(phone) == nil { v.fail("visitorPhone", "invalid_phone") }
        try v.check()
        let pass = VisitorPass()
        pass.id = UUID()
        pass.communityID = community
        pass.householdID = input.householdID
        pass.buildingID = household.buildingID
        pass.createdBy = user.principal.personID
        pass.visitorName = name
        pass.visitorPhone = input.visitorPhone.flatMap(PhoneNumber.init)?.digits
        pass.validFrom = input.validFrom
        pass.validUntil = input.validUntil
        pass.entriesAllowed = input.entries
        pass.entriesUsed = 0
        pass.revoked = false
        pass.qrToken = Secret.alphanumeric(24)
        pass.createdAt = req.clock.now()
        let key = try await req.application.accessDirectory.credentialKey(community, on: req.db)
        let pin = try await req.db.writeTransaction { db -> String in
            try await pass.create(on: db)
            var pin = String(format: "%06d", Int.random(in: 0..<1_000_000))
            for _ in 0..<10 {
                let candidate = String(format: "%06d", Int.random(in: 0..<1_000_000))
                if try await AccessCredential.query(on: db).filter(\.$communityID == community).filter(\.$kind == "pin")
                    .filter(\.$valueHash == key.hash(candidate)).first() == nil
                {
                    pin = candidate
                    break
                }
            }
            let credential = AccessCredential()
            credential.communityID = community
            credential.passID = pass.id
            credential.kind = "pin"
            credential.valueHash = key.hash(pin)
            credential.createdAt = req.clock.now()
            credential.revoked = false
            try await credential.create(on: db)
            try await AccessSync.record("pass", pass.id, "add", community: community, at: pass.createdAt, on: db)
            try await AccessSync.record("pin", credential.id, "add", community: community, at: pass.createdAt, on: db)
            return pin
        }
        return PassCreated(pass: try PassRead(pass), pin: pin)
    }
}

extension AccessSettingsInput: Encodable {}

/// OpenAPI schemas of the access lists.
enum AccessSchemas {
    static let all: [(String, JSONValue)] = [
        (
            "FaceProcessing",
            Schema.object(
                [
                    ("id", Schema.uuid), ("personID", Schema.uuid), ("person", Schema.string()),
                    ("action", Schema.enumeration(FaceProcessing.Action.allCases.map(\.rawValue))),
                    ("actor", Schema.string()), ("vectors", Schema.integer()), ("at", Schema.dateTime),
                ], required: ["id", "personID", "person", "action", "actor", "vectors", "at"])
        ),
        (
            "AccessEvent",
            Schema.object(
                [
                    ("id", Schema.uuid), ("gateID", Schema.nullable(Schema.uuid)),
                    ("personID", Schema.nullable(Schema.uuid)),
                    ("passID", Schema.nullable(Schema.uuid)), ("method", Schema.string()), ("allow", Schema.bool),
                    ("reason", Schema.enumeration(GateReason.allCases.map(\.rawValue))),
                    ("score", Schema.nullable(Schema.number)),
                    ("at", Schema.dateTime),
                ], required: ["id", "method", "allow", "reason", "at"])
        ),
        (
            "VisitorPass",
            Schema.object(
                [
                    ("id", Schema.uuid), ("householdID", Schema.uuid), ("visitorName", Schema.string()),
                    ("validFrom", Schema.dateTime), ("validUntil", Schema.dateTime),
                    ("entriesAllowed", Schema.integer()),
                    ("entriesUsed", Schema.integer()), ("revoked", Schema.bool), ("qr", Schema.string()),
                ],
                required: [
                    "id", "householdID", "visitorName", "validFrom", "validUntil", "entriesAllowed", "entriesUsed",
                    "revoked", "qr",
                ])
        ),
    ]
}

/// Gate access: gates, consent and face enrolment, decisions, QR, visitor passes.
/// The strings of this feature (`AccessStrings` tables beside it).
enum AccessStrings: LocalizedStrings {}

enum Access: Feature {
    static var strings: (any LocalizedStrings.Type)? { AccessStrings.self }

    static func register(_ app: Application) throws {
        app.migrations.add(CreateAccess())
        app.migrations.add(CreateFaceProcessingLog())
        app.migrations.add(CreateLockCodes())
        app.migrations.add(CreateAccessChanges())
        app.migrations.add(CreateCredentialKey())
        app.migrations.add(KeyAccessCredentialHashes())
        try app.prepareFaces()
        app.migrations.add(AddLivenessRequired())
        app.prepareAccessLog()
        app.prepareAccessDirectory()
        let hub = app.deviceHub
        let galleries = try app.faceGalleries
        let directory = try app.accessDirectory
        app.departures.onDeparture { departure, db in
            try await AccessDeparture.takeBack(departure, hub: hub, on: db)
            // The gallery in memory and the directory learn it at once.
            galleries.reload(departure.community)
            directory.forgetAll()
        }
        app.lifecycle.use(AccessLogFlush())
        AccessAPI.register(app)
        AccessPages.register(app.pages)
        app.openAPIComponents.add(AccessSchemas.all)
        Locks.register(app)
    }
}

/// Writes the access-log rows still waiting for their group commit before the server stops.
struct AccessLogFlush: LifecycleHandler {
    func shutdownAsync(_ app: Application) async {
        await (try? app.accessLog)?.idle()
    }
}

/// The access log's search: result, gate, method, days (China time). One filter for the API, the console
/// table and the CSV export.
struct AccessLogFilter {
    var allow: Bool?
    var gateID: UUID?
    var method: String?
    var from: CivilDate?
    var to: CivilDate?

    static let parameters: [Endpoint.Parameter] = [
        .init(name: "allow", schema: Schema.bool), .init(name: "gateID", schema: Schema.uuid),
        .init(name: "method", schema: Schema.enumeration(["face", "card", "pin", "qr"])),
        .init(name: "from", schema: Schema.date), .init(name: "to", schema: Schema.date),
    ]

    init() {}

    /// From the query string; a malformed value is a 400 naming it, an empty one means no filter.
    init(_ req: Request) throws {
        func text(_ name: String) -> String? { (req.query[String.self, at: name]).flatMap { $0.isEmpty ? nil : $0 } }
        func bad(_ name: String) -> LinliError {
            LinliError(.invalidListQuery, ["field": name], issues: [FieldIssue(field: name, reason: "invalid_value")])
        }
        if let value = text("allow") {
            guard let flag = Bool(value) else { throw bad("allow") }
            allow = flag
        }
        if let value = text("gateID") {
            guard let id = UUID(uuidString: value) else { throw bad("gateID") }
            gateID = id
        }
        if let value = text("method") {
            guard ["face", "card", "pin", "qr"].contains(value) else { throw bad("method") }
            method = value
        }
        if let value = text("from") {
            guard let day = CivilDate(value) else { throw bad("from") }
            from = day
        }
        if let value = text("to") {
            guard let day = CivilDate(value) else { throw bad("to") }
            to = day
        }
    }

    func apply(_ query: QueryBuilder<AccessEvent>) -> QueryBuilder<AccessEvent> {
        var query = query
        if let allow { query = query.filter(\.$allow == allow) }
        if let gateID { query = query.filter(\.$gateID == gateID) }
        if let method { query = query.filter(\.$method == method) }
        if let from { query = query.filter(\.$at >= Calendar.chinaStart(of: from)) }
        if let to { query = query.filter(\.$at < Calendar.chinaStart(of: to).addingTimeInterval(86_400)) }
        return query
    }

    /// The same filter as a query string (for the CSV link of a filtered console table).
    var queryString: String {
        var pairs: [String] = []
        if let allow { pairs.append("allow=\(allow)") }
        if let gateID { pairs.append("gateID=\(gateID)") }
        if let method { pairs.append("method=\(method)") }
        if let from { pairs.append("from=\(from)") }
        if let to { pairs.append("to=\(to)") }
        return pairs.isEmpty ? "" : "?" + pairs.joined(separator: "&")
    }
}
