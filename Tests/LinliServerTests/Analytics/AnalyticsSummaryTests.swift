import Fluent
import Foundation
import LinliCore
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

/// The operations summary: work-order figures from the daily roll-ups against a hand-worked fixture,
/// the overdue count equal to the list's, a late completion correcting its day, fees for the money roles
/// only, the CSV equal to the JSON, and bad periods refused.
@Suite struct AnalyticsSummaryTests {
    /// 2026-09-20 00:00 China time (the harness clock is 2026-09-21 22:13 China time).
    let day = Calendar.chinaStart(of: CivilDate("2026-09-20")!)
    let hour: TimeInterval = 3600

    @discardableResult
    func order(
        _ h: Harness, _ category: WorkCategory, filed: TimeInterval, status: WorkStatus, steps: [(String, TimeInterval)] = [],
        rating: Int? = nil
    ) async throws -> UUID {
        let row = WorkOrder()
        row.id = UUID()
        row.communityID = h.world.a
        row.householdID = h.world.home
        row.filedBy = h.world.owner
        row.channel = "app"
        row.category = category
        row.description = "测试"
        row.place = "家里"
        row.status = status
        let start = day.addingTimeInterval(filed * hour)
        let deadlines = WorkOrderRules.deadlines(category, from: start)
        row.respondBy = deadlines.respondBy
        row.completeBy = deadlines.completeBy
        row.doneAt = steps.last { $0.0 == "complete" }.map { day.addingTimeInterval($0.1 * hour) }
        row.rating = rating
        row.createdAt = start
        row.updatedAt = start
        try await row.create(on: h.app.db)
        for (action, at) in steps {
            let event = WorkOrderEvent()
            event.orderID = row.id!
            event.action = action
            event.note = ""
            event.at = day.addingTimeInterval(at * hour)
            try await event.create(on: h.app.db)
        }
        return row.id!
    }

    func summary(_ h: Harness, _ query: String, token: String) async throws -> TestingHTTPResponse {
        try await h.send(.GET, h.community + "/analytics/summary?" + query, token: token)
    }

    func json(_ r: TestingHTTPResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: r.body)) as? [String: Any])
    }

    func flatten(_ value: Any, _ prefix: String = "") -> [String: String] {
        if let object = value as? [String: Any] {
            return object.reduce(into: [:]) { out, pair in out.merge(flatten(pair.value, prefix.isEmpty ? pair.key : prefix + "." + pair.key)) { a, _ in a } }
        }
        if let array = value as? [Any] {
            return array.enumerated().reduce(into: [:]) { out, pair in out.merge(flatten(pair.element, prefix + ".\(pair.offset)")) { a, _ in a } }
        }
        if value is NSNull { return [prefix: ""] }
        if let number = value as? NSNumber {  // the summary has no booleans
            return [prefix: BarChart.format((number.doubleValue * 10_000).rounded() / 10_000)]
        }
        return [prefix: "\(value)"]
    }

    @Test func workFiguresComeFromTheRollUpsAgreeWithTheListAndALateStepCorrectsItsDay() async throws {
        try await withLinli { h in
            // Water: accept in 15 min, done in 4 h. Cleaning: 2 h / 24 h. Complaint: 4 h / 72 h.
            try await order(h, .repairWater, filed: 1, status: .confirmed, steps: [("accept", 1.05), ("complete", 3)], rating: 5)
            try await order(h, .repairWater, filed: 2, status: .done, steps: [("accept", 2.5), ("complete", 7)], rating: 3)
            let cleaning = try await order(h, .cleaning, filed: 3, status: .submitted)
            try await order(h, .complaint, filed: 4, status: .accepted, steps: [("accept", 4.2)])
            try await Rollups.run(now: h.clock.now(), app: h.app)
            let op = try await h.token("operator")
            let answer = try await summary(h, "from=2026-09-20&to=2026-09-21", token: op)
            #expect(answer.status == .ok)
            let work = try #require(try json(answer)["workOrders"] as? [String: Any])
            #expect(work["filed"] as? Int == 4 && work["done"] as? Int == 2 && work["onTime"] as? Int == 1)
            #expect(work["onTimeRate"] as? Double == 0.5 && work["respondedOnTimeRate"] as? Double == 0.5)
            #expect(work["ratingMean"] as? Double == 4 && work["reopened"] as? Int == 0)
            #expect(work["byCategory"] as? [String: Int] == ["repair_water": 2, "cleaning": 1, "complaint": 1])
            #expect((work["byHour"] as? [Int])?[1...4].allSatisfy { $0 == 1 } == true)
            // Overdue now: the cleaning (not done within 24 h) — as the list says.
            let list = try await h.send(.GET, h.community + "/work-orders?overdue=true", token: op).content.decode(ListPage<WorkOrderRead>.self)
            #expect(work["overdueOpen"] as? Int == 1 && list.metadata.total == 1)

            // The cleaning is done late on the 21st and reopened the same day, then done again within its
            // new deadline: the next roll-up counts it on the 21st, reopened and late (the first time was).
            let row = try #require(try await WorkOrder.find(cleaning, on: h.app.db))
            row.status = .confirmed
            row.doneAt = day.addingTimeInterval(40 * hour)
            try await row.save(on: h.app.db)
            for (action, at) in [("accept", 3.1), ("complete", 30.0), ("reopen", 31.0), ("complete", 40.0)] {
                let event = WorkOrderEvent()
                event.orderID = cleaning
                event.action = action
                event.note = ""
                event.at = day.addingTimeInterval(at * hour)
                try await event.create(on: h.app.db)
            }
            try await Rollups.run(now: h.clock.now(), app: h.app)
            let again = try #require(try json(try await summary(h, "from=2026-09-21&to=2026-09-21", token: op))["workOrders"] as? [String: Any])
            #expect(again["done"] as? Int == 1 && again["reopened"] as? Int == 1 && again["onTime"] as? Int == 0 && again["overdueOpen"] as? Int == 0)

            // The CSV is the JSON, row for row.
            let csv = try await summary(h, "from=2026-09-20&to=2026-09-21&format=csv", token: op)
            #expect(csv.headers.contentType?.subType == "csv")
            let lines = csv.body.string.split(separator: "\r\n").map(String.init)
            #expect(lines.first == "figure,value")
            var rows: [String: String] = [:]
            for line in lines.dropFirst() {
                let parts = line.split(separator: ",", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                rows[parts[0]] = parts.count > 1 ? parts[1] : ""
            }
            let fromJSON = flatten(try json(try await summary(h, "from=2026-09-20&to=2026-09-21", token: op)))
            #expect(rows == fromJSON)
            // The console's page draws the figures with charts, and its download is the same CSV.
            let browser = WebTests.Browser(h)
            try await browser.signIn(h.world.phones["operator"]!)
            let page = try await browser.go(.GET, "/console/\(h.world.a)/analytics?from=2026-09-20&to=2026-09-21")
            #expect(page.status == .ok && page.text.contains("<svg class=\"chart\"") && page.text.contains("/analytics/csv?from=2026-09-20"))
            let download = try await browser.go(.GET, "/console/\(h.world.a)/analytics/csv?from=2026-09-20&to=2026-09-21")
            #expect(download.body.string == csv.body.string)
            #expect(try await browser.go(.GET, "/console/\(h.world.a)/analytics?from=2026-09-21&to=2026-09-01").status == .unprocessableEntity)
            #expect(rows["workOrders.overdueOpen"] == "0" && rows["fees.billedFen"] != nil)
        }
    }

    @Test func moneyIsForTheMoneyRolesAndBadPeriodsAreRefused() async throws {
        try await withLinli { h in
            let worker = try json(try await summary(h, "", token: try await h.token("worker")))
            #expect(worker["workOrders"] != nil && worker["fees"] == nil)
            let property = try json(try await summary(h, "", token: try await h.token("property")))
            #expect(property["fees"] != nil && property["workOrders"] != nil)
            #expect((property["to"] as? String)?.count == 10)
            #expect(try await summary(h, "", token: try await h.token("owner")).status == .forbidden)
            #expect(try await summary(h, "", token: try await h.token("operatorB")).status == .notFound)
            let op = try await h.token("operator")
            for (query, field, reason) in [
                ("from=2026-09-21&to=2026-09-01", "to", "period_reversed"), ("from=2022-01-01&to=2026-01-01", "to", "period_too_long"),
                ("from=2026-13-01", "from", "invalid_date"), ("to=yesterday", "to", "invalid_date"), ("format=xml", "format", "invalid_value"),
            ] {
                let refused = try await summary(h, query, token: op)
                #expect(refused.status == .unprocessableEntity, "\(query)")
                let problem = try JSONDecoder().decode(Problem.self, from: Data(buffer: refused.body))
                #expect(problem.errors?.first?.field == field && problem.errors?.first?.reason == reason, "\(query)")
            }
        }
    }

    @Test func feeRatesOfTheCommunity() async throws {
        try await withLinli { h in
            func bill(_ household: UUID, total: Int64, issued: String, due: String) async throws -> UUID {
                let row = Bill()
                row.communityID = h.world.a
                row.householdID = household
                row.period = String(issued.prefix(7))
                row.totalFen = total
                row.paidFen = 0
                row.status = .issued
                row.issuedAt = Calendar.chinaStart(of: CivilDate(issued)!).addingTimeInterval(3600)
                row.dueOn = due
                try await row.create(on: h.app.db)
                return row.id!
            }
            func pay(_ bill: UUID, _ fen: Int64, on day: String) async throws {
                let row = BillPayment()
                row.communityID = h.world.a
                row.billID = bill
                row.amountFen = fen
                row.channel = .cash
                row.requestKey = UUID().uuidString
                row.receiptNo = UUID().uuidString
                row.recordedBy = h.world.owner
                row.createdAt = Calendar.chinaStart(of: CivilDate(day)!).addingTimeInterval(7200)
                try await row.create(on: h.app.db)
            }
            let mine = try await bill(h.world.home, total: 10_000, issued: "2026-09-01", due: "2026-09-20")
            let theirs = try await bill(h.world.otherHome, total: 8_000, issued: "2026-09-01", due: "2026-09-20")
            let old = try await bill(h.world.otherHome, total: 5_000, issued: "2026-08-01", due: "2026-08-20")
            try await pay(mine, 10_000, on: "2026-09-05")
            try await pay(theirs, 2_000, on: "2026-09-10")
            try await pay(old, 1_000, on: "2026-08-25")
            try await pay(old, 1_000, on: "2026-09-12")
            let fees = try #require(try json(try await summary(h, "from=2026-09-01&to=2026-09-21", token: try await h.token("operator")))["fees"] as? [String: Any])
            #expect(fees["billedFen"] as? Int == 18_000 && fees["collectedFen"] as? Int == 12_000)
            #expect(fees["collectionRate"] as? Double == 0.6667 && fees["householdsBilled"] as? Int == 2 && fees["householdsPaid"] as? Int == 1)
            #expect(fees["arrearsAtStartFen"] as? Int == 4_000 && fees["arrearsCollectedFen"] as? Int == 1_000 && fees["clearanceRate"] as? Double == 0.25)
            let ages = try #require(fees["arrearsByAge"] as? [String: Int])
            #expect(ages["upTo30Fen"] == 6_000 && ages["upTo90Fen"] == 3_000)
        }
    }

    @Test func devicesAreOnlineOfflineIdleOrUnusedAndEngagementCountsHomesByChannel() async throws {
        try await withLinli { h in
            let op = try await h.token("operator")
            let (tv, tvToken) = try await h.device("tv_box", "客厅电视", token: op)
            _ = try await h.device("kiosk", "大厅自助机", token: op)
            let (gas, gasToken) = try await h.device("gas", "厨房燃气", token: op)
            #expect(try await h.send(.PATCH, h.community + "/devices/\(tv)", token: op, raw: #"{"householdID":"\#(h.world.home)"}"#).status == .ok)
            for (token, body) in [(tvToken, #"{"power_on":true}"#), (gasToken, #"{"gas_lel":1}"#)] {
                let sent = try await h.send(.POST, "/api/v1/\(token)/telemetry", raw: body)
                #expect(sent.status == .ok, "\(sent.body.string)")
            }
            let owner = try #require(try await Person.find(h.world.owner, on: h.app.db))
            owner.isElderly = true
            try await owner.save(on: h.app.db)
            func figures() async throws -> [String: Any] {
                try await Rollups.run(now: h.clock.now(), app: h.app)
                return try json(try await summary(h, "from=2026-09-21&to=2026-09-21", token: op))
            }
            var all = try await figures()
            var devices = try #require(all["devices"] as? [String: Any])
            // The TV reports but nobody watched: idle, and unused; the kiosk never spoke: offline (and unused);
            // the gas sensor only reports: online.
            #expect(devices["total"] as? Int == 3 && devices["online"] as? Int == 1 && devices["idle"] as? Int == 1 && devices["offline"] as? Int == 1)
            let unused = try #require(devices["unused"] as? [[String: Any]]).compactMap { $0["id"] as? String }
            #expect(Set(unused) == Set([tv.uuidString, try #require(try await Device.query(on: h.app.db).filter(\.$type == "kiosk").first()?.id?.uuidString)]))
            #expect(!unused.contains(gas.uuidString))
            var engagement = try #require(all["engagement"] as? [String: Any])
            #expect(engagement["households"] as? Int == 2 && engagement["activeHouseholds"] as? Int == 0)
            #expect(engagement["elderlyHouseholds"] as? Int == 1 && engagement["elderlyActive"] as? Int == 0)

            // The TV is used: a screen on its box.
            let browser = WebTests.Browser(h)
            let setup = try await browser.go(.GET, "/tv")
            #expect(try await browser.go(.POST, "/tv/setup", form: ["_csrf": browser.csrf(setup), "token": tvToken]).status == .seeOther)
            #expect(try await browser.go(.GET, "/tv/care").status == .ok)
            all = try await figures()
            devices = try #require(all["devices"] as? [String: Any])
            #expect(devices["online"] as? Int == 2 && devices["idle"] as? Int == 0)
            #expect(!(try #require(devices["unused"] as? [[String: Any]])).contains { $0["id"] as? String == tv.uuidString })
            engagement = try #require(all["engagement"] as? [String: Any])
            #expect(engagement["activeHouseholds"] as? Int == 1 && engagement["elderlyActive"] as? Int == 1)
            #expect((engagement["byChannel"] as? [String: Int])?["tv"] == 1 && (engagement["byChannel"] as? [String: Int])?["app"] == 0)
        }
    }

    @Test func theWeeklyDigestIsMadeOnceOnMondayMorningForOperatorsAndWorkers() async throws {
        try await withLinli { h in
            // Monday 2026-09-21, 05:59 China time: not yet; from 06:00: the week of the 14th to the 20th.
            let monday = Calendar.chinaStart(of: CivilDate("2026-09-21")!)
            #expect(Digest.lastWeek(monday.addingTimeInterval(5 * hour + 59 * 60)) == nil)
            #expect(Digest.lastWeek(monday.addingTimeInterval(6 * hour))?.from == CivilDate("2026-09-14"))
            #expect(Digest.lastWeek(monday.addingTimeInterval(3 * 86_400))?.to == CivilDate("2026-09-20"))
            try await order(h, .repairWater, filed: -30, status: .submitted)  // filed on the 18th, overdue now
            try await Rollups.run(now: h.clock.now(), app: h.app)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<3 { group.addTask { try await Digest.run(now: h.clock.now(), app: h.app) } }
                try await group.waitForAll()
            }
            #expect(try await AnalyticsDigest.query(on: h.app.db).filter(\.$communityID == h.world.a).count() == 1)
            let notes = try await Notification.query(on: h.app.db).filter(\.$communityID == h.world.a).filter(\.$title == "analytics.digest.note").all()
            #expect(Set(notes.compactMap(\.role)) == [.operator_, .communityWorker] && notes.count == 2)
            let boss = WebTests.Browser(h)
            try await boss.signIn(h.world.phones["operator"]!)
            let page = try await boss.go(.GET, "/console/\(h.world.a)/analytics/digest")
            #expect(page.status == .ok && page.text.contains("2026-09-14") && page.text.contains("欠费") && page.text.contains("超时未办"), "\(page.status) \(page.text.suffix(1500))")
            let worker = WebTests.Browser(h)
            try await worker.signIn(h.world.phones["worker"]!)
            let seen = try await worker.go(.GET, "/console/\(h.world.a)/analytics/digest")
            #expect(seen.status == .ok && !seen.text.contains("欠费") && !seen.text.contains("收费率") && seen.text.contains("超时未办"))
        }
    }

    @Test func bookingsAreCountedByServiceAndHourBooked() async throws {
        try await withLinli { h in
            let service = Service()
            service.id = UUID()
            service.communityID = h.world.a
            service.name = "桶装水配送"
            service.description = ""
            service.priceCents = 1800
            service.durationMinutes = 30
            service.capacity = 2
            service.openMinute = 8 * 60
            service.closeMinute = 18 * 60
            service.active = true
            try await service.create(on: h.app.db)
            for (hourBooked, status) in [(9.0, BookingStatus.booked), (9.5, .fulfilled), (15.0, .cancelled)] {
                let row = Booking()
                row.id = UUID()
                row.communityID = h.world.a
                row.serviceID = service.id!
                row.householdID = h.world.home
                row.personID = h.world.owner
                row.slotStart = day.addingTimeInterval(24 * hour + hourBooked * hour)
                row.status = status
                row.payment = .door
                row.amountCents = 1800
                row.createdAt = day.addingTimeInterval(10 * hour)
                try await row.create(on: h.app.db)
            }
            try await Rollups.run(now: h.clock.now(), app: h.app)
            let all = try json(try await summary(h, "from=2026-09-20&to=2026-09-20", token: try await h.token("worker")))
            let bookings = try #require(all["bookings"] as? [String: Any])
            #expect(bookings["made"] as? Int == 3 && bookings["cancelled"] as? Int == 1)
            #expect(bookings["byService"] as? [String: Int] == ["桶装水配送": 3])
            let hours = try #require(bookings["bySlotHour"] as? [Int])
            #expect(hours[9] == 2 && hours[15] == 1 && hours.reduce(0, +) == 3)
            // Made on the 20th: nothing on the 21st.
            let next = try #require(try json(try await summary(h, "from=2026-09-21&to=2026-09-21", token: try await h.token("worker")))["bookings"] as? [String: Any])
            #expect(next["made"] as? Int == 0)
            // The home's activity that day counts it among the homes active through the app.
            let engagement = try #require(all["engagement"] as? [String: Any])
            #expect((engagement["byChannel"] as? [String: Int])?["app"] == 1)
        }
    }
}

