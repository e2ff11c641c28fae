import Fluent
import Foundation
import LinliCore
import SQLKit
import Vapor

/// The fees' operations figures (收费率, 户收费率, 清缴率, arrears by age) for operators and property
/// staff, from the community's bills and their payments up to the period's end (``FeeFigures``). Bills are
/// monthly per home, so a year of a community is a few thousand rows, read as plain rows of the columns needed.
enum FeeFiguresSource {
    static func register(_ app: Application) {
        app.operationsFigures.add("fees", order: 10, audience: { .viewMoneyFigures($0) }, compute: figures)
    }

    @Sendable static func figures(_ c: FigureContext) async throws -> JSONValue {
        let end = Calendar.chinaStart(of: c.period.to).addingTimeInterval(86_400)
        func day(_ date: Date) -> CivilDate { CivilDate(Calendar.chinaDate(date)) ?? c.period.to }
        guard let sql = c.db as? any SQLDatabase else { return .null }
        // Only the columns the rates need, read as rows: a community's years of bills are many thousands.
        var paid: [UUID: [FeeFigures.Payment]] = [:]
        for row in try await sql.select().columns("bill_id", "created_at", "amount_fen").from(BillPayment.schema)
            .where("community_id", .equal, c.community).where("created_at", .lessThan, end).all()
        {
            paid[try row.decode(column: "bill_id", as: UUID.self), default: []].append(
                FeeFigures.Payment(day: day(try row.decode(column: "created_at", as: Date.self)), amountFen: try row.decode(column: "amount_fen", as: Int64.self)))
        }
        var input: [FeeFigures.Bill] = []
        for row in try await sql.select().columns("id", "household_id", "issued_at", "due_on", "total_fen").from(Bill.schema)
            .where("community_id", .equal, c.community).where("issued_at", .lessThan, end).all()
        {
            guard let due = CivilDate(try row.decode(column: "due_on", as: String.self)) else { continue }
            input.append(
                FeeFigures.Bill(
                    household: try row.decode(column: "household_id", as: UUID.self), issued: day(try row.decode(column: "issued_at", as: Date.self)),
                    due: due, totalFen: try row.decode(column: "total_fen", as: Int64.self), payments: paid[try row.decode(column: "id", as: UUID.self)] ?? []))
        }
        let f = FeeFigures.compute(input, period: c.period)
        return .object([
            ("billedFen", .int(Int(f.billedFen))), ("collectedFen", .int(Int(f.collectedFen))), ("collectionRate", .rate(f.collectionRate)),
            ("householdsBilled", .int(f.householdsBilled)), ("householdsPaid", .int(f.householdsPaid)), ("householdRate", .rate(f.householdRate)),
            ("arrearsAtStartFen", .int(Int(f.arrearsAtStartFen))), ("arrearsCollectedFen", .int(Int(f.arrearsCollectedFen))),
            ("clearanceRate", .rate(f.clearanceRate)),
            ("arrearsByAge", .object([
                ("upTo30Fen", .int(Int(f.arrearsByAge.upTo30Fen))), ("upTo90Fen", .int(Int(f.arrearsByAge.upTo90Fen))),
                ("upTo180Fen", .int(Int(f.arrearsByAge.upTo180Fen))), ("over180Fen", .int(Int(f.arrearsByAge.over180Fen))),
            ])),
        ])
    }
}
