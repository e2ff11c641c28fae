import Fluent
import Foundation
import LinliCore
import SQLKit
import Vapor

/// What a terminal asks at a gate.
struct DecideRequest: Content {
    let gate: UUID
    let method: String
    let vector: [Float]?
    let model: String?
    let credential: String?
    let liveness: Double?
    let eventId: String
    let ts: Int64?
}

struct DecidePerson: Content, Equatable {
    let id: UUID
    let maskedName: String
}

struct DecideAnswer: Content, Equatable {
    let allow: Bool
    let reason: String
    let person: DecidePerson?
    let score: Double?
}

/// A gate decision on the console's live feed.
struct AccessFeedEvent: Content {
    let event: String
    let gate: String
    let method: String
    let allow: Bool
    let reason: String
    let person: String?
}

/// The consent text residents accept before any face data is stored. A new version needs a new consent.
enum FaceConsentText {
    static let version = "2025-06-01.1"
}

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

    static func decide(_ req: Request) async throws -> DecideAnswer {
        let started = Date()
        let device = try await device(req)
        let input = try req.decode(DecideRequest.self)
        var v = Validation()
        v.text(input.eventId, "eventId", max: 100)
        if !["face", "card", "pin", "qr"].contains(input.method) { v.fail("method", "invalid_value") }
        try v.check()
        let recent = try req.application.recentDecisions
        let eventKey = device.id.uuidString + "/" + input.eventId
        if let known = await recent.answer(eventKey) { return known }
        if let done = try await AccessEvent.query(on: req.db).filter(\.$deviceID == device.id)
            .filter(\.$eventID == input.eventId).first()
        {
            return try await answer(done, on: req.db)
        }
        guard let gate = try await Gate.query(on: req.db).filter(\.$id == input.gate).first(),
            gate.communityID == device.communityID
        else { throw LinliError.invalid("gate", "unknown_gate") }
        guard gate.deviceIDs.contains(device.id) else { throw LinliError(.forbidden) }
        let community = gate.communityID
        let now = req.clock.now()

        var person: UUID?
        var pass: VisitorPass?
        var score: Double?
        var reason: GateReason?
        switch input.method {
        case "face":
            let settings = try await settings(community, on: req.db)
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
        case "card", "pin":
            guard let credential = input.credential, !credential.isEmpty, credential.count <= 128 else {
                throw LinliError.invalid("credential", "missing_value")
            }
            if let row = try await AccessCredential.query(on: req.db).filter(\.$communityID == community)
                .filter(\.$kind == input.method).filter(\.$valueHash == Secret.hash(credential))
                .filter(\.$revoked == false).first()
            {
                person = row.personID
                if let passID = row.passID { pass = try await VisitorPass.find(passID, on: req.db) }
            } else {
                reason = .unknownCredential
            }
        default:
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
                    person = secret.personID
                    secret.lastWindow = window
                    try await secret.save(on: req.db)
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
                visitor = try await facts(person, community: community, on: req.db)
            } else {
                visitor = .person(residences: [], shifts: [:], denied: false)
            }
            let minute = Calendar.china.component(.hour, from: now) * 60 + Calendar.china.component(.minute, from: now)
            let decision = GateRules.decide(
                visitor, at: GateFacts(community: community, kind: gate.kind, building: gate.buildingID), now: now,
                day: Calendar.chinaDate(now), minute: minute)
            allow = decision.allow
            reason = decision.reason
            if allow, let pass {
                pass.entriesUsed += 1
                try await pass.save(on: req.db)
            }
        }
        let event = AccessEvent()
        event.id = UUID()
        event.communityID = community
        event.gateID = gate.id
        event.deviceID = device.id
        event.eventID = input.eventId
        event.personID = person
        event.passID = pass?.id
        event.method = input.method
        event.allow = allow
        event.reason = (reason ?? .noMatch).rawValue
        event.score = score
        event.latencyMs = Date().timeIntervalSince(started) * 1000
        event.at = now
        event.source = "server"
        let answer = try await answer(event, on: req.db)
        // The gate gets its answer now; the log row follows in the next group commit (one fsync for
        // every gate that decided meanwhile). Until it is stored, a repeated event id is answered from
        // memory, so it still gets the same answer and makes no second row.
        guard await recent.remember(eventKey, answer) else { return await recent.answer(eventKey) ?? answer }
        await (try req.application.accessLog).enqueue(event)
        if let data = try? JSONEncoder.linli.encode(
            AccessFeedEvent(
                event: "access", gate: gate.name, method: event.method, allow: allow, reason: event.reason,
                person: answer.person?.maskedName))
        {
            await req.deviceHub.events.publish(community: community, String(decoding: data, as: UTF8.self))
        }
        return answer
    }

    /// A vector or model a terminal should not have sent: 400, naming the field.
    static func badVector(_ field: String, _ reason: String) -> LinliError {
        LinliError(.invalidBody, ["field": field], issues: [FieldIssue(field: field, reason: reason)])
    }

    static func answer(_ event: AccessEvent, on db: any Database) async throws -> DecideAnswer {
        var who: DecidePerson?
        if let id = event.personID, let person = try await Person.find(id, on: db) {
            who = DecidePerson(id: id, maskedName: MaskedName.of(person.name))
        }
        return DecideAnswer(allow: event.allow, reason: event.reason, person: who, score: event.score)
    }

    /// Homes, staff roles (on shift all day until shifts are configured) and the deny list of a person.
    static func facts(_ person: UUID, community: UUID, on db: any Database) async throws -> Visitor {
        let memberships = try await Membership.query(on: db).filter(\.$personID == person).all()
        let households = try await Household.byID(memberships.map(\.householdID), on: db)
        let residences = memberships.compactMap { m -> Residence? in
            guard let household = households[m.householdID] else { return nil }
            return Residence(
                community: m.communityID, building: household.buildingID, movedIn: m.movedIn, movedOut: m.movedOut)
        }
        let staff = try await StaffAssignment.query(on: db).filter(\.$personID == person).all()
        var shifts: [UUID: [Shift]] = [:]
        for row in staff { shifts[row.communityID, default: []].append(.allDay) }
        let denied =
            try await DenyEntry.query(on: db).filter(\.$communityID == community).filter(\.$personID == person)
            .first() != nil
        return .person(residences: residences, shifts: shifts, denied: denied)
    }
}

/// Answers of recent decisions by (device, event id), so a repeated event id gets the same answer
/// while its log row is still on its way to the database.
actor RecentDecisions {
    private var answers: [String: DecideAnswer] = [:]
    private var order: [String] = []
    private let capacity = 50_000

    func answer(_ key: String) -> DecideAnswer? { answers[key] }

    /// Records the answer; false when another request of the same event id got there first.
    func remember(_ key: String, _ answer: DecideAnswer) -> Bool {
        guard answers[key] == nil else { return false }
        answers[key] = answer
        order.append(key)
        if order.count > capacity {
            for old in order.prefix(capacity / 10) { answers.removeValue(forKey: old) }
            order.removeFirst(capacity / 10)
        }
        return true
    }
}

/// The access log's writer: decisions are committed in groups (one transaction for all the gates that
/// decided meanwhile); a repeated (device, event id) is not stored twice and answers `false`.
enum AccessLog {
    static func committer(_ db: any Database, logger: Logger) -> GroupCommit<AccessEvent, Bool> {
        GroupCommit(onError: { error in logger.report(error: error) }) { events in
            try await db.writeTransaction { tx in
                guard let sql = tx as? any SQLDatabase else { return events.map { _ in false } }
                var insert = sql.insert(into: AccessEvent.schema).columns(
                    "id", "community_id", "gate_id", "device_id", "event_id", "person_id", "pass_id", "method", "allow",
                    "reason", "score", "latency_ms", "at", "source")
                for e in events {
                    insert = insert.values(
                        SQLBind(e.id), SQLBind(e.communityID), SQLBind(e.gateID), SQLBind(e.deviceID),
                        SQLBind(e.eventID),
                        SQLBind(e.personID), SQLBind(e.passID), SQLBind(e.method), SQLBind(e.allow), SQLBind(e.reason),
                        SQLBind(e.score), SQLBind(e.latencyMs), SQLBind(e.at), SQLBind(e.source))
                }
                let rows = try await insert.ignoringConflicts(with: ["device_id", "event_id"]).returning("id").all()
                let inserted = Set(try rows.map { try $0.decode(column: "id", as: UUID.self) })
                return events.map { $0.id.map(inserted.contains) ?? false }
            }
        }
    }
}

extension Application {
    private struct AccessLogKey: StorageKey { typealias Value = GroupCommit<AccessEvent, Bool> }

    var accessLog: GroupCommit<AccessEvent, Bool> {
        get throws {
            guard let log = storage[AccessLogKey.self] else { throw LinliError(.unavailable) }
            return log
        }
    }

    func prepareAccessLog() {
        storage[AccessLogKey.self] = AccessLog.committer(db, logger: logger)
        storage[RecentDecisionsKey.self] = RecentDecisions()
    }

    private struct RecentDecisionsKey: StorageKey { typealias Value = RecentDecisions }

    var recentDecisions: RecentDecisions {
        get throws {
            guard let recent = storage[RecentDecisionsKey.self] else { throw LinliError(.unavailable) }
            return recent
        }
    }
}
