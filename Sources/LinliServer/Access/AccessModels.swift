import Fluent
import Foundation
import LinliCore

/// An entrance of a community (main gate, pedestrian gate, garage, a building's door).
final class Gate: Model, @unchecked Sendable {
    static let schema = "gates"
    @ID(key: .id) var id: UUID?
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "name") var name: String
    @Field(key: "kind") var kind: GateKind
    @OptionalField(key: "building_id") var buildingID: UUID?
    /// The hub devices (terminals, readers) that serve this gate.
    @Field(key: "device_ids") var deviceIDs: [UUID]
    init() {}
}

/// A community's access settings.
final class AccessSettings: Model, @unchecked Sendable {
    static let schema = "access_settings"
    @ID(key: .id) var id: UUID?
    @Field(key: "community_id") var communityID: UUID
    /// Server-side face matching (Linli runs on the community's premises, or residents gave the further consent).
    @Field(key: "server_matching") var serverMatching: Bool
    @Field(key: "match_threshold") var matchThreshold: Double
    @Field(key: "liveness_threshold") var livenessThreshold: Double
    /// A face without a liveness score is refused (a photo held up to a terminal that skips the check).
    @Field(key: "liveness_required") var livenessRequired: Bool
    init() { livenessRequired = true }
}

struct AddLivenessRequired: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(AccessSettings.schema)
            .field("liveness_required", .bool, .required, .sql(.default(true))).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(AccessSettings.schema).deleteField("liveness_required").update()
    }
}

/// A person's consent to face recognition: version, time, who gave it (a guardian for a child), and withdrawal.
final class FaceConsent: Model, @unchecked Sendable {
    static let schema = "face_consents"
    @ID(key: .id) var id: UUID?
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "person_id") var personID: UUID
    @Field(key: "version") var version: String
    @Field(key: "accepted_at") var acceptedAt: Date
    @Field(key: "given_by") var givenBy: UUID
    /// The further, separate consent to matching on the server rather than in the terminal.
    @Field(key: "server_matching") var serverMatching: Bool
    @OptionalField(key: "withdrawn_at") var withdrawnAt: Date?
    init() {}
}

/// An enrolled face vector, encrypted at rest (AES-GCM).
final class FaceVector: Model, @unchecked Sendable {
    static let schema = "face_vectors"
    @ID(key: .id) var id: UUID?
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "person_id") var personID: UUID
    @Field(key: "model") var model: String
    @Field(key: "dimension") var dimension: Int
    @Field(key: "sealed") var sealed: Data
    @Field(key: "created_at") var createdAt: Date
    init() {}
}

/// A card or PIN of a person (stored as a hash), or of a visitor pass.
final class AccessCredential: Model, @unchecked Sendable {
    static let schema = "access_credentials"
    @ID(key: .id) var id: UUID?
    @Field(key: "community_id") var communityID: UUID
    @OptionalField(key: "person_id") var personID: UUID?
    @OptionalField(key: "pass_id") var passID: UUID?
    @Field(key: "kind") var kind: String
    @Field(key: "value_hash") var valueHash: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "revoked") var revoked: Bool
    init() {}
}

/// The secret behind a person's rotating QR code, and the last window it opened a gate.
final class QRSecret: Model, @unchecked Sendable {
    static let schema = "qr_secrets"
    @ID(key: .id) var id: UUID?
    @Field(key: "person_id") var personID: UUID
    @Field(key: "handle") var handle: String
    @Field(key: "secret") var secret: Data
    @OptionalField(key: "last_window") var lastWindow: Int64?
    init() {}
}

/// A visitor pass a resident created.
final class VisitorPass: Model, @unchecked Sendable {
    static let schema = "visitor_passes"
    @ID(key: .id) var id: UUID?
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "household_id") var householdID: UUID
    @Field(key: "building_id") var buildingID: UUID
    @Field(key: "created_by") var createdBy: UUID
    @Field(key: "visitor_name") var visitorName: String
    @OptionalField(key: "visitor_phone") var visitorPhone: String?
    @Field(key: "valid_from") var validFrom: Date
    @Field(key: "valid_until") var validUntil: Date
    @Field(key: "entries_allowed") var entriesAllowed: Int
    @Field(key: "entries_used") var entriesUsed: Int
    @Field(key: "revoked") var revoked: Bool
    /// The pass's QR payload (`P1:<token>`), shared with the visitor.
    @Field(key: "qr_token") var qrToken: String
    @Field(key: "created_at") var createdAt: Date
    init() {}
}

/// One decision at a gate, from the server or uploaded by a terminal; one row per (device, event id).
final class AccessEvent: Model, @unchecked Sendable {
    static let schema = "access_events"
    @ID(key: .id) var id: UUID?
    @Field(key: "community_id") var communityID: UUID
    @OptionalField(key: "gate_id") var gateID: UUID?
    @Field(key: "device_id") var deviceID: UUID
    @Field(key: "event_id") var eventID: String
    @OptionalField(key: "person_id") var personID: UUID?
    @OptionalField(key: "pass_id") var passID: UUID?
    @Field(key: "method") var method: String
    @Field(key: "allow") var allow: Bool
    @Field(key: "reason") var reason: String
    @OptionalField(key: "score") var score: Double?
    @Field(key: "latency_ms") var latencyMs: Double
    @Field(key: "at") var at: Date
    @Field(key: "source") var source: String
    init() {}
}

/// A person guards keep out of a community.
final class DenyEntry: Model, @unchecked Sendable {
    static let schema = "deny_list"
    @ID(key: .id) var id: UUID?
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "person_id") var personID: UUID
    @Field(key: "reason") var reason: String
    @Field(key: "created_at") var createdAt: Date
    init() {}
}

extension Gate: CommunityScoped {
    static var communityField: KeyPath<Gate, FieldProperty<Gate, UUID>> { \.$communityID }
}
extension VisitorPass: CommunityScoped {
    static var communityField: KeyPath<VisitorPass, FieldProperty<VisitorPass, UUID>> { \.$communityID }
}
extension AccessEvent: CommunityScoped {
    static var communityField: KeyPath<AccessEvent, FieldProperty<AccessEvent, UUID>> { \.$communityID }
}
extension FaceProcessing: CommunityScoped {
    static var communityField: KeyPath<FaceProcessing, FieldProperty<FaceProcessing, UUID>> { \.$communityID }
}

struct CreateAccess: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Gate.schema).id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("name", .string, .required).field("kind", .string, .required)
            .field("building_id", .uuid, .references(Building.schema, .id, onDelete: .cascade))
            .field("device_ids", .array(of: .uuid), .required)
            .unique(on: "community_id", "name").create()
        try await database.schema(AccessSettings.schema).id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("server_matching", .bool, .required).field("match_threshold", .double, .required)
            .field("liveness_threshold", .double, .required).unique(on: "community_id").create()
        try await database.schema(FaceConsent.schema).id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("person_id", .uuid, .required, .references(Person.schema, .id, onDelete: .cascade))
            .field("version", .string, .required).field("accepted_at", .datetime, .required)
            .field("given_by", .uuid, .required).field("server_matching", .bool, .required)
            .field("withdrawn_at", .datetime).create()
        try await IndexSQL.create(
            "face_consents_person", on: FaceConsent.schema, ["person_id", "community_id"], database)
        try await database.schema(FaceVector.schema).id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("person_id", .uuid, .required, .references(Person.schema, .id, onDelete: .cascade))
            .field("model", .string, .required).field("dimension", .int, .required)
            .field("sealed", .data, .required).field("created_at", .datetime, .required).create()
        try await IndexSQL.create("face_vectors_community", on: FaceVector.schema, ["community_id", "model"], database)
        try await database.schema(AccessCredential.schema).id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("person_id", .uuid, .references(Person.schema, .id, onDelete: .cascade))
            .field("pass_id", .uuid).field("kind", .string, .required).field("value_hash", .string, .required)
            .field("created_at", .datetime, .required).field("revoked", .bool, .required)
            .unique(on: "community_id", "kind", "value_hash").create()
        try await database.schema(QRSecret.schema).id()
            .field("person_id", .uuid, .required, .references(Person.schema, .id, onDelete: .cascade))
            .field("handle", .string, .required).field("secret", .data, .required).field("last_window", .int64)
            .unique(on: "person_id").unique(on: "handle").create()
        try await database.schema(VisitorPass.schema).id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("household_id", .uuid, .required, .references(Household.schema, .id, onDelete: .cascade))
            .field("building_id", .uuid, .required).field("created_by", .uuid, .required)
            .field("visitor_name", .string, .required).field("visitor_phone", .string)
            .field("valid_from", .datetime, .required).field("valid_until", .datetime, .required)
            .field("entries_allowed", .int, .required).field("entries_used", .int, .required)
            .field("revoked", .bool, .required).field("qr_token", .string, .required)
            .field("created_at", .datetime, .required).unique(on: "qr_token").create()
        try await database.schema(AccessEvent.schema).id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("gate_id", .uuid).field("device_id", .uuid, .required).field("event_id", .string, .required)
            .field("person_id", .uuid).field("pass_id", .uuid).field("method", .string, .required)
            .field("allow", .bool, .required).field("reason", .string, .required).field("score", .double)
            .field("latency_ms", .double, .required).field("at", .datetime, .required).field(
                "source", .string, .required
            )
            .unique(on: "device_id", "event_id").create()
        try await IndexSQL.create(
            "access_events_community_at", on: AccessEvent.schema, ["community_id", "at"], database)
        try await database.schema(DenyEntry.schema).id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("person_id", .uuid, .required).field("reason", .string, .required)
            .field("created_at", .datetime, .required).unique(on: "community_id", "person_id").create()
    }

    func revert(on database: any Database) async throws {
        for schema in [
            DenyEntry.schema, AccessEvent.schema, VisitorPass.schema, QRSecret.schema, AccessCredential.schema,
            FaceVector.schema, FaceConsent.schema, AccessSettings.schema, Gate.schema,
        ] {
            try await database.schema(schema).delete()
        }
    }
}

/// The processing log of face data (人脸信息处理记录): consent given or withdrawn, vectors enrolled or
/// deleted, by whom and when. Kept after the face data itself is gone, without any of it.
final class FaceProcessing: Model, @unchecked Sendable {
    static let schema = "face_processing_log"
    enum Action: String, Codable, CaseIterable, Sendable {
        case consent, serverConsent = "server_consent", enrol, withdraw, delete
    }

    @ID(key: .id) var id: UUID?
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "person_id") var personID: UUID
    @Enum(key: "action") var action: Action
    /// Who did it: a person (the resident, a guardian) or a device (the enrolment terminal).
    @OptionalField(key: "actor_person_id") var actorPersonID: UUID?
    @OptionalField(key: "actor_device_id") var actorDeviceID: UUID?
    /// Vectors enrolled or deleted.
    @Field(key: "vectors") var vectors: Int
    @Field(key: "at") var at: Date
    init() {}

    static func record(
        _ action: Action, person: UUID, community: UUID, actorPerson: UUID? = nil, actorDevice: UUID? = nil,
        vectors: Int = 0, at: Date, on db: any Database
    ) async throws {
        let row = FaceProcessing()
        row.communityID = community
        row.personID = person
        row.action = action
        row.actorPersonID = actorPerson
        row.actorDeviceID = actorDevice
        row.vectors = vectors
        row.at = at
        try await row.create(on: db)
    }
}

struct CreateFaceProcessingLog: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(FaceProcessing.schema).id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("person_id", .uuid, .required).field("action", .string, .required)
            .field("actor_person_id", .uuid).field("actor_device_id", .uuid)
            .field("vectors", .int, .required).field("at", .datetime, .required).create()
        try await IndexSQL.create(
            "face_processing_community_at", on: FaceProcessing.schema, ["community_id", "at"], database)
    }

    func revert(on database: any Database) async throws { try await database.schema(FaceProcessing.schema).delete() }
}

/// A guest or cleaner code of a household lock: the code itself travels only in the `set_code` command
/// to the lock (which checks it, also offline); Linli keeps who it is for, until when, and whether it
/// was revoked (a `delete_code` command with the same `codeId`).
final class LockCode: Model, @unchecked Sendable {
    static let schema = "lock_codes"
    @ID(key: .id) var id: UUID?
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "device_id") var deviceID: UUID
    @Field(key: "household_id") var householdID: UUID
    @Field(key: "label") var label: String
    @Field(key: "one_time") var oneTime: Bool
    @Field(key: "valid_until") var validUntil: Date
    @Field(key: "created_by") var createdBy: UUID
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "set_command_id") var setCommandID: Int
    @OptionalField(key: "revoked_at") var revokedAt: Date?
    @OptionalField(key: "delete_command_id") var deleteCommandID: Int?
    init() {}
}

struct CreateLockCodes: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(LockCode.schema).id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("device_id", .uuid, .required, .references(Device.schema, .id, onDelete: .cascade))
            .field("household_id", .uuid, .required).field("label", .string, .required)
            .field("one_time", .bool, .required).field("valid_until", .datetime, .required)
            .field("created_by", .uuid, .required).field("created_at", .datetime, .required)
            .field("set_command_id", .int, .required).field("revoked_at", .datetime)
            .field("delete_command_id", .int).create()
        try await IndexSQL.create("lock_codes_device", on: LockCode.schema, ["device_id"], database)
    }

    func revert(on database: any Database) async throws { try await database.schema(LockCode.schema).delete() }
}
