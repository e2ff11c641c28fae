import Fluent
import Foundation
import LinliCore
import Vapor

/// What a household still owes, by how long past its due date (the operators' arrears list).
struct ArrearsRead: Content, Equatable {
    let householdID: UUID
    let building: String
    let room: String
    let owedFen: Int64
    /// Not yet due.
    let notDueFen: Int64
    let days1To30Fen: Int64
    let days31To90Fen: Int64
    let over90Fen: Int64
    /// The oldest unpaid bill's due day.
    let oldestDueOn: String
    let bills: Int
}

extension Sorting {
    /// Most owed first.
    static let arrears = Sorting(keys: ["owed"], defaultSort: "-owed")
}

enum Arrears {
    static func register(_ app: Application) {
        app.api.authenticated.register(
            .init(
                method: .GET, path: RegistryAPI.c + "/arrears", operationID: "listArrears",
                summary: "Households with unpaid bills, most owed first, with what is owed by age past the due day",
                tag: "billing", authority: .community { .dispatchWorkOrders($0) }, response: Schema.page(of: "Arrears"), query: Endpoint.listQuery(.arrears)), in: app, listArrears)
    }

    static func list(_ community: UUID, now: Date, on db: any Database) async throws -> [ArrearsRead] {
        let unpaid = try await Bill.query(on: db).filter(\.$communityID == community).filter(\.$status != .paid).all()
        guard let today = Billing.day(Int64(now.timeIntervalSince1970 * 1000)) else { return [] }
        let todayNumber = CivilDays.days(year: today.year, month: today.month, day: today.day)
        let homes = try await Household.query(on: db).filter(\.$id ~~ Array(Set(unpaid.map(\.householdID)))).all()
        let buildings = try await Building.byID(homes.map(\.buildingID), on: db)
        var rows: [ArrearsRead] = []
        for (household, bills) in Dictionary(grouping: unpaid, by: \.householdID) {
            var buckets: [Int64] = [0, 0, 0, 0]
            for bill in bills {
                guard let due = CivilDate(bill.dueOn) else { continue }
                let late = todayNumber - CivilDays.days(year: due.year, month: due.month, day: due.day)
                let index = late <= 0 ? 0 : late <= 30 ? 1 : late <= 90 ? 2 : 3
                buckets[index] += bill.totalFen - bill.paidFen
            }
            let home = homes.first { $0.id == household }
            rows.append(
                ArrearsRead(
                    householdID: household, building: home.flatMap { buildings[$0.buildingID]?.name } ?? "",
                    room: home?.room ?? "", owedFen: buckets.reduce(0, +), notDueFen: buckets[0],
                    days1To30Fen: buckets[1], days31To90Fen: buckets[2], over90Fen: buckets[3],
                    oldestDueOn: bills.map(\.dueOn).min() ?? "", bills: bills.count))
        }
        // Most owed first, then by building and room (the list's one order; `sort=owed` turns it round).
        return rows.sorted {
            ($0.owedFen, $1.building, $1.room) > ($1.owedFen, $0.building, $0.room)
        }
    }
}
