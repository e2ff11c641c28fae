import Fluent
import Foundation
import LinliCore
import SQLKit
import Vapor

/// The energy figures: water and electricity per home over the months the period touches (from the
/// homes' bills, which are the billing job's monthly roll-up of the meters), as median and where the
/// top tenth begins; and the leaks and unusual use the meter watch found (a daily count).
enum EnergyFigures {
    static func register(_ app: Application) {
        app.operationsFigures.addDaily("energy") { community, day, db in
            let meters = try await Device.query(on: db).filter(\.$communityID == community).filter(\.$type == Usage.Kind.water.deviceType)
                .all(\.$id)
            guard !meters.isEmpty else { return [:] }
            var out: [String: Double] = [:]
            for chunk in stride(from: 0, to: meters.count, by: 500).map({ Array(meters[$0..<min($0 + 500, meters.count)]) }) {
                for finding in try await MeterWatch.Finding.query(on: db).filter(\.$deviceID ~~ chunk).filter(\.$day == day.description).all() {
                    out[finding.kind == "anomaly" ? "energy.anomalies" : "energy.leaks", default: 0] += 1
                }
            }
            return out
        }
        app.operationsFigures.add("energy", order: 60, audience: { .viewAnalytics($0) }, compute: figures)
    }

    @Sendable static func figures(_ c: FigureContext) async throws -> JSONValue {
        let months = monthsTouched(c.period)
        // Summed per home and item by the database: a year of a community is thousands of bill lines.
        var use: [BillItem: [UUID: Double]] = [:]
        if let sql = c.db as? any SQLDatabase {
            let rows = try await sql.select().column(SQLColumn("household_id", table: Bill.schema)).column(SQLColumn("item", table: BillLine.schema))
                .column(SQLRaw(#"CAST(SUM("bill_lines"."quantity_milli") AS BIGINT)"#), as: "quantity")
                .from(BillLine.schema).join(Bill.schema, on: SQLColumn("bill_id", table: BillLine.schema), .equal, SQLColumn("id", table: Bill.schema))
                .where(SQLColumn("community_id", table: Bill.schema), .equal, SQLBind(c.community))
                .where(SQLColumn("period", table: Bill.schema), .in, SQLBind.group(months))
                .where(SQLColumn("item", table: BillLine.schema), .in, SQLBind.group([BillItem.water.rawValue, BillItem.electricity.rawValue]))
                .groupBy(SQLColumn("household_id", table: Bill.schema)).groupBy(SQLColumn("item", table: BillLine.schema)).all()
            for row in rows {
                guard let item = BillItem(rawValue: try row.decode(column: "item", as: String.self)) else { continue }
                use[item, default: [:]][try row.decode(column: "household_id", as: UUID.self)] = Double(try row.decode(column: "quantity", as: Int64.self))
            }
        }
        func perHome(_ item: BillItem, divisor: Double) -> JSONValue {
            let values = (use[item] ?? [:]).values.map { $0 / divisor }
            return .object([
                ("homes", .int(values.count)),
                ("median", .rate(values.isEmpty ? nil : MeterUsage.rounded(Statistics.median(values)))),
                ("topDecileFrom", .rate(Statistics.quantile(values, 0.9).map(MeterUsage.rounded))),
            ])
        }
        return .object([
            ("months", .array(months.map(JSONValue.string))),
            // Bill lines count litres and watt-hours: m³ and kWh here.
            ("waterM3", perHome(.water, divisor: 1000)), ("electricityKWh", perHome(.electricity, divisor: 1000)),
            ("leaksFound", .int(c.int("energy.leaks"))), ("unusualUse", .int(c.int("energy.anomalies"))),
        ])
    }

    /// The billing months (`2026-08`) the period's days fall in.
    static func monthsTouched(_ period: AnalyticsPeriod) -> [String] {
        var months: [String] = []
        for day in period.each {
            let month = String(day.description.prefix(7))
            if months.last != month { months.append(month) }
        }
        return months
    }
}
