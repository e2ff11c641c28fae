import Fluent
import Foundation
import LinliCore
import Vapor

/// A meter swapped for a new one (or its register reset) where the device stays the same: staff record
/// the old meter's final reading and the new one's first, so the usage across the swap is exact
/// (`MeterUsage` joins the two) instead of a break.
final class MeterReplacement: Model, @unchecked Sendable {
    static let schema = "meter_replacements"

    @ID(key: .id) var id: UUID?
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "device_id") var deviceID: UUID
    @Field(key: "at") var at: Date
    @Field(key: "old_final") var oldFinal: Double
    @Field(key: "new_initial") var newInitial: Double
    @Field(key: "recorded_by") var recordedBy: UUID

    init() {}
}

struct CreateMeterReplacements: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(MeterReplacement.schema).id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("device_id", .uuid, .required, .references(Device.schema, .id, onDelete: .cascade))
            .field("at", .datetime, .required).field("old_final", .double, .required).field("new_initial", .double, .required)
            .field("recorded_by", .uuid, .required).unique(on: "device_id", "at").create()
    }

    func revert(on database: any Database) async throws { try await database.schema(MeterReplacement.schema).delete() }
}

struct ReplacementInput: Content {
    let at: Date?
    let oldFinal: Double?
    let newInitial: Double?
}

struct ReplacementRead: Content, Equatable {
    let id: UUID
    let deviceID: UUID
    let at: Date
    let oldFinal: Double
    let newInitial: Double
}

enum Replacements {
    static func register(_ app: Application) {
        app.api.authenticated.register(
            .init(
                method: .POST, path: RegistryAPI.c + "/devices/{deviceID}/replacements", operationID: "recordMeterReplacement",
                summary: "Record that a water or electricity meter was replaced (its final reading and the new meter's first), so use across the swap is exact; not in the future, once per moment",
                tag: "meters", authority: .community { .manageDevices($0) },
                body: Schema.object(
                    [("at", Schema.dateTime), ("oldFinal", Schema.number), ("newInitial", Schema.number)],
                    required: ["at", "oldFinal", "newInitial"]),
                status: .created, response: Schema.ref("MeterReplacement")), in: app, recordMeterReplacement)
        app.openAPIComponents.add([
            (
                "MeterReplacement",
                Schema.object(
                    [
                        ("id", Schema.uuid), ("deviceID", Schema.uuid), ("at", Schema.dateTime), ("oldFinal", Schema.number),
                        ("newInitial", Schema.number),
                    ], required: ["id", "deviceID", "at", "oldFinal", "newInitial"])
            )
        ])
    }

    /// The recorded replacements of these meters, for `MeterUsage`.
    static func of(_ devices: [UUID], on db: any Database) async throws -> [UUID: [MeterUsage.Replacement]] {
        guard !devices.isEmpty else { return [:] }
        return Dictionary(
            grouping: try await MeterReplacement.query(on: db).filter(\.$deviceID ~~ devices).all(), by: \.deviceID
        ).mapValues { rows in
            rows.map { .init(ts: Int64($0.at.timeIntervalSince1970 * 1000), oldFinal: $0.oldFinal, newInitial: $0.newInitial) }
        }
    }
}
