import Fluent
import Foundation
import LinliCore
import SQLKit
import Vapor

/// The recycling bins' side of the property staff: a full box asks for a collection (a task, one open per
/// bin), and the collector's reweighing at pick-up is checked against what the bin credited for that box
/// since its last collection — more than 5 % apart is flagged (a scale drifting, or someone gaming it).
/// Operators read kg per box and the payouts per week or month.
final class RecyclingCollection: Model, @unchecked Sendable {
    static let schema = "recycling_collections"

    @ID(key: .id) var id: UUID?
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "device_id") var deviceID: UUID
    @Enum(key: "box") var box: RecyclingCredit.Box
    @Field(key: "weighed_grams") var weighedGrams: Int64
    @Field(key: "expected_grams") var expectedGrams: Int64
    @Field(key: "flagged") var flagged: Bool
    @Field(key: "request_key") var requestKey: String
    @Field(key: "recorded_by") var recordedBy: UUID
    @Field(key: "collected_at") var collectedAt: Date

    init() {}
}

struct CreateRecyclingCollections: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(RecyclingCollection.schema).id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("device_id", .uuid, .required, .references(Device.schema, .id, onDelete: .cascade))
            .field("box", .string, .required).field("weighed_grams", .int64, .required)
            .field("expected_grams", .int64, .required).field("flagged", .bool, .required)
            .field("request_key", .string, .required).field("recorded_by", .uuid, .required)
            .field("collected_at", .datetime, .required)
            .unique(on: "device_id", "request_key").create()
    }

    func revert(on database: any Database) async throws { try await database.schema(RecyclingCollection.schema).delete() }
}

struct CollectionInput: Content {
    let deviceID: UUID?
    let box: String?
    let grams: Int64?
    let requestKey: String?
}

struct CollectionRead: Content, Equatable {
    let id: UUID
    let deviceID: UUID
    let box: String
    let weighedGrams: Int64
    /// What the bin credited for the box since its last collection.
    let expectedGrams: Int64
    let flagged: Bool
    let collectedAt: Date

    init(_ row: RecyclingCollection) throws {
        id = try row.requireID()
        deviceID = row.deviceID
        box = row.box.rawValue
        weighedGrams = row.weighedGrams
        expectedGrams = row.expectedGrams
        flagged = row.flagged
        collectedAt = row.collectedAt
    }
}

struct RecyclingFigures: Content, Equatable {
    struct Box: Content, Equatable {
        let box: String
        let netGrams: Int64
        let creditedFen: Int64
    }

    /// `2026-W48` or `2026-11`.
    let period: String
    let boxes: [Box]
    let payoutsFen: Int64
}

extension Sorting {
    static let recyclingCollections = Sorting(keys: ["collected_at"], defaultSort: "-collected_at")
}

enum Collections {
    static let job = "recycling.full"
    static let taskTitle = "task.emptyRecycling"
    /// A box at this fill level (%) asks for a collection.
    static let full = 90.0
    /// Reweighed more than this far (per thousand) from what was credited: flagged.
    static let tolerancePermille: Int64 = 50

    static func record(_ community: UUID, _ input: CollectionInput, on req: Request) async throws -> CollectionRead {
        var v = Validation()
        let key = v.text(input.requestKey, "requestKey", max: 64)
        let box = input.box.flatMap(RecyclingCredit.Box.init(rawValue:))
        if box == nil { v.fail("box", "unknown_box") }
        if let grams = input.grams { v.range(grams, "grams", 0...10_000_000) } else { v.fail("grams", "missing_value") }
        if input.deviceID == nil { v.fail("deviceID", "missing_value") }
        try v.check()
        guard let key, let box, let grams = input.grams, let deviceID = input.deviceID,
            let bin = try await Device.find(deviceID, on: req.db), bin.communityID == community, bin.type == "recycling_bin"
        else { throw LinliError(.notFound) }
        if let done = try await RecyclingCollection.query(on: req.db).filter(\.$deviceID == deviceID)
            .filter(\.$requestKey == key).first()
        {
            return try CollectionRead(done)
        }
        let now = req.clock.now()
        let since = try await RecyclingCollection.query(on: req.db).filter(\.$deviceID == deviceID).filter(\.$box == box)
            .sort(\.$collectedAt, .descending).first()?.collectedAt ?? .distantPast
        let expected = try await RecyclingWeighing.query(on: req.db).filter(\.$deviceID == deviceID).filter(\.$box == box)
            .filter(\.$createdAt > since).filter(\.$createdAt <= now).all(\.$netGrams).reduce(0, +)
        let row = RecyclingCollection()
        row.id = UUID()
        row.communityID = community
        row.deviceID = deviceID
        row.box = box
        row.weighedGrams = grams
        row.expectedGrams = expected
        row.flagged = abs(grams - expected) * 1000 > expected * tolerancePermille
        row.requestKey = key
        row.recordedBy = try req.user().principal.personID
        row.collectedAt = now
        do {
            try await req.db.writeTransaction { tx in
                try await row.create(on: tx)
                // Collected: the bin's open collection task is done.
                try await StaffTasks.close(taskTitle, device: deviceID, by: "collection", now: now, on: tx)
                try await Audit.record(.create, "recycling_collection", id: row.id, community: community, after: try CollectionRead(row), by: req, on: tx)
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            guard let done = try await RecyclingCollection.query(on: req.db).filter(\.$deviceID == deviceID)
                .filter(\.$requestKey == key).first()
            else { throw LinliError(.unavailable) }
            return try CollectionRead(done)
        }
        return try CollectionRead(row)
    }

    /// The job: a bin whose latest fill level is at or above `full` gets a collection task (one open per bin).
    @discardableResult
    static func run(now: Date, app: Application) async throws -> Int {
        var asked = 0
        for bin in try await Device.query(on: app.db).filter(\.$type == "recycling_bin").filter(\.$disabled == false).all() {
            guard let id = bin.id,
                case .number(let fill)? = try await TelemetryStore.latest(id, on: app.db).first(where: { $0.key == "fill_level" })?.value,
                fill >= full
            else { continue }
            let made = try await app.db.writeTransaction { tx in
                try await StaffTasks.openOnce(taskTitle, device: id, community: bin.communityID, now: now, on: tx)
            }
            if made { asked += 1 }
        }
        return asked
    }

    /// Kg and money per box and the payouts, per ISO week or month (China time), the latest `count` periods.
    static func figures(_ community: UUID, weekly: Bool, count: Int, now: Date, on db: any Database) async throws
        -> [RecyclingFigures]
    {
        var calendar = Calendar.china
        calendar.firstWeekday = 2
        calendar.minimumDaysInFirstWeek = 4
        let unit: Calendar.Component = weekly ? .weekOfYear : .month
        guard let current = calendar.dateInterval(of: unit, for: now),
            let first = calendar.date(byAdding: unit, value: -(count - 1), to: current.start)
        else { return [] }
        let weighings = try await RecyclingWeighing.query(on: db).filter(\.$communityID == community)
            .filter(\.$createdAt >= first).all()
        let payouts = try await WalletWithdrawal.query(on: db).filter(\.$communityID == community)
            .filter(\.$status == .paid).filter(\.$createdAt >= first).all()
        func period(_ date: Date) -> String {
            if weekly {
                let parts = calendar.dateComponents([.yearForWeekOfYear, .weekOfYear], from: date)
                return String(format: "%04d-W%02d", parts.yearForWeekOfYear ?? 0, parts.weekOfYear ?? 0)
            }
            let parts = calendar.dateComponents([.year, .month], from: date)
            return String(format: "%04d-%02d", parts.year ?? 0, parts.month ?? 0)
        }
        var out: [RecyclingFigures] = []
        for index in 0..<count {
            guard let start = calendar.date(byAdding: unit, value: index, to: first) else { continue }
            let name = period(start)
            let mine = weighings.filter { period($0.createdAt) == name }
            out.append(
                RecyclingFigures(
                    period: name,
                    boxes: RecyclingCredit.Box.allCases.compactMap { box in
                        let rows = mine.filter { $0.box == box }
                        return rows.isEmpty
                            ? nil
                            : .init(box: box.rawValue, netGrams: rows.reduce(0) { $0 + $1.netGrams }, creditedFen: rows.reduce(0) { $0 + $1.creditedFen })
                    },
                    payoutsFen: payouts.filter { period($0.createdAt) == name }.reduce(0) { $0 + $1.amountFen }))
        }
        return out
    }
}
