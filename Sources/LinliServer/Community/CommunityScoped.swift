import Fluent
import Foundation

/// A model that belongs to one community. Every registry query goes through `scoped(to:on:)`.
protocol CommunityScoped: Model where IDValue == UUID {
    var communityID: UUID { get }
    static var communityField: KeyPath<Self, FieldProperty<Self, UUID>> { get }
}

extension CommunityScoped {
    /// Rows of this community only.
    static func scoped(to community: UUID, on db: any Database) -> QueryBuilder<Self> {
        query(on: db).filter(communityField == community)
    }

    /// One row of this community, or a 404 (also when it exists in another community).
    static func find(_ id: UUID, in community: UUID, on db: any Database) async throws -> Self {
        guard let row = try await scoped(to: community, on: db).filter(\._$id == id).first() else {
            throw LinliError(.notFound)
        }
        return row
    }
}

extension Building: CommunityScoped {
    static var communityField: KeyPath<Building, FieldProperty<Building, UUID>> { \.$communityID }
}
extension Household: CommunityScoped {
    static var communityField: KeyPath<Household, FieldProperty<Household, UUID>> { \.$communityID }
}
extension Membership: CommunityScoped {
    static var communityField: KeyPath<Membership, FieldProperty<Membership, UUID>> { \.$communityID }
}
extension StaffAssignment: CommunityScoped {
    static var communityField: KeyPath<StaffAssignment, FieldProperty<StaffAssignment, UUID>> { \.$communityID }
}
extension AuditEntry: CommunityScoped {
    static var communityField: KeyPath<AuditEntry, FieldProperty<AuditEntry, UUID>> { \.$communityID }
}
