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

/// What a credential is; both are stored as keyed hashes.
enum CredentialKind: String, Codable, Sendable, CaseIterable {
    case card, pin
}

/// A card or PIN of a person (stored as a hash), or of a visitor pass.
final class AccessCredential: Model, @unchecked Sendable {
    static let schema = "access_credentials"
    @ID(key: .id) var id: UUID?
    @Field(key: "community_id") var communityID: UUID
    @OptionalField(key: "person_id") var personID: UUID?
    @OptionalField(key: "pass_id") var passID: UUID?
    @Field(key: "kind") var kind: CredentialKind
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
    @Field(key: "method") var method: AccessMethod
    @Field(key: "allow") var allow: Bool
    @Field(key: "reason") var reason: GateReason
    @OptionalField(key: "score") var score: Double?
    @Field(key: "latency_ms") var latencyMs: Double
    @Field(key: "at") var at: Date
    @Field(key: "source") var source: String
    /// `in`, `out`, or nil when the terminal did not say which way the person went.
    @OptionalField(key: "direction") var direction: String?
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
extension AccessEvent {
    static let directions: Set<String> = ["in", "out"]
}

extension AccessEvent: CommunityScoped {
    static var communityField: KeyPath<AccessEvent, FieldProperty<AccessEvent, UUID>> { \.$communityID }
}
extension FaceProcessing: CommunityScoped {
    static var communityField: KeyPath<FaceProcessing, FieldProperty<FaceProcessing, UUID>> { \.$communityID }
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
