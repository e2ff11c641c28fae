import Foundation

/// The fee figures of property-management reports (HC 小区管理系统's 收费率, 户收费率, 清缴率), from bills
/// and the payments on them, refunds being negative payments.
public enum FeeFigures {
    public struct Payment: Sendable, Equatable {
        public let day: CivilDate
        /// Fen; a refund is negative.
        public let amountFen: Int64

        public init(day: CivilDate, amountFen: Int64) {
            self.day = day
            self.amountFen = amountFen
        }
    }

    public struct Bill: Sendable, Equatable {
        public let household: UUID
        public let issued: CivilDate
        public let due: CivilDate
        public let totalFen: Int64
        public let payments: [Payment]

        public init(household: UUID, issued: CivilDate, due: CivilDate, totalFen: Int64, payments: [Payment]) {
            self.household = household
            self.issued = issued
            self.due = due
            self.totalFen = totalFen
            self.payments = payments
        }

        /// What was paid by the end of `day` (net of refunds, never below 0 nor above the total).
        public func paid(through day: CivilDate) -> Int64 {
            min(totalFen, max(0, payments.filter { $0.day <= day }.reduce(0) { $0 + $1.amountFen }))
        }
    }

    /// Unpaid amounts by how long past due, as of the period's last day.
    public struct Ages: Sendable, Equatable, Codable {
        public var upTo30Fen: Int64 = 0
        public var upTo90Fen: Int64 = 0
        public var upTo180Fen: Int64 = 0
        public var over180Fen: Int64 = 0

        public init() {}
    }

    public struct Result: Sendable, Equatable, Codable {
        /// The bills issued in the period: their total, what of it was paid by the period's end.
        public var billedFen: Int64 = 0
        public var collectedFen: Int64 = 0
        /// collected ÷ billed (nil when nothing was billed).
        public var collectionRate: Double?
        public var householdsBilled = 0
        /// Households whose every bill of the period was paid in full by its end.
        public var householdsPaid = 0
        public var householdRate: Double?
        /// Owed on earlier bills at the period's start, and what of that was paid during the period.
        public var arrearsAtStartFen: Int64 = 0
        public var arrearsCollectedFen: Int64 = 0
        /// 清缴率: arrears collected ÷ arrears at the start.
        public var clearanceRate: Double?
        public var arrearsByAge = Ages()

        public init() {}
    }

    public static func compute(_ bills: [Bill], period: AnalyticsPeriod) -> Result {
        var result = Result()
        let dayBefore = AnalyticsPeriod.day(AnalyticsPeriod.dayNumber(period.from) - 1)
        var billed: [UUID: Bool] = [:]
        for bill in bills where period.contains(bill.issued) {
            let paid = bill.paid(through: period.to)
            result.billedFen += bill.totalFen
            result.collectedFen += paid
            billed[bill.household] = (billed[bill.household] ?? true) && paid >= bill.totalFen
        }
        for bill in bills where bill.issued < period.from {
            let owed = bill.totalFen - bill.paid(through: dayBefore)
            guard owed > 0 else { continue }
            result.arrearsAtStartFen += owed
            result.arrearsCollectedFen += min(owed, bill.paid(through: period.to) - bill.paid(through: dayBefore))
        }
        let end = AnalyticsPeriod.dayNumber(period.to)
        for bill in bills where bill.issued <= period.to {
            let owed = bill.totalFen - bill.paid(through: period.to)
            let late = end - AnalyticsPeriod.dayNumber(bill.due)
            guard owed > 0, late > 0 else { continue }
            switch late {
            case ...30: result.arrearsByAge.upTo30Fen += owed
            case ...90: result.arrearsByAge.upTo90Fen += owed
            case ...180: result.arrearsByAge.upTo180Fen += owed
            default: result.arrearsByAge.over180Fen += owed
            }
        }
        result.householdsBilled = billed.count
        result.householdsPaid = billed.values.filter { $0 }.count
        result.collectionRate = rate(result.collectedFen, result.billedFen)
        result.householdRate = rate(Int64(result.householdsPaid), Int64(result.householdsBilled))
        result.clearanceRate = rate(result.arrearsCollectedFen, result.arrearsAtStartFen)
        return result
    }

    /// A share to four places; nil over nothing.
    public static func rate(_ part: Int64, _ whole: Int64) -> Double? {
        whole > 0 ? (Double(part) / Double(whole) * 10_000).rounded() / 10_000 : nil
    }
}
