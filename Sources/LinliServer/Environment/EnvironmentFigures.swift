import Fluent
import Foundation
import LinliCore
import Vapor

/// The environment figures, counted per China day: the irrigation's water (used, and saved by the rules —
/// a skipped start's planned water, a run stopped at the soil's target before its time), and the bins'
/// overflows and collections.
enum EnvironmentFigures {
    static func register(_ app: Application) {
        app.operationsFigures.readsDays(by: IndexSQL.Migration("irrigation_runs_community_planned", on: IrrigationRun.schema, ["community_id", "planned_at"]))
        app.operationsFigures.addDaily("environment") { community, day, db in
            let (start, end) = ActivityDay.window(day)
            var out: [String: Double] = [:]
            let runs = try await IrrigationRun.query(on: db).filter(\.$communityID == community).filter(\.$plannedAt >= start)
                .filter(\.$plannedAt < end).all()
            if !runs.isEmpty {
                let zones = try await IrrigationZone.query(on: db).filter(\.$communityID == community).all()
                let flow = Dictionary(zones.compactMap { z in z.id.map { ($0, z.litresPerMinute) } }) { first, _ in first }
                for run in runs {
                    let perSecond = (flow[run.zoneID] ?? 0) / 60
                    out["environment.irrigation.litres", default: 0] += run.litres ?? 0
                    if let saved = savedLitres(run, perSecond: perSecond), saved > 0 {
                        out["environment.irrigation.saved", default: 0] += saved
                        out["environment.irrigation.savedRuns", default: 0] += 1
                    }
                }
            }
            for event in try await BinEvent.query(on: db).filter(\.$communityID == community).filter(\.$at >= start).filter(\.$at < end).all() {
                out[event.kind == "overflow" ? "environment.bins.overflows" : "environment.bins.collections", default: 0] += 1
            }
            return out
        }
        app.operationsFigures.add("environment", order: 65, audience: { .viewAnalytics($0) }) { c in
            .object([
                ("irrigationLitres", .int(c.int("environment.irrigation.litres"))),
                ("irrigationSavedLitres", .int(c.int("environment.irrigation.saved"))),
                ("runsSavingWater", .int(c.int("environment.irrigation.savedRuns"))),
                ("binOverflows", .int(c.int("environment.bins.overflows"))),
                ("binCollections", .int(c.int("environment.bins.collections"))),
            ])
        }
    }

    /// The water a rule kept in the ground: a start skipped by rain, the soil or a 0 % scale (its planned
    /// water), or a run the soil's target stopped early (what was left of its plan). A hold, an offline
    /// valve or a run by hand saves nothing.
    static func savedLitres(_ run: IrrigationRun, perSecond: Double) -> Double? {
        switch run.status {
        case .skipped:
            guard let reason = run.skipReason, [.rain, .soil, .scaleZero].contains(reason) else { return nil }
            return Double(run.plannedSeconds) * perSecond
        case .done where run.stopReason == .target:
            return Double(max(0, run.plannedSeconds - run.openSeconds)) * perSecond
        default:
            return nil
        }
    }
}
