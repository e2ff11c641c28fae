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

extension Model where IDValue == UUID {
    /// Rows keyed by id, for attaching names to other rows.
    static func byID(_ rows: [Self]) -> [UUID: Self] {
        Dictionary(rows.compactMap { row in row.id.map { ($0, row) } }, uniquingKeysWith: { first, _ in first })
    }

    /// The rows with these ids, keyed by id (one query).
    static func byID(_ ids: [UUID], on db: any Database) async throws -> [UUID: Self] {
        guard !ids.isEmpty else { return [:] }
        return byID(try await query(on: db).filter(\._$id ~~ Array(Set(ids))).all())
    }
}

extension StaffRead {
    /// Staff rows with their people's names and phones (one query for the people).
    static func list(_ rows: [StaffAssignment], on db: any Database) async throws -> [StaffRead] {
        let people = try await Person.byID(rows.map(\.personID), on: db)
        return try rows.map { try StaffRead($0, person: people[$0.personID]) }
    }
}
