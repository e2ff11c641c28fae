import Foundation

/// The work-order figures: what was filed (by category, channel, hour of day and weekday, China time),
/// what was done and whether on time against each category's deadlines, reopened orders, ratings, per
/// staff member, and what is open and overdue now.
public enum WorkFigures {
    public struct Order: Sendable, Equatable {
        public let category: WorkCategory
        public let channel: String
        /// Filing, then each reopening.
        public let openings: [Date]
        /// Each time it was reported done, in order.
        public let completions: [Date]
        /// When it was first accepted.
        public let accepted: Date?
        /// Its status now.
        public let status: WorkStatus
        public let assignee: UUID?
        public let rating: Int?

        public init(
            category: WorkCategory, channel: String, openings: [Date], completions: [Date], accepted: Date?, status: WorkStatus,
            assignee: UUID?, rating: Int?
        ) {
            self.category = category
            self.channel = channel
            self.openings = openings
            self.completions = completions
            self.accepted = accepted
            self.status = status
            self.assignee = assignee
            self.rating = rating
        }

        public var filed: Date { openings.first ?? .distantPast }

        /// Every completion met the deadline counted from the opening before it (the filing, or the
        /// reopening that sent it back): a reopened order is on time only if its redo was too.
        public var doneOnTime: Bool {
            guard !completions.isEmpty else { return false }
            for (index, done) in completions.enumerated() {
                let start = index < openings.count ? openings[index] : openings.last ?? done
                if done > WorkOrderRules.deadlines(category, from: start).completeBy { return false }
            }
            return true
        }
    }

    public struct Staff: Sendable, Equatable, Codable {
        public var done = 0
        public var onTime = 0
        public init() {}
    }

    public struct Result: Sendable, Equatable, Codable {
        public var filed = 0
        public var byCategory: [String: Int] = [:]
        public var byChannel: [String: Int] = [:]
        /// Filed per hour of day (0–23) and per weekday (0 Monday … 6 Sunday), China time.
        public var byHour = [Int](repeating: 0, count: 24)
        public var byWeekday = [Int](repeating: 0, count: 7)
        /// Orders whose last completion falls in the period and that are not open again.
        public var done = 0
        public var onTime = 0
        public var onTimeRate: Double?
        /// Of the orders filed in the period, accepted within the response deadline.
        public var respondedOnTime = 0
        public var respondedRate: Double?
        /// Done in the period after at least one reopening.
        public var reopened = 0
        public var ratings = 0
        public var ratingSum = 0
        public var ratingMean: Double?
        public var perStaff: [String: Staff] = [:]
        /// Open now and past its deadline (counted from its last opening), as the work-order list shows.
        public var overdueOpen = 0
        public init() {}
    }

    public static let chinaOffset: TimeInterval = 8 * 3600

    public static func compute(_ orders: [Order], from: Date, to: Date, now: Date) -> Result {
        var result = Result()
        var ratingSum = 0
        for order in orders {
            if order.filed >= from && order.filed < to {
                result.filed += 1
                result.byCategory[order.category.rawValue, default: 0] += 1
                result.byChannel[order.channel, default: 0] += 1
                let local = order.filed.timeIntervalSince1970 + chinaOffset
                result.byHour[Int(local / 3600) % 24] += 1
                // 1970-01-01 was a Thursday (3 when Monday is 0).
                result.byWeekday[(Int(floor(local / 86_400)) + 3) % 7] += 1
                let respondBy = WorkOrderRules.deadlines(order.category, from: order.filed).respondBy
                if let accepted = order.accepted, accepted <= respondBy { result.respondedOnTime += 1 }
            }
            if !order.status.isOpen, let last = order.completions.last, last >= from, last < to {
                result.done += 1
                let onTime = order.doneOnTime
                if onTime { result.onTime += 1 }
                if order.openings.count > 1 { result.reopened += 1 }
                if let rating = order.rating {
                    result.ratings += 1
                    ratingSum += rating
                }
                if let who = order.assignee {
                    result.perStaff[who.uuidString, default: Staff()].done += 1
                    if onTime { result.perStaff[who.uuidString, default: Staff()].onTime += 1 }
                }
            }
            if order.status.isOpen, let start = order.openings.last {
                let deadlines = WorkOrderRules.deadlines(order.category, from: start)
                if WorkOrderRules.overdue(order.status, respondBy: deadlines.respondBy, completeBy: deadlines.completeBy, now: now) != nil {
                    result.overdueOpen += 1
                }
            }
        }
        result.onTimeRate = FeeFigures.rate(Int64(result.onTime), Int64(result.done))
        result.respondedRate = FeeFigures.rate(Int64(result.respondedOnTime), Int64(result.filed))
        result.ratingSum = ratingSum
        result.ratingMean = result.ratings > 0 ? (Double(ratingSum) / Double(result.ratings) * 100).rounded() / 100 : nil
        return result
    }
}
