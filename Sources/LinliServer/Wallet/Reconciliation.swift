import Fluent
import Foundation
import LinliCore
import SQLKit
import Vapor

/// One bin's day checked: what its weighings should have credited (Σ net × the price each was weighed
/// at), what they say they credited, and what the ledger holds for them. The difference must be 0 fen.
final class RecyclingReconciliation: Model, @unchecked Sendable {
    static let schema = "recycling_reconciliations"

    // managed
    @ID(key: .id) var id: UUID?

    // data
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "device_id") var deviceID: UUID
    /// The China day, `2026-12-02`.
    @Field(key: "day") var day: String
    @Field(key: "weighings") var weighings: Int
    @Field(key: "net_grams") var netGrams: Int64
    @Field(key: "expected_fen") var expectedFen: Int64
    @Field(key: "credited_fen") var creditedFen: Int64
    @Field(key: "ledger_fen") var ledgerFen: Int64
    /// ledger − expected: anything but 0 is a finding.
    @Field(key: "difference_fen") var differenceFen: Int64
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

struct ReconciliationRead: Content, Equatable {
    let deviceID: UUID
    let day: String
    let weighings: Int
    let netGrams: Int64
    let expectedFen: Int64
    let creditedFen: Int64
    let ledgerFen: Int64
    let differenceFen: Int64
}

extension Sorting {
    static let reconciliations = Sorting(keys: ["day"], defaultSort: "-day")
}

/// The daily reconciliation of the recycling bins, as a job: every day of the last week not checked
/// yet is checked once for every bin that weighed something (one row per bin and day, unique).
enum Reconciliation {
    static let job = "recycling.reconcile"
    static let daysBack = 7

    static func run(now: Date, on db: any Database) async throws {
        let calendar = Calendar.china
        let today = calendar.startOfDay(for: now)
        for back in (1...daysBack).reversed() {
            guard let start = calendar.date(byAdding: .day, value: -back, to: today),
                let end = calendar.date(byAdding: .day, value: 1, to: start)
            else { continue }
            try await reconcile(from: start, to: end, now: now, on: db)
        }
    }

    /// Checks every bin that weighed in [from, to), skipping bins whose day is already on record.
    static func reconcile(from start: Date, to end: Date, now: Date, on db: any Database) async throws {
        let day = Calendar.chinaDate(start)
        let weighings = try await RecyclingWeighing.query(on: db).filter(\.$createdAt >= start)
            .filter(\.$createdAt < end).all()
        guard !weighings.isEmpty else { return }
        let done = Set(try await RecyclingReconciliation.query(on: db).filter(\.$day == day).all(\.$deviceID))
        let ledger = try await ledgerCredits(weighings.compactMap(\.id), on: db)
        for (device, rows) in Dictionary(grouping: weighings, by: \.deviceID) where !done.contains(device) {
            guard let community = rows.first?.communityID else { continue }
            let row = RecyclingReconciliation()
            row.communityID = community
            row.deviceID = device
            row.day = day
            row.weighings = rows.count
            row.netGrams = rows.reduce(0) { $0 + $1.netGrams }
            row.expectedFen = rows.reduce(0) {
                $0 + RecyclingCredit.fen(netGrams: $1.netGrams, pricePerKgFen: $1.pricePerKgFen)
            }
            row.creditedFen = rows.reduce(0) { $0 + $1.creditedFen }
            row.ledgerFen = rows.reduce(0) { $0 + (ledger[$1.id ?? UUID()] ?? 0) }
            row.differenceFen = row.ledgerFen - row.expectedFen
            row.createdAt = now
            do { try await row.create(on: db) } catch let error as any DatabaseError where error.isConstraintFailure {}
        }
    }

    /// What the wallet received for each weighing (`weighing:<id>`), by weighing.
    static func ledgerCredits(_ weighings: [UUID], on db: any Database) async throws -> [UUID: Int64] {
        let credited = try await Books.credited(weighings.map { "weighing:\($0)" }, on: db)
        return Dictionary(
            credited.compactMap { cause, fen in UUID(uuidString: String(cause.dropFirst(9))).map { ($0, fen) } },
            uniquingKeysWith: +)
    }

    static func read(_ row: RecyclingReconciliation) -> ReconciliationRead {
        ReconciliationRead(
            deviceID: row.deviceID, day: row.day, weighings: row.weighings, netGrams: row.netGrams,
            expectedFen: row.expectedFen, creditedFen: row.creditedFen, ledgerFen: row.ledgerFen,
            differenceFen: row.differenceFen)
    }
}
