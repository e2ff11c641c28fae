import Fluent
import Foundation
import LinliCore
import Vapor

/// The recycling bins' part of the operations figures: weighings per bin a day (its use) and the homes
/// that recycled (the `bin` channel: card or phone and PIN at the bin).
enum RecyclingUse {
    static func register(_ app: Application) {
        app.operationsFigures.countsUse(of: ["recycling_bin"])
        app.operationsFigures.addDaily("recycling") { community, day, db in
            var out: [String: Double] = [:]
            for row in try await weighings(community, day, db) { out["use.recycling_bin.\(row.deviceID)", default: 0] += 1 }
            return out
        }
        app.operationsFigures.addActivity("recycling") { community, day, db in
            Set(try await weighings(community, day, db).map(\.householdID)).map { ($0, "bin") }
        }
    }

    static func weighings(_ community: UUID, _ day: CivilDate, _ db: any Database) async throws -> [RecyclingWeighing] {
        let (start, end) = ActivityDay.window(day)
        return try await RecyclingWeighing.query(on: db).filter(\.$communityID == community).filter(\.$createdAt >= start)
            .filter(\.$createdAt < end).all()
    }
}
