import Fluent
import Foundation
import LinliCore
import SQLKit
import Vapor

/// The gates' part of the operations figures: passages let through per gate terminal a day (its use),
/// counted by the database (a busy gate has thousands a day).
enum GateUse {
    static func register(_ app: Application) {
        app.operationsFigures.countsUse(of: ["face_gate"])
        app.operationsFigures.addDaily("gates") { community, day, db in
            guard let sql = db as? any SQLDatabase else { return [:] }
            let (start, end) = ActivityDay.window(day)
            let rows = try await sql.select().column("device_id").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "passages")
                .from(AccessEvent.schema).where("community_id", .equal, community).where("at", .greaterThanOrEqual, start)
                .where("at", .lessThan, end).where("allow", .equal, true).groupBy("device_id").all()
            var out: [String: Double] = [:]
            for row in rows {
                let device = try row.decode(column: "device_id", as: UUID.self)
                out["use.face_gate.\(device)"] = Double(try row.decode(column: "passages", as: Int.self))
            }
            return out
        }
    }
}
