import Foundation
import LinliCore
import Vapor

/// `linli care-replay [--households 50] [--days 30] [--seed N] [--gap-every 20]`: replays simulated days of
/// elderly people living alone (a routine of doors, motion and water between waking and sleeping, nights
/// away, a few hours out) with injected gaps whose time is known, against `WelfareWatch` as the care job
/// asks it, and prints what it found: gaps found within the window + 30 min, false checks per household a
/// month, and how many checks the gate's word held back.
struct CareReplayCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "households", help: "Households (50)") var households: Int?
        @Option(name: "days", help: "Days (30)") var days: Int?
        @Option(name: "seed", help: "Random seed (20261202)") var seed: Int?
        @Option(name: "gap-every", help: "A gap on one day in this many (20)") var gapEvery: Int?
    }

    var help: String { "Replays simulated days of the care watch with injected gaps and prints its figures." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let households = max(1, min(signature.households ?? 50, 10_000))
        let days = max(1, min(signature.days ?? 30, 366))
        let seed = UInt64(max(0, signature.seed ?? 20_261_202))
        let gapEvery = max(1, signature.gapEvery ?? 20)
        let start = Calendar.china.date(from: DateComponents(year: 2026, month: 9, day: 1)) ?? Date()
        let rule = WelfareWatch.Rule(windowMinutes: 12 * 60, quietHours: .init(start: 22 * 60, end: 7 * 60))
        func replay(gate: Bool) -> CareReplay.Result {
            CareReplay.run(
                households: households, days: days, seed: seed, rule: rule, gapEvery: gapEvery, gateSeen: gate,
                start: start, calendar: .china)
        }
        let result = replay(gate: true)
        let blind = replay(gate: false)
        context.console.print(
            """
            care replay: \(households) households × \(days) days, seed \(seed), rule 12 h with quiet hours 22:00–07:00
            gaps injected:           \(result.injectedGaps)
            found within window+30m: \(result.foundInTime) (\(String(format: "%.1f", result.detectionRate * 100)) %, goal ≥ 95 %)
            found late / missed:     \(result.foundLate) / \(result.missed)
            false checks:            \(result.falseChecks) (\(String(format: "%.2f", result.falseChecksPerHouseholdMonth)) per household a month, goal ≤ 1)
            held back (out by gate): \(result.suppressedOutings)
            without the gate's word: \(blind.falseChecks) false checks (\(String(format: "%.2f", blind.falseChecksPerHouseholdMonth)) per household a month)
            """)
    }
}
