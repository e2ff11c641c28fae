import Fluent
import Foundation
import Vapor

/// A household's prepaid account (`Prepaid`): its settings, what it owes, the meters' totals last charged
/// and where it stands (low told, grace, cut).
final class PrepaidAccount: Model, @unchecked Sendable {
    static let schema = "prepaid_accounts"

    @ID(key: .id) var id: UUID?
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "household_id") var householdID: UUID
    @Field(key: "enabled") var enabled: Bool
    @Field(key: "low_fen") var lowFen: Int64
    @Field(key: "grace_hours") var graceHours: Int
    /// What the meters used that the balance could not pay yet (taken from the next top-up first).
    @Field(key: "debt_fen") var debtFen: Int64
    /// The meters' totals last charged, per kind (`water`, `electricity`), and when they were read.
    @Field(key: "charged_to") var chargedTo: [String: Double]
    @Field(key: "charged_at") var chargedAt: Int64
    @Field(key: "low_told") var lowTold: Bool
    @OptionalField(key: "grace_until") var graceUntil: Date?
    @OptionalField(key: "cut_at") var cutAt: Date?
    @OptionalField(key: "protected_told") var protectedTold: Date?
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}

struct CreatePrepaid: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(PrepaidAccount.schema).id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("household_id", .uuid, .required, .references(Household.schema, .id, onDelete: .cascade))
            .field("enabled", .bool, .required).field("low_fen", .int64, .required).field("grace_hours", .int, .required)
            .field("debt_fen", .int64, .required).field("charged_to", .dictionary(of: .double), .required)
            .field("charged_at", .int64, .required).field("low_told", .bool, .required)
            .field("grace_until", .datetime).field("cut_at", .datetime).field("protected_told", .datetime)
            .field("updated_at", .datetime, .required)
            .unique(on: "household_id").create()
    }

    func revert(on database: any Database) async throws { try await database.schema(PrepaidAccount.schema).delete() }
}

struct PrepaidInput: Content {
    let enabled: Bool?
    let lowBalanceFen: Int64?
    let graceHours: Int?
}

struct TopUpInput: Content {
    let amountFen: Int64?
    let requestKey: String?
}

struct PrepaidRead: Content, Equatable {
    let householdID: UUID
    let enabled: Bool
    let balanceFen: Int64
    let debtFen: Int64
    let lowBalanceFen: Int64
    let graceHours: Int
    /// ok, low, grace (until `graceUntil`), cut, or protected (at zero, never cut).
    let state: String
    let graceUntil: Date?
}
