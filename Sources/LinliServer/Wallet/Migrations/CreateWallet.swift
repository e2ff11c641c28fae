import Fluent
import Foundation

struct CreateWallet: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(LedgerAccount.schema).id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("kind", .string, .required).field("owner_id", .uuid, .required)
            .field("balance_fen", .int64, .required).field("updated_at", .datetime, .required)
            .unique(on: "kind", "owner_id").create()
        try await database.schema(LedgerEntry.schema).id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("cause", .string, .required).field("created_at", .datetime, .required)
            .unique(on: "cause").create()
        try await database.schema(LedgerPosting.schema).id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("entry_id", .uuid, .required, .references(LedgerEntry.schema, .id, onDelete: .cascade))
            .field("account_id", .uuid, .required, .references(LedgerAccount.schema, .id, onDelete: .cascade))
            .field("fen", .int64, .required).field("balance_after", .int64, .required)
            .field("created_at", .datetime, .required).create()
        try await IndexSQL.create("ledger_postings_account", on: LedgerPosting.schema, ["account_id", "created_at"], database)
        try await IndexSQL.create("ledger_postings_entry", on: LedgerPosting.schema, ["entry_id"], database)
        try await database.schema(RecyclingPrice.schema).id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("box", .string, .required).field("price_per_kg_fen", .int64, .required)
            .field("effective_from", .datetime, .required).field("created_by", .uuid, .required)
            .field("created_at", .datetime, .required).create()
        try await IndexSQL.create(
            "recycling_prices_box", on: RecyclingPrice.schema, ["community_id", "box", "effective_from"], database)
        try await database.schema(RecyclingPin.schema).id()
            .field("person_id", .uuid, .required, .references(Person.schema, .id, onDelete: .cascade))
            .field("pin_hash", .string, .required).field("updated_at", .datetime, .required)
            .unique(on: "person_id").create()
        try await database.schema(RecyclingSession.schema).id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("device_id", .uuid, .required, .references(Device.schema, .id, onDelete: .cascade))
            .field("person_id", .uuid, .required).field("household_id", .uuid, .required)
            .field("created_at", .datetime, .required).field("expires_at", .datetime, .required).create()
        try await database.schema(RecyclingWeighing.schema).id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("device_id", .uuid, .required, .references(Device.schema, .id, onDelete: .cascade))
            .field("event_id", .string, .required).field("session_id", .uuid, .required)
            .field("household_id", .uuid, .required).field("person_id", .uuid, .required)
            .field("box", .string, .required).field("gross_grams", .int64, .required)
            .field("tare_grams", .int64, .required).field("net_grams", .int64, .required)
            .field("scale_id", .string, .required).field("price_id", .uuid)
            .field("price_per_kg_fen", .int64, .required).field("credited_fen", .int64, .required)
            .field("balance_fen", .int64, .required).field("created_at", .datetime, .required)
            .unique(on: "device_id", "event_id").create()
        try await IndexSQL.create(
            "recycling_weighings_household", on: RecyclingWeighing.schema, ["household_id", "created_at"], database)
        try await IndexSQL.create(
            "recycling_weighings_community", on: RecyclingWeighing.schema, ["community_id", "created_at"], database)
        try await database.schema(WalletWithdrawal.schema).id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("household_id", .uuid, .required).field("person_id", .uuid, .required)
            .field("amount_fen", .int64, .required).field("request_key", .string, .required)
            .field("status", .string, .required).field("created_at", .datetime, .required).field("settled_at", .datetime)
            .unique(on: "household_id", "request_key").create()
        try await database.schema(RecyclingReconciliation.schema).id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("device_id", .uuid, .required, .references(Device.schema, .id, onDelete: .cascade))
            .field("day", .string, .required).field("weighings", .int, .required)
            .field("net_grams", .int64, .required).field("expected_fen", .int64, .required)
            .field("credited_fen", .int64, .required).field("ledger_fen", .int64, .required)
            .field("difference_fen", .int64, .required).field("created_at", .datetime, .required)
            .unique(on: "device_id", "day").create()
    }

    func revert(on database: any Database) async throws {
        for schema in [
            RecyclingReconciliation.schema, WalletWithdrawal.schema, RecyclingWeighing.schema, RecyclingSession.schema, RecyclingPin.schema, RecyclingPrice.schema,
            LedgerPosting.schema, LedgerEntry.schema, LedgerAccount.schema,
        ] {
            try await database.schema(schema).delete()
        }
    }
}
