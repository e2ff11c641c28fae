import Fluent
import Foundation
import LinliCore
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// Gate decisions: identify the credential, apply `GateRules`, log the decision once per event id.
enum AccessService {
    static func settings(_ community: UUID, on db: any Database) async throws -> AccessSettings {
        if let row = try await AccessSettings.query(on: db).filter(\.$communityID == community).first() { return row }
        let row = AccessSettings()
        row.communityID = community
        row.serverMatching = false
        row.matchThreshold = 0.5
        row.livenessThreshold = 0.8
        return row
    }

    /// The device of a `Authorization: Bearer <device token>` header.
    static func device(_ req: Request) async throws -> DeviceRef {
        guard let token = req.headers.bearerAuthorization?.token else { throw LinliError(.invalidDeviceToken) }
        return try await req.deviceHub.authenticate(token)
    }

    /// Device types that stand at a gate and may use the terminal endpoints.
    static let terminalTypes: Set<String> = ["face_gate", "access_reader"]

    /// The device of the request, when it is a gate terminal attached to at least one gate, with the
    /// gates it serves; any other device of the community (a soil sensor, a TV box) gets 403.
    static func terminal(_ req: Request, enrolling: Bool = false) async throws
        -> (DeviceRef, [AccessDirectory.GateInfo])
    {
        let device = try await device(req)
        guard terminalTypes.contains(device.type), !enrolling || device.type == "face_gate" else {
            throw LinliError(.notATerminal)
        }
        let gates = try await req.application.accessDirectory.gates(
            servedBy: device.id, community: device.communityID, on: req.db)
        guard !gates.isEmpty else { throw LinliError(.notATerminal) }
        return (device, gates)
    }

    static func decide(_ req: Request) async throws -> DecideAnswer {
        let started = Date()
        let (device, _) = try await terminal(req)
        let input = try req.withJSONBody { bytes in
            do throws(DecideInput.Problem) {
                return try DecideInput.parse(bytes)
            } catch {
                throw LinliError(
                    .invalidBody, ["field": error.field], issues: [FieldIssue(field: error.field, reason: error.reason)]
                )
            }
        }
        var v = Validation()
        v.text(input.eventId, "eventId", max: 100)
        let method = AccessMethod(rawValue: input.method)
        if method == nil { v.fail("method", "invalid_value") }
        let gateID = UUID(uuidString: input.gate)
        if gateID == nil { v.fail("gate", "invalid_value") }
        if let direction = input.direction, !AccessEvent.directions.contains(direction) {
            v.fail("direction", "invalid_value")
        }
        try v.check()
        guard let method else { throw LinliError.invalid("method", "invalid_value") }
        let now = req.clock.now()
        let directory = try req.application.accessDirectory
        let recent = try req.application.recentDecisions
        let eventKey = device.id.uuidString + "/" + input.eventId
        var lookup = recent.lookup(eventKey, ts: input.ts, now: now)
        if case .unwarmed = lookup {
            try await recent.warm(directory: directory, on: req.db)
            lookup = recent.lookup(eventKey, ts: input.ts, now: now)
        }
        switch lookup {
        case .answered(let known): return known
        case .new: break
        case .unknown, .unwarmed:
            if let done = try await AccessEvent.query(on: req.db).filter(\.$deviceID == device.id)
                .filter(\.$eventID == input.eventId).first()
            {
                return try await answer(done, directory: directory, on: req.db)
            }
        }
        guard let gateID, let gate = try await directory.gate(gateID, on: req.db), gate.community == device.communityID
        else { throw LinliError.invalid("gate", "unknown_gate") }
        guard gate.devices.contains(device.id) else { throw LinliError(.forbidden) }
        let community = gate.community

        var person: UUID?
        var pass: VisitorPass?
        var score: Double?
        var reason: GateReason?
        switch method {
        case .face:
            let settings = try await directory.settings(community, on: req.db)
            guard let vector = input.vector, let model = input.model, !model.isEmpty else {
                throw AccessService.badVector("vector", "missing_value")
            }
            let galleries = try req.application.faceGalleries
            guard let dimension = try await galleries.dimension(community: community, model: model, on: req.db) else {
                throw AccessService.badVector("model", "unknown_model")
            }
            guard vector.count == dimension else { throw AccessService.badVector("vector", "wrong_dimension") }
            guard vector.allSatisfy(\.isFinite), vector.contains(where: { $0 != 0 }) else {
                throw AccessService.badVector("vector", "not_finite")
            }
            if !settings.serverMatching {
                reason = .faceNotEnabled
            } else if input.liveness == nil, settings.livenessRequired {
                reason = .livenessFailed
            } else if let liveness = input.liveness, liveness < settings.livenessThreshold {
                reason = .livenessFailed
            } else if let (match, similarity) = try await galleries.best(
                community: community, model: model, probe: vector, on: req.db), similarity >= settings.matchThreshold
            {
                person = match
                score = similarity
            } else {
                reason = .noMatch
            }
        case .card, .pin:
            guard let credential = input.credential, !credential.isEmpty, credential.count <= 128 else {
                throw LinliError.invalid("credential", "missing_value")
            }
            if let row = try await AccessCredential.query(on: req.db).filter(\.$communityID == community)
                .filter(\.$kind == (method == .pin ? CredentialKind.pin : .card))
                .filter(\.$valueHash == (try await directory.credentialKey(community, on: req.db)).hash(credential))
                .filter(\.$revoked == false).first()
            {
                person = row.personID
                if let passID = row.passID { pass = try await VisitorPass.find(passID, on: req.db) }
            } else {
                reason = .unknownCredential
            }
        case .qr:
            guard let credential = input.credential, credential.count <= 200 else {
                throw LinliError.invalid("credential", "missing_value")
            }
            if credential.hasPrefix("P1:") {
                pass = try await VisitorPass.query(on: req.db).filter(\.$qrToken == String(credential.dropFirst(3)))
                    .first()
                if pass == nil { reason = .unknownCredential }
            } else if let (handle, code) = RotatingCode.parse(credential),
                let secret = try await QRSecret.query(on: req.db).filter(\.$handle == handle).first()
            {
                switch RotatingCode.verify(code, secret: Array(secret.secret), now: now, lastUsed: secret.lastWindow) {
                case .valid(let window):
                    // One use per window even when two gates read the same code at the same moment.
                    let secretID = try secret.requireID()
                    let used = try await req.db.conditionalUpdate(QRSecret.schema) {
                        $0.set("last_window", to: window).where("id", .equal, secretID).where {
                            $0.where("last_window", .is, SQLLiteral.null).orWhere("last_window", .lessThan, window)
                        }
                    }
                    if used == 1 { person = secret.personID } else { reason = .qrReplayed }
                case .expired: reason = .qrExpired
                case .replayed: reason = .qrReplayed
                case .invalid: reason = .unknownCredential
                }
            } else {
                reason = .unknownCredential
            }
        }

        var allow = false
        if reason == nil {
            let visitor: Visitor
            if let pass {
                visitor = .pass(
                    PassFacts(
                        community: pass.communityID, building: pass.buildingID, validFrom: pass.validFrom,
                        validUntil: pass.validUntil, entriesAllowed: pass.entriesAllowed, entriesUsed: pass.entriesUsed,
                        revoked: pass.revoked))
            } else if let person {
                visitor =
                    try await directory.person(person, on: req.db)?.visitor(in: community)
                    ?? .person(residences: [], shifts: [:], denied: false)
            } else {
                visitor = .person(residences: [], shifts: [:], denied: false)
            }
            let minute = Calendar.china.component(.hour, from: now) * 60 + Calendar.china.component(.minute, from: now)
            let decision = GateRules.decide(
                visitor, at: GateFacts(community: community, kind: gate.kind, building: gate.building), now: now,
                day: Calendar.chinaDate(now), minute: minute)
            allow = decision.allow
            reason = decision.reason
        }
        let event = AccessEvent()
        event.id = UUID()
        event.communityID = community
        event.gateID = gate.id
        event.deviceID = device.id
        event.eventID = input.eventId
        event.direction = input.direction
        event.personID = person
        event.passID = pass?.id
        event.method = method
        event.allow = allow
        event.reason = reason ?? .noMatch
        event.score = score
        event.latencyMs = Date().timeIntervalSince(started) * 1000
        event.at = now
        event.source = "server"
        var answer = try await answer(event, directory: directory, on: req.db)
        // A repeated event id racing this one gets the first one's answer and makes no second row.
        guard recent.remember(eventKey, answer, at: now) else {
            if case .answered(let first) = recent.lookup(eventKey, ts: nil, now: now) { return first }
            return answer
        }
        do {
            if allow, let pass {
                // The entry is counted by a conditional write in the transaction of its log row: of two
                // gates reading a one-entry pass at once, one opens and the other is told it is used up.
                if try await !countEntry(of: pass, with: event, on: req.db) {
                    event.allow = false
                    event.reason = .passUsedUp
                    answer = try await self.answer(event, directory: directory, on: req.db)
                    recent.replace(eventKey, answer)
                    _ = try await (try req.application.accessLog).submit(event)
                }
            } else {
                // Answered only once the row is committed (one group commit for every gate deciding
                // meanwhile), so an opening the gate was told about survives a crash.
                _ = try await (try req.application.accessLog).submit(event)
            }
        } catch {
            recent.forget(eventKey)
            throw error
        }
        if req.deviceHub.events.watched(community) || req.application.events.isShared,
            let data = try? JSONEncoder.linli.encode(
                AccessFeedEvent(
                    event: "access", gate: gate.name, method: event.method.rawValue, allow: allow, reason: event.reason.rawValue,
                    person: answer.person?.maskedName))
        {
            req.application.events.publish(
                ConsoleFrame(community: community, feed: String(decoding: data, as: UTF8.self)))
        }
        return answer
    }

    /// Counts one entry of the pass and stores the decision's log row, in one transaction; false (and
    /// nothing written) when the pass has no entry left or was revoked meanwhile.
    static func countEntry(of pass: VisitorPass, with event: AccessEvent, on db: any Database) async throws -> Bool {
        let passID = try pass.requireID()
        return try await db.writeTransaction { tx in
            let counted = try await tx.conditionalUpdate(VisitorPass.schema) {
                $0.set(SQLIdentifier("entries_used"), to: SQLRaw("entries_used + 1")).where("id", .equal, passID)
                    .where(SQLIdentifier("entries_used"), .lessThan, SQLIdentifier("entries_allowed"))
                    .where("revoked", .equal, false)
            }
            guard counted == 1 else { return false }
            try await event.create(on: tx)
            return true
        }
    }

    /// A vector or model a terminal should not have sent: 400, naming the field.
    static func badVector(_ field: String, _ reason: String) -> LinliError {
        LinliError(.invalidBody, ["field": field], issues: [FieldIssue(field: field, reason: reason)])
    }

    static func answer(_ event: AccessEvent, directory: AccessDirectory, on db: any Database) async throws
        -> DecideAnswer
    {
        var who: DecidePerson?
        if let id = event.personID, let person = try await directory.person(id, on: db) {
            who = DecidePerson(id: id, maskedName: person.maskedName)
        }
        return DecideAnswer(allow: event.allow, reason: event.reason.rawValue, person: who, score: event.score)
    }
}
