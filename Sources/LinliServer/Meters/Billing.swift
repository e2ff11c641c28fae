import Fluent
import Foundation
import LinliCore
import SQLKit
import Vapor

/// Monthly bills: for every household of a community, its water and electricity of the month priced
/// day by day against the tariff versions in force (`LinliCore.TariffPricing`, annual tiers counted
/// from the year's earlier bills) and its property fee. A bill is issued once per household and month
/// (unique), in one transaction with its lines, so issuing a month again changes nothing.
enum Billing {
    static let job = "bills.issue"
    /// Days after the month's end a bill is due.
    static let dueDays = 20

    /// `2026-08` → the month's first and the next month's first (ms, China time).
    static func bounds(_ period: String) -> (Int64, Int64)? {
        let parts = period.split(separator: "-")
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, let year = Int(parts[0]),
            let month = Int(parts[1]), (2000...2999).contains(year), (1...12).contains(month)
        else { return nil }
        let start = Int64(CivilDays.days(year: year, month: month, day: 1)) * 86_400_000 - TimeBuckets.offset
        return (start, TimeBuckets.next(after: start, .month))
    }

    static func period(of ms: Int64) -> String {
        let (year, month) = TimeBuckets.yearMonth(ms)
        return String(format: "%04d-%02d", year, month)
    }

    static func day(_ ms: Int64) -> CivilDate? {
        let days = Int((TimeBuckets.start(of: ms, .day) + TimeBuckets.offset) / 86_400_000)
        let civil = CivilDays.civil(fromDays: days)
        return CivilDate(year: civil.year, month: civil.month, day: civil.day)
    }

    /// Issues `period`'s bills of every household of `community` that has none yet; answers how many
    /// were issued now.
    @discardableResult
    static func issue(_ community: UUID, period: String, now: Date, on db: any Database) async throws -> Int {
        guard let (start, end) = bounds(period) else { throw LinliError.invalid("period", "invalid_value") }
        guard end <= Int64(now.timeIntervalSince1970 * 1000) else { throw LinliError.invalid("period", "not_over") }
        let tariffs = try await TariffRow.query(on: db).filter(\.$communityID == community).all()
        let households = try await Household.query(on: db).filter(\.$communityID == community).all()
        let billed = Set(try await Bill.query(on: db).filter(\.$communityID == community)
            .filter(\.$period == period).all(\.$householdID))
        // Earlier bills still unpaid, for the late fee of the days of this month they are overdue.
        let overdue = Dictionary(
            grouping: try await Bill.query(on: db).filter(\.$communityID == community).filter(\.$status != .paid)
                .filter(\.$period < period).all(), by: \.householdID)
        // Only homes with a meter have water or electricity lines to work out.
        let metered = Set(
            try await Device.query(on: db).filter(\.$communityID == community)
                .filter(\.$type ~~ Usage.Kind.allCases.map(\.deviceType)).all(\.$householdID).compactMap { $0 })
            // Homes on prepaid meters pay their water and electricity from the prepaid balance.
            .subtracting(
                try await PrepaidAccount.query(on: db).filter(\.$communityID == community).filter(\.$enabled == true)
                    .all(\.$householdID))
        var made: [(Household, [BillLine])] = []
        for household in households {
            guard let id = household.id, !billed.contains(id) else { continue }
            let lines = try await lines(
                for: household, tariffs: metered.contains(id) ? tariffs : tariffs.filter(\.item.isFee), overdue: overdue[id] ?? [],
                from: start, to: end, period: period, on: db)
            guard !lines.isEmpty else { continue }
            made.append((household, lines))
        }
        var issued = 0
        for chunk in stride(from: 0, to: made.count, by: 100).map({ Array(made[$0..<min($0 + 100, made.count)]) }) {
            issued += try await store(chunk, period: period, dueFrom: end, now: now, on: db)
        }
        return issued
    }

    /// The lines of one household's month (not stored).
    static func lines(
        for household: Household, tariffs: [TariffRow], overdue: [Bill] = [], from start: Int64, to end: Int64,
        period: String, on db: any Database
    ) async throws -> [BillLine] {
        let id = try household.requireID()
        var out: [BillLine] = []
        for (item, kind) in [(BillItem.water, Usage.Kind.water), (.electricity, .electricity)] {
            let versions = tariffs.filter { $0.item == item }.compactMap(\.version)
            guard !versions.isEmpty else { continue }
            let series = try await Usage.series(of: id, kind, from: start, on: db)
            let daily: Int64 = 26 * 3_600_000
            guard !series.isEmpty,
                let month = Usage.buckets(series, from: start, to: start + 1, .month, maxGap: daily).first,
                month.complete, let total = month.usage
            else { continue }
            // Days as read; what the days could not say (a gap) goes on the month's last day, so the
            // lines add up to the month exactly.
            var days: [TariffPricing.DayUsage] = []
            for bucket in Usage.buckets(series, from: start, to: end, .day, maxGap: daily) {
                guard let usage = bucket.usage, bucket.complete, let day = day(bucket.start) else { continue }
                days.append(.init(day, Int64((usage * 1000).rounded())))
            }
            let rest = Int64((total * 1000).rounded()) - days.reduce(0) { $0 + $1.milliUnits }
            if rest > 0, let last = day(end - 1) { days.append(.init(last, rest)) }
            let yearToDate = try await used(id, item, before: period, on: db)
            for priced in TariffPricing.price(days, yearToDate: yearToDate, versions: versions) {
                guard let version = UUID(uuidString: priced.versionID) else { continue }
                out.append(
                    line(item, version: version, tier: priced.tier, quantity: priced.milliUnits, price: priced.price,
                         fen: priced.amountFen))
            }
        }
        guard let firstDay = day(start), let lastDay = day(end - 1) else { return out }
        func inForce(_ item: BillItem) -> (TariffRow, Int64, UUID)? {
            guard
                let (row, version) = tariffs.filter({ $0.item == item }).compactMap({ row in row.version.map { (row, $0) } })
                    .filter({ $0.1.effectiveFrom <= firstDay }).max(by: { $0.1.effectiveFrom < $1.1.effectiveFrom }),
                let price = version.prices.first, let id = row.id
            else { return nil }
            return (row, price, id)
        }
        // The late fee: for each earlier bill still unpaid, what is owed × the rate × its days overdue in
        // this month (from the day after its due day). A bill once issued never changes, so the fee is a
        // line of the next one.
        if let (_, rate, version) = inForce(.lateFee) {
            let last = CivilDays.days(year: lastDay.year, month: lastDay.month, day: lastDay.day)
            let first = CivilDays.days(year: firstDay.year, month: firstDay.month, day: firstDay.day)
            for bill in overdue.sorted(by: { $0.period < $1.period }) {
                guard let due = CivilDate(bill.dueOn) else { continue }
                let from = max(CivilDays.days(year: due.year, month: due.month, day: due.day) + 1, first)
                let days = last - from + 1
                let fen = LateFee.fen(unpaid: bill.totalFen - bill.paidFen, daysLate: days, perTenThousandPerDay: rate)
                guard days > 0, fen > 0 else { continue }
                out.append(line(.lateFee, version: version, tier: 1, quantity: Int64(days) * 1000, price: rate, fen: fen))
            }
        }
        if let (_, rate, version) = inForce(.propertyFee) {
            let area = Int64((household.areaM2 * 100).rounded())
            out.append(
                line(.propertyFee, version: version, tier: 1, quantity: area * 10, price: rate,
                     fen: FeeItem.perArea(fenPerSquareMetre: rate).monthly(areaHundredths: area)))
        }
        return out
    }

    private static func line(_ item: BillItem, version: UUID, tier: Int, quantity: Int64, price: Int64, fen: Int64)
        -> BillLine
    {
        let row = BillLine()
        row.id = UUID()
        row.item = item
        row.versionID = version
        row.tier = tier
        row.quantityMilli = quantity
        row.price = price
        row.amountFen = fen
        return row
    }

    /// What the household's earlier bills of the same year used of `item` (for the annual tiers).
    static func used(_ household: UUID, _ item: BillItem, before period: String, on db: any Database) async throws
        -> Int64
    {
        let year = String(period.prefix(4))
        let bills = try await Bill.query(on: db).filter(\.$householdID == household).filter(\.$period < period)
            .filter(\.$period >= year + "-01").all(\.$id)
        guard !bills.isEmpty else { return 0 }
        return try await BillLine.query(on: db).filter(\.$billID ~~ bills).filter(\.$item == item).all()
            .reduce(0) { $0 + $1.quantityMilli }
    }

    /// Stores bills with their lines, each bill in the one transaction with its lines (a chunk of them
    /// at once); a household already billed for the period (a job and an operator at the same time) is
    /// left out. Answers how many were stored.
    static func store(_ bills: [(Household, [BillLine])], period: String, dueFrom end: Int64, now: Date, on db: any Database)
        async throws -> Int
    {
        let due = day(end + Int64(dueDays - 1) * 86_400_000)?.description ?? period + "-28"
        return try await db.writeTransaction { tx in
            guard let sql = tx as? any SQLDatabase else { throw LinliError(.unavailable) }
            var rows: [[any SQLExpression]] = []
            var byHousehold: [UUID: (UUID, [BillLine], UUID)] = [:]
            for (household, lines) in bills {
                let id = try household.requireID()
                let billID = UUID()
                let total = lines.reduce(0) { $0 + $1.amountFen }
                byHousehold[id] = (billID, lines, household.communityID)
                rows.append([
                    SQLBind(billID), SQLBind(household.communityID), SQLBind(id), SQLBind(period), SQLBind(total),
                    SQLBind(Int64(0)), SQLBind(total == 0 ? Bill.Status.paid.rawValue : Bill.Status.issued.rawValue),
                    SQLBind(now), SQLBind(due),
                ])
            }
            guard !rows.isEmpty else { return 0 }
            var insert = sql.insert(into: Bill.schema)
                .columns("id", "community_id", "household_id", "period", "total_fen", "paid_fen", "status", "issued_at", "due_on")
            for row in rows { insert = insert.values(row) }
            let inserted = try await insert.ignoringConflicts(with: ["household_id", "period"]).returning("id").all()
            let stored = Set(inserted.compactMap { try? $0.decode(column: "id", as: UUID.self) })
            var lines: [BillLine] = []
            for (billID, billLines, community) in byHousehold.values where stored.contains(billID) {
                for line in billLines {
                    line.communityID = community
                    line.billID = billID
                }
                lines += billLines
            }
            if !lines.isEmpty { try await lines.create(inChunksOn: tx) }
            return stored.count
        }
    }

    /// The job: on any day of a month, last month's bills of every community that has tariffs.
    static func run(now: Date, on db: any Database) async throws {
        let period = period(of: TimeBuckets.start(of: Int64(now.timeIntervalSince1970 * 1000), .month) - 1)
        let communities = Set(try await TariffRow.query(on: db).all(\.$communityID))
        for community in communities { try await issue(community, period: period, now: now, on: db) }
    }
}
