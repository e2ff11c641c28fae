import Foundation

/// A utility price (water, electricity) with effective dates, flat or annual tiered (阶梯): the year's
/// usage of a household up to the first limit is priced at the first tier, and so on. A tariff is never
/// edited in place — a new version starts on a day — so a bill keeps the version it was priced with.
///
/// Amounts are integers: usage in thousandths of a unit (litres, watt-hours) and prices in hundredths
/// of a fen per unit (0.5283 元/kWh is 5283), so a line is exact before it is rounded to the fen once.
public struct TariffVersion: Sendable, Equatable, Codable {
    public var id: String
    /// The first day (China time) it applies to.
    public var effectiveFrom: CivilDate
    /// Upper limits of each tier but the last, in milli-units per household per calendar year,
    /// increasing; empty: flat.
    public var tierLimits: [Int64]
    /// Price per unit of each tier, in 1/100 fen; one more than `tierLimits`.
    public var prices: [Int64]

    public init(id: String, effectiveFrom: CivilDate, tierLimits: [Int64] = [], prices: [Int64]) {
        self.id = id
        self.effectiveFrom = effectiveFrom
        self.tierLimits = tierLimits
        self.prices = prices
    }

    public enum Problem: String, Error, Sendable, Equatable {
        case noPrices = "no_prices"
        case tiersDoNotMatchPrices = "tiers_do_not_match_prices"
        case tiersNotIncreasing = "tiers_not_increasing"
        case negativePrice = "negative_price"
    }

    /// Why the version cannot be used, naming what is wrong.
    public func check() -> Problem? {
        if prices.isEmpty { return .noPrices }
        if prices.count != tierLimits.count + 1 { return .tiersDoNotMatchPrices }
        if prices.contains(where: { $0 < 0 }) { return .negativePrice }
        var previous: Int64 = 0
        for limit in tierLimits {
            guard limit > previous else { return .tiersNotIncreasing }
            previous = limit
        }
        return nil
    }
}

/// Prices a billing period's usage against the versions in force, day by day.
public enum TariffPricing {
    /// A day's usage, in milli-units.
    public struct DayUsage: Sendable, Equatable {
        public var day: CivilDate
        public var milliUnits: Int64

        public init(_ day: CivilDate, _ milliUnits: Int64) {
            self.day = day
            self.milliUnits = milliUnits
        }
    }

    /// One bill line: a tier of one version, its usage and amount.
    public struct Line: Sendable, Equatable, Codable {
        public var versionID: String
        /// 1-based.
        public var tier: Int
        public var milliUnits: Int64
        public var price: Int64
        public var amountFen: Int64
    }

    /// Splits `days` (in order) into tiers. `yearToDate` is the household's usage in the calendar year
    /// of the first day before the period; it starts again at 0 on 1 January. Lines of the same version
    /// and tier are merged and rounded to the fen once (half up).
    public static func price(_ days: [DayUsage], yearToDate: Int64, versions: [TariffVersion]) -> [Line] {
        let ordered = versions.sorted { $0.effectiveFrom < $1.effectiveFrom }
        var used = yearToDate
        var year = days.first?.day.year
        // (version, tier) → milli-units, in the order they first appear.
        var order: [String] = []
        var sums: [String: (version: TariffVersion, tier: Int, milli: Int64)] = [:]
        for day in days.sorted(by: { $0.day < $1.day }) where day.milliUnits > 0 {
            if day.day.year != year {
                year = day.day.year
                used = 0
            }
            guard let version = ordered.last(where: { $0.effectiveFrom <= day.day }) else { continue }
            var left = day.milliUnits
            var tier = 0
            while left > 0 {
                let limit = tier < version.tierLimits.count ? version.tierLimits[tier] : Int64.max
                let room = max(0, limit - used)
                let part = min(left, room)
                if part > 0 {
                    let key = "\(version.id)#\(tier)"
                    if sums[key] == nil {
                        order.append(key)
                        sums[key] = (version, tier, 0)
                    }
                    sums[key]?.milli += part
                    used += part
                    left -= part
                }
                tier += 1
                if tier > version.tierLimits.count { break }
            }
        }
        return order.compactMap { key in
            guard let sum = sums[key] else { return nil }
            let price = sum.version.prices[min(sum.tier, sum.version.prices.count - 1)]
            return Line(
                versionID: sum.version.id, tier: sum.tier + 1, milliUnits: sum.milli, price: price,
                amountFen: amount(milliUnits: sum.milli, price: price))
        }
    }

    /// milli-units × (1/100 fen per unit) → fen, half up.
    public static func amount(milliUnits: Int64, price: Int64) -> Int64 {
        let hundredThousandths = milliUnits * price
        return (hundredThousandths + 50_000) / 100_000
    }
}

/// Property fees (物业费) and other fixed monthly items of a household.
public enum FeeItem: Sendable, Equatable, Codable {
    /// Rate per m² a month in fen, times the home's area in hundredths of a m².
    case perArea(fenPerSquareMetre: Int64)
    /// The same amount for every household.
    case fixed(fen: Int64)

    /// The month's amount in fen, half up.
    public func monthly(areaHundredths: Int64) -> Int64 {
        switch self {
        case .perArea(let rate): (areaHundredths * rate + 50) / 100
        case .fixed(let fen): fen
        }
    }
}

/// Late fees (滞纳金) where a community sets them: a daily rate in parts per ten thousand of what is
/// still unpaid, from the day after the due date, never more than the amount itself.
public enum LateFee {
    public static func fen(unpaid: Int64, daysLate: Int, perTenThousandPerDay: Int64) -> Int64 {
        guard unpaid > 0, daysLate > 0, perTenThousandPerDay > 0 else { return 0 }
        let fee = (unpaid * Int64(daysLate) * perTenThousandPerDay + 5_000) / 10_000
        return min(fee, unpaid)
    }
}
