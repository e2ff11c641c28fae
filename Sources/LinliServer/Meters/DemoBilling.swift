import Fluent
import Foundation
import LinliCore

/// The demo's tariffs, from seven months back: Chongqing-style annual tiers for water (260 / 330 m³:
/// 3.50, 4.50, 5.50 元) with a raise two months ago, for electricity (2,160 / 4,200 kWh: 0.52, 0.57,
/// 0.82 元) and a property fee of 2.50 元/m² a month. Bills are issued by the job (or by an operator
/// for a finished month), not seeded.
enum DemoBilling {
    static func seed(_ world: DemoWorld, on db: any Database) async throws {
        let now = Int64(world.now.timeIntervalSince1970 * 1000)
        func monthsBack(_ n: Int) -> String {
            var start = TimeBuckets.start(of: now, .month)
            for _ in 0..<n { start = TimeBuckets.start(of: start - 1, .month) }
            return Billing.day(start)?.description ?? "2026-01-01"
        }
        let versions: [(BillItem, String, [Int64], [Int64])] = [
            (.water, monthsBack(7), [260_000, 330_000], [35_000, 45_000, 55_000]),
            (.water, monthsBack(2), [260_000, 330_000], [37_000, 47_500, 58_000]),
            (.electricity, monthsBack(7), [2_160_000, 4_200_000], [5_200, 5_700, 8_200]),
            (.propertyFee, monthsBack(7), [], [250]),
        ]
        for (item, from, limits, prices) in versions {
            let row = TariffRow()
            row.communityID = world.community
            row.item = item
            row.effectiveFrom = from
            row.tierLimits = limits
            row.prices = prices
            row.createdBy = world.staffMember(.operator_)
            row.createdAt = world.now
            try await row.create(on: db)
        }
    }
}
