import Foundation
import LinliCore
import Vapor

/// `linli environment-replay [--days 30] [--zones 3] [--bins 20] [--seed N] [--response-hours 2]`: replays
/// seeded days of weather, soil and bin fill against the smart-environment rules and the fixed schedules
/// they replace (`EnvironmentReplay` in LinliCore), and prints the figures.
struct EnvironmentReplayCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "days", help: "Days (30)") var days: Int?
        @Option(name: "zones", help: "Irrigation zones (3)") var zones: Int?
        @Option(name: "bins", help: "Bins (20)") var bins: Int?
        @Option(name: "seed", help: "Random seed (20261213)") var seed: Int?
        @Option(name: "response-hours", help: "Hours a collection takes to be done once asked for (2)")
        var responseHours: Int?
    }

    var help: String { "Replays simulated days of irrigation and bins and prints the figures." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let days = max(1, min(signature.days ?? 30, 366))
        let zones = max(1, min(signature.zones ?? 3, 100))
        let bins = max(1, min(signature.bins ?? 20, 1000))
        let seed = UInt64(max(0, signature.seed ?? 20_261_213))
        let response = Double(max(0, min(signature.responseHours ?? 2, 24)))
        let start = Calendar.china.date(from: DateComponents(year: 2026, month: 7, day: 1)) ?? Date()
        let r = EnvironmentReplay.run(
            days: days, zones: zones, bins: bins, seed: seed, responseHours: response, start: start,
            calendar: .china)
        func pct(_ x: Double) -> String { String(format: "%.1f %%", x * 100) }
        context.console.print(
            """
            environment replay: \(days) days, seed \(seed), \(zones) zones, \(bins) bins (response \(Int(response)) h)
            irrigation runs:          \(r.runs) (fixed schedule: \(r.fixedRuns))
            skipped by rain / soil:   \(r.skippedRain) / \(r.skippedSoil) (scale 0: \(r.skippedScale)); stopped at target: \(r.stoppedAtTarget)
            runs while soil ≥ target: \(r.runsWhileWet) (goal 0; fixed schedule: \(r.fixedRunsWhileWet))
            litres:                   \(Int(r.litres)) vs \(Int(r.fixedLitres)) fixed (\(pct(r.litresSaved)) saved)
            bin collections:          \(r.collections) vs \(r.fixedCollections) daily (\(pct(r.collectionsSaved)) fewer, goal ≥ 40 %)
            overflows:                \(r.overflows) (goal 0; daily schedule: \(r.fixedOverflows))
            """)
    }
}
