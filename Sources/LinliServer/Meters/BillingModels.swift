import Fluent
import Foundation
import LinliCore

/// What a bill line is for.
enum BillItem: String, Codable, Sendable, CaseIterable {
    case water, electricity
    /// 物业费: the home's area × a rate per m² a month.
    case propertyFee = "property_fee"
    /// 滞纳金, where the community sets one: per ten thousand of what is overdue, a day (万分之五 = 5).
    case lateFee = "late_fee"

    /// One price, no tiers.
    var isFee: Bool { self == .propertyFee || self == .lateFee }
}

/// One version of a price, from a day on; never edited (a new version starts on a later day), so an
/// issued bill keeps the version it was priced with. Water and electricity: annual tier limits in
/// litres / watt-hours per household and prices in 1/100 fen per m³ / kWh; property fee: one price,
/// fen per m² a month.
final class TariffRow: Model, @unchecked Sendable {
    static let schema = "tariff_versions"

    // managed
    @ID(key: .id) var id: UUID?

    // data
    @Field(key: "community_id") var communityID: UUID
    @Enum(key: "item") var item: BillItem
    /// `2026-07-01` (China time).
    @Field(key: "effective_from") var effectiveFrom: String
    @Field(key: "tier_limits") var tierLimits: [Int64]
    @Field(key: "prices") var prices: [Int64]
    @Field(key: "created_by") var createdBy: UUID
    @Field(key: "created_at") var createdAt: Date

    init() {}

    var version: TariffVersion? {
        guard let id, let from = CivilDate(effectiveFrom) else { return nil }
        return TariffVersion(id: id.uuidString, effectiveFrom: from, tierLimits: tierLimits, prices: prices)
    }
}

/// A household's bill for one month, issued once and never changed (corrections are lines of a later
/// bill); payments add to `paidFen` by conditional writes.
final class Bill: Model, @unchecked Sendable {
    static let schema = "bills"

    enum Status: String, Codable, Sendable, CaseIterable { case issued, partial, paid }

    // managed
    @ID(key: .id) var id: UUID?

    // data
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "household_id") var householdID: UUID
    /// `2026-08`.
    @Field(key: "period") var period: String
    @Field(key: "total_fen") var totalFen: Int64
    @Field(key: "paid_fen") var paidFen: Int64
    @Enum(key: "status") var status: Status
    @Field(key: "issued_at") var issuedAt: Date
    /// `2026-09-20`.
    @Field(key: "due_on") var dueOn: String

    init() {}
}

/// One line of a bill: an item's tier under one price version, or a fee.
final class BillLine: Model, @unchecked Sendable {
    static let schema = "bill_lines"

    // managed
    @ID(key: .id) var id: UUID?

    // data
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "bill_id") var billID: UUID
    @Enum(key: "item") var item: BillItem
    @Field(key: "version_id") var versionID: UUID
    @Field(key: "tier") var tier: Int
    /// Litres, watt-hours, or the area in hundredths of a m².
    @Field(key: "quantity_milli") var quantityMilli: Int64
    @Field(key: "price") var price: Int64
    @Field(key: "amount_fen") var amountFen: Int64

    init() {}
}

/// A payment of a bill: online, or at the service desk with a receipt number.
final class BillPayment: Model, @unchecked Sendable {
    static let schema = "bill_payments"

    enum Channel: String, Codable, Sendable, CaseIterable {
        case cash, card, transfer, wallet, online

        /// Taken by staff at the service desk.
        var atTheDesk: Bool {
            switch self {
            case .cash, .card, .transfer: true
            case .wallet, .online: false
            }
        }
    }

    // managed
    @ID(key: .id) var id: UUID?

    // data
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "bill_id") var billID: UUID
    @Field(key: "amount_fen") var amountFen: Int64
    @Enum(key: "channel") var channel: Channel
    /// The desk's request key: the same key again records nothing more.
    @Field(key: "request_key") var requestKey: String
    @Field(key: "receipt_no") var receiptNo: String
    @Field(key: "recorded_by") var recordedBy: UUID
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

/// A reminder sent for a bill, once per stage (`due_soon`, `overdue_1`, `overdue_15`, `overdue_30`).
final class BillReminder: Model, @unchecked Sendable {
    static let schema = "bill_reminders"

    @ID(key: .id) var id: UUID?
    @Field(key: "bill_id") var billID: UUID
    @Field(key: "stage") var stage: String
    @Field(key: "sent_at") var sentAt: Date

    init() {}
}

struct CreateBillReminders: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(BillReminder.schema).id()
            .field("bill_id", .uuid, .required, .references(Bill.schema, .id, onDelete: .cascade))
            .field("stage", .string, .required).field("sent_at", .datetime, .required)
            .unique(on: "bill_id", "stage").create()
    }

    func revert(on database: any Database) async throws { try await database.schema(BillReminder.schema).delete() }
}

struct CreateBilling: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(TariffRow.schema).id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("item", .string, .required).field("effective_from", .string, .required)
            .field("tier_limits", .array(of: .int64), .required).field("prices", .array(of: .int64), .required)
            .field("created_by", .uuid, .required).field("created_at", .datetime, .required).create()
        try await database.schema(Bill.schema).id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("household_id", .uuid, .required, .references(Household.schema, .id, onDelete: .cascade))
            .field("period", .string, .required).field("total_fen", .int64, .required)
            .field("paid_fen", .int64, .required).field("status", .string, .required)
            .field("issued_at", .datetime, .required).field("due_on", .string, .required)
            .unique(on: "household_id", "period").create()
        try await IndexSQL.create("bills_community", on: Bill.schema, ["community_id", "period"], database)
        try await database.schema(BillLine.schema).id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("bill_id", .uuid, .required, .references(Bill.schema, .id, onDelete: .cascade))
            .field("item", .string, .required).field("version_id", .uuid, .required).field("tier", .int, .required)
            .field("quantity_milli", .int64, .required).field("price", .int64, .required)
            .field("amount_fen", .int64, .required).create()
        try await IndexSQL.create("bill_lines_bill", on: BillLine.schema, ["bill_id"], database)
        try await database.schema(BillPayment.schema).id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("bill_id", .uuid, .required, .references(Bill.schema, .id, onDelete: .cascade))
            .field("amount_fen", .int64, .required).field("channel", .string, .required)
            .field("request_key", .string, .required).field("receipt_no", .string, .required)
            .field("recorded_by", .uuid, .required).field("created_at", .datetime, .required)
            .unique(on: "bill_id", "request_key").unique(on: "receipt_no").create()
    }

    func revert(on database: any Database) async throws {
        for schema in [BillPayment.schema, BillLine.schema, Bill.schema, TariffRow.schema] {
            try await database.schema(schema).delete()
        }
    }
}
