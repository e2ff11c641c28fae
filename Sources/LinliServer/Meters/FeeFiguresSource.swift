import Fluent
import Foundation
import LinliCore
import Vapor

/// The fees' operations figures (收费率, 户收费率, 清缴率, arrears by age) for operators and property
/// staff, from the community's bills and their payments up to the period's end (``FeeFigures``). Bills are
/// monthly per home, so a year of a community is a few thousand rows.
enum FeeFiguresSource {
    static func register(_ app: Application) {
        app.operationsFigures.add("fees", order: 10, audience: { .viewMoneyFigures($0) }, compute: figures)
    }

    @Sendable static func figures(_ c: FigureContext) async throws -> JSONValue {
        let end = Calendar.chinaStart(of: c.period.to).addingTimeInterval(86_400)
        let bills = try await Bill.query(on: c.db).filter(\.$communityID == c.community).filter(\.$issuedAt < end).all()
        let payments = try await BillPayment.query(on: c.db).filter(\.$communityID == c.community).filter(\.$createdAt < end).all()
        let byBill = Dictionary(grouping: payments, by: \.billID)
        func day(_ date: Date) -> CivilDate { CivilDate(Calendar.chinaDate(date)) ?? c.period.to }
        let input = bills.compactMap { bill -> FeeFigures.Bill? in
            guard let id = bill.id, let due = CivilDate(bill.dueOn) else { return nil }
            return FeeFigures.Bill(
                household: bill.householdID, issued: day(bill.issuedAt), due: due, totalFen: bill.totalFen,
                payments: (byBill[id] ?? []).map { FeeFigures.Payment(day: day($0.createdAt), amountFen: $0.amountFen) })
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
