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
        method = e.method.rawValue
        allow = e.allow
        reason = e.reason.rawValue
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
        let decisions = try await AccessEvent.scoped(to: community, on: req.db).filter(\.$method == .face)
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
    static let gates = Sorting(keys: ["name", "kind"], defaultSort: "name")
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
