import Fluent
import Foundation
import LinliCore
import Vapor

/// The TV's and the kiosk's part of the operations figures, from their logs (`terminal_actions`): each
/// box's screens a day (its use), the homes whose TV was used, the homes of who signed in at a kiosk.
enum TerminalFigures {
    static func register(_ app: Application) {
        app.operationsFigures.countsUse(of: ["tv_box", "kiosk"])
        app.operationsFigures.readsDays(by: IndexSQL.Migration("terminal_actions_community_at", on: TerminalAction.schema, ["community_id", "at"]))
        app.operationsFigures.addDaily("terminals") { community, day, db in
            var out: [String: Double] = [:]
            for (device, count) in try await tvUse(community, day, db) { out["use.tv_box.\(device)"] = Double(count) }
            for row in try await kioskSignIns(community, day, db) { out["use.kiosk.\(row.deviceID)", default: 0] += 1 }
            return out
        }
        app.operationsFigures.addActivity("terminals") { community, day, db in
            let boxes = Array(try await tvUse(community, day, db).keys)
            let homes = boxes.isEmpty ? [] : try await Device.query(on: db).filter(\.$id ~~ boxes).all().compactMap(\.householdID)
            let people = try await kioskSignIns(community, day, db).compactMap(\.personID)
            let kiosk = try await ActivityDay.homes(of: people, in: community, on: db).values
            return homes.map { ($0, "tv") } + kiosk.map { ($0, "kiosk") }
        }
    }

    /// Screens shown per TV box on the day.
    static func tvUse(_ community: UUID, _ day: CivilDate, _ db: any Database) async throws -> [UUID: Int] {
        let (start, end) = ActivityDay.window(day)
        let rows = try await TerminalAction.query(on: db).filter(\.$communityID == community).filter(\.$at >= start).filter(\.$at < end)
            .filter(\.$action =~ "tv.").all()
        return Dictionary(grouping: rows, by: \.deviceID).mapValues(\.count)
    }

    /// Sign-ins (not refusals) at the community's kiosks on the day.
    static func kioskSignIns(_ community: UUID, _ day: CivilDate, _ db: any Database) async throws -> [TerminalAction] {
        let (start, end) = ActivityDay.window(day)
        return try await TerminalAction.query(on: db).filter(\.$communityID == community).filter(\.$at >= start).filter(\.$at < end)
            .filter(\.$action =~ "sign_in.").filter(\.$status == 200).all()
    }
}
