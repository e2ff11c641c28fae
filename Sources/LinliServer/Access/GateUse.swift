import Fluent
import Foundation
import LinliCore
import Vapor

/// The gates' part of the operations figures: passages let through per gate terminal a day (its use).
enum GateUse {
    static func register(_ app: Application) {
        app.operationsFigures.countsUse(of: ["face_gate"])
        app.operationsFigures.addDaily("gates") { community, day, db in
            let (start, end) = ActivityDay.window(day)
            let rows = try await AccessEvent.query(on: db).filter(\.$communityID == community).filter(\.$at >= start)
                .filter(\.$at < end).filter(\.$allow == true).all()
            var out: [String: Double] = [:]
            for row in rows { out["use.face_gate.\(row.deviceID)", default: 0] += 1 }
            return out
        }
    }
}
