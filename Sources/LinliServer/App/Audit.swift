import Fluent
import Foundation
import Vapor

/// One staff write: who did what to which record, when, with the record before and after.
final class AuditEntry: Model, @unchecked Sendable {
    static let schema = "audit_entries"

    // managed
    @ID(key: .id) var id: UUID?

    // data
    @Field(key: "community_id") var communityID: UUID
    @OptionalField(key: "actor_id") var actorID: UUID?
    @Field(key: "actor_name") var actorName: String
    @Field(key: "action") var action: String
    @Field(key: "entity") var entity: String
    @OptionalField(key: "entity_id") var entityID: UUID?
    @OptionalField(key: "before") var before: String?
    @OptionalField(key: "after") var after: String?
    @Field(key: "at") var at: Date

    init() {}
}

/// Writes audit entries, inside the same transaction as the change they describe.
enum Audit {
    enum Action: String {
        case create, update, delete, moveOut = "move_out", grant, revoke, `import`
        case rotateToken = "rotate_token", acknowledge, clear, command
        case passwordReset = "password_reset", passwordChange = "password_change"
    }

    /// A change to a person, who is shared by every community they belong to: the same entry is
    /// written in each of them, so no community's operators miss what another one did.
    static func recordForPerson(
        _ action: Action, _ personID: UUID, communities: Set<UUID>,
        before: (some Encodable)? = nil as String?, after: (some Encodable)? = nil as String?,
        by request: Request, on db: any Database
    ) async throws {
        for community in communities.sorted(by: { $0.uuidString < $1.uuidString }) {
            try await record(
                action, "person", id: personID, community: community, before: before, after: after, by: request, on: db)
        }
    }

    static func record(
        _ action: Action, _ entity: String, id: UUID?, community: UUID,
        before: (some Encodable)? = nil as String?, after: (some Encodable)? = nil as String?,
        by request: Request, on db: any Database
    ) async throws {
        let entry = AuditEntry()
        let actor = request.auth.get(CurrentUser.self)?.person
        entry.communityID = community
        entry.actorID = actor?.id
        entry.actorName = actor?.name ?? "system"
        entry.action = action.rawValue
        entry.entity = entity
        entry.entityID = id
        entry.before = try before.map { String(decoding: try JSONEncoder.linli.encode($0), as: UTF8.self) }
        entry.after = try after.map { String(decoding: try JSONEncoder.linli.encode($0), as: UTF8.self) }
        entry.at = request.clock.now()
        try await entry.create(on: db)
    }
}
