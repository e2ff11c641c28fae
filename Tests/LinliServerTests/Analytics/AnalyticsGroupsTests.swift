import Fluent
import Foundation
import LinliCore
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

/// The summary's other groups against hand-counted fixtures — alarms, events, applications, care, energy,
/// garden and bins — each from the daily roll-ups, and each group only for the roles it is for.
@Suite struct AnalyticsGroupsTests {
    /// 2026-09-20 00:00 China time, the day before the harness clock's.
    let day = Calendar.chinaStart(of: CivilDate("2026-09-20")!)
    let period = "from=2026-09-14&to=2026-09-21"

    func at(_ hours: Double) -> Date { day.addingTimeInterval(hours * 3600) }

    func summary(_ h: Harness, as who: String) async throws -> (HTTPStatus, [String: Any]) {
        let r = try await h.send(.GET, h.community + "/analytics/summary?" + period, token: try await h.token(who))
        return (r.status, (try? JSONSerialization.jsonObject(with: Data(buffer: r.body)) as? [String: Any]) ?? [:])
    }

    func alarm(_ h: Harness, _ kind: GuardDesk.Kind, raised: Date, ackAfter: Double?, outcome: GuardDesk.Outcome?) async throws {
        let call = GuardCall()
        call.communityID = h.world.a
        call.householdID = h.world.home
        call.kind = kind
        call.step = outcome == nil ? .raised : .resolved
        call.raisedAt = raised
        call.acknowledgedAt = ackAfter.map { raised.addingTimeInterval($0) }
        call.outcome = outcome
        call.escalations = 0
        call.repeats = 0
        try await call.create(on: h.app.db)
    }

    @Test func alarmsEventsAndApplicationsAgainstHandCountedFixtures() async throws {
        try await withLinli { h in
            // Alarms: two hazards (one false, acknowledged in 30 s), a real panic acknowledged in 90 s, and an
            // intrusion last month (outside the period).
            try await alarm(h, .hazard, raised: at(9), ackAfter: 30, outcome: .falseAlarm)
            try await alarm(h, .hazard, raised: at(10), ackAfter: nil, outcome: nil)
            try await alarm(h, .panic, raised: at(11), ackAfter: 90, outcome: .real)
            try await alarm(h, .intrusion, raised: at(-24 * 40), ackAfter: 5, outcome: .falseAlarm)

            // Events: one held yesterday with three sign-ups made today — one came, one did not, one cancelled.
            let event = try await h.event(capacity: 10)
            let people = try await h.residents(3)
            for person in people { #expect(try await h.register(event, person.token).status == .created) }
            let row = try await h.lifeEvent(event)
            row.startsAt = at(10)
            row.endsAt = at(11.5)
            try await row.save(on: h.app.db)
            let signups = try await Registration.query(on: h.app.db).filter(\.$eventID == event).sort(\.$signedUpAt).all()
            signups[0].checkedInAt = at(10.1)
            signups[1].noShow = true
            signups[2].status = .cancelled
            for signup in signups { try await signup.save(on: h.app.db) }

            // Applications: one received today (open, made overdue), one received on 09-10 and approved on
            // 09-18 (8 days, by its due day): received in the period 1, decided 1.
            for (received, kind) in [("2026-09-21", "dibao"), ("2026-09-10", "temporary_relief")] {
                let made = try await h.send(
                    .POST, h.community + "/applications", token: try await h.token("worker"),
                    raw: #"{"kind":"\#(kind)","personID":"\#(h.world.owner)","householdID":"\#(h.world.home)","receivedAt":"\#(received)"}"#)
                #expect(made.status == .created, "\(made.text)")
            }
            let applications = try await CivilApplication.query(on: h.app.db).sort(\.$receivedOn).all()
            applications[0].status = .approved
            applications[0].decidedOn = "2026-09-18"
            applications[1].decisionDueOn = "2026-09-01"
            for application in applications { try await application.save(on: h.app.db) }

            try await Rollups.run(now: h.clock.now(), app: h.app)
            let (status, all) = try await summary(h, as: "operator")
            #expect(status == .ok)
            let alarms = try #require(all["alarms"] as? [String: Any])
            #expect(alarms["raised"] as? Int == 3 && alarms["falseAlarms"] as? Int == 1 && alarms["meanAckSeconds"] as? Double == 60)
            #expect(abs((alarms["falseRate"] as? Double ?? 0) - 1.0 / 3) < 1e-9)
            #expect((alarms["byKind"] as? [String: Int])?["hazard"] == 2 && (alarms["byKind"] as? [String: Int])?["intrusion"] == 0)
            #expect((alarms["falseByKind"] as? [String: Int])?["hazard"] == 1)
            let events = try #require(all["events"] as? [String: Any])
            #expect(events["held"] as? Int == 1 && events["signups"] as? Int == 3 && events["signupsCancelled"] as? Int == 1)
            #expect(events["confirmed"] as? Int == 2 && events["attended"] as? Int == 1 && events["noShows"] as? Int == 1)
            #expect(events["attendanceRate"] as? Double == 0.5)
            let gov = try #require(all["applications"] as? [String: Any])
            #expect(gov["received"] as? Int == 1 && (gov["byKind"] as? [String: Int]) == ["dibao": 1])
            #expect(gov["decided"] as? Int == 1 && gov["approved"] as? Int == 1 && gov["refused"] as? Int == 0)
            #expect(gov["meanDaysToDecision"] as? Double == 8 && gov["decidedOnTimeRate"] as? Double == 1)
            #expect(gov["openNow"] as? Int == 1 && gov["overdueNow"] as? Int == 1)

            // Who sees what: property staff no applications or care; a community worker no fees; a resident
            // nothing; another community's operator not even that the community exists.
            let (_, staff) = try await summary(h, as: "property")
            #expect(staff["alarms"] != nil && staff["events"] != nil && staff["fees"] != nil)
            #expect(staff["applications"] == nil && staff["care"] == nil)
            let (_, worker) = try await summary(h, as: "worker")
            #expect(worker["applications"] != nil && worker["care"] != nil && worker["fees"] == nil)
            #expect(try await summary(h, as: "owner").0 == .forbidden)
            #expect(try await summary(h, as: "operatorB").0 == .notFound)
        }
    }

    @Test func careEnergyGardenAndBinsAgainstHandCountedFixtures() async throws {
        try await withLinli { h in
            // Care: two checks yesterday — one answered in 10 minutes, one gone to a worker and still open.
            let set = try await h.watch(h.world.owner, #"{"windowMinutes":600,"consent":true,"consentBy":"self"}"#)
            #expect(set.status == .ok, "\(set.text)")
            let watch = try #require(try await CareWatch.query(on: h.app.db).first()?.id)
            for (opened, closedAfter, worker) in [(at(8), 600.0, false), (at(9), nil, true)] {
                let check = CareCheck()
                check.communityID = h.world.a
                check.watchID = watch
                check.personID = h.world.owner
                check.reason = .missedCheckIn
                check.since = opened
                check.openedAt = opened
                check.step = closedAfter == nil ? .worker : .acknowledged
                check.workerAt = worker ? opened.addingTimeInterval(900) : nil
                check.closedAt = closedAfter.map { opened.addingTimeInterval($0) }
                check.outcome = closedAfter == nil ? nil : VisitOutcome.fine.rawValue
                try await check.create(on: h.app.db)
            }

            // Energy: September's bills — 10 m³ and 30 m³ of water, 100 kWh in one home; a leak and an
            // unusual use found by the watch yesterday, and a leak a month ago.
            for (home, water, power) in [(h.world.home, 10_000, 100_000), (h.world.otherHome, 30_000, 0)] {
                let bill = Bill()
                bill.id = UUID()
                bill.communityID = h.world.a
                bill.householdID = home
                bill.period = "2026-09"
                bill.totalFen = 1000
                bill.paidFen = 0
                bill.status = .issued
                bill.issuedAt = at(1)
                bill.dueOn = "2026-10-20"
                try await bill.create(on: h.app.db)
                for (item, quantity) in [(BillItem.water, water), (.electricity, power), (.propertyFee, 9_000)] where quantity > 0 {
                    let line = BillLine()
                    line.communityID = h.world.a
                    line.billID = bill.id!
                    line.item = item
                    line.versionID = UUID()
                    line.tier = 1
                    line.quantityMilli = Int64(quantity)
                    line.price = 1
                    line.amountFen = 1
                    try await line.create(on: h.app.db)
                }
            }
            let (meter, _) = try await h.device("water_meter", "水表", token: try await h.token("operator"))
            for (kind, found) in [("continuous_flow", "2026-09-20"), ("anomaly", "2026-09-20"), ("burst", "2026-08-20")] {
                let finding = MeterWatch.Finding()
                finding.deviceID = meter
                finding.kind = kind
                finding.day = found
                finding.foundAt = at(3)
                try await finding.create(on: h.app.db)
            }

            // Garden: a start skipped for rain (10 min at 20 L/min: 200 L saved), a run the soil stopped after 5
            // of 15 minutes (100 L used, 200 L saved), a start skipped for a hold (nothing saved). Bins: one
            // overflow, two collections.
            let zone = try await ZoneFixture.make(h)
            for (n, status, skip, stop, open, litres) in [
                (0, RunStatus.skipped, IrrigationSkip.rain, IrrigationStop?.none, 0, 0.0), (1, .done, nil, .target, 300, 100),
                (2, .skipped, .manualOff, nil, 0, 0),
            ] {
                let run = IrrigationRun()
                run.communityID = h.world.a
                run.zoneID = zone.zone
                run.key = "test:\(n)"
                run.kind = "program"
                run.plannedAt = at(6 + Double(n))
                run.status = status
                run.skipReason = skip
                run.stopReason = stop
                run.cycles = n == 1 ? [[0, 600], [900, 300]] : [[0, 600]]
                run.cycleIndex = 0
                run.phaseAt = run.plannedAt
                run.openSeconds = open
                run.litres = status == .done ? litres : nil
                run.version = 0
                run.updatedAt = run.plannedAt
                try await run.create(on: h.app.db)
            }
            let (bin, _) = try await h.device("bin_level", "1号桶", token: try await h.token("operator"))
            for (kind, hours) in [("overflow", 7.0), ("emptied", 8), ("emptied", 15)] {
                let event = BinEvent()
                event.communityID = h.world.a
                event.deviceID = bin
                event.kind = kind
                event.at = at(hours)
                try await event.create(on: h.app.db)
            }

            try await Rollups.run(now: h.clock.now(), app: h.app)
            let (_, all) = try await summary(h, as: "worker")
            let care = try #require(all["care"] as? [String: Any])
            #expect(care["watched"] as? Int == 1 && care["checks"] as? Int == 2 && care["workerVisits"] as? Int == 1)
            #expect(care["meanMinutesToClose"] as? Double == 10 && care["openNow"] as? Int == 1)
            #expect((care["byOutcome"] as? [String: Int])?["fine"] == 1 && (care["byReason"] as? [String: Int])?["missed_check_in"] == 2)
            let energy = try #require(all["energy"] as? [String: Any])
            let water = try #require(energy["waterM3"] as? [String: Any])
            #expect(water["homes"] as? Int == 2, "\(energy)")
            #expect(water["median"] as? Double == 20 && water["topDecileFrom"] as? Double == 30)
            let power = try #require(energy["electricityKWh"] as? [String: Any])
            #expect(power["homes"] as? Int == 1 && power["median"] as? Double == 100 && power["topDecileFrom"] as? Double == 100)
            #expect(energy["leaksFound"] as? Int == 1 && energy["unusualUse"] as? Int == 1 && (energy["months"] as? [String]) == ["2026-09"])
            let garden = try #require(all["environment"] as? [String: Any])
            #expect(garden["irrigationLitres"] as? Int == 100 && garden["irrigationSavedLitres"] as? Int == 400)
            #expect(garden["runsSavingWater"] as? Int == 2 && garden["binOverflows"] as? Int == 1 && garden["binCollections"] as? Int == 2)

            // The page shows each group with its headline figures, escaped, and the CSV has them by path.
            let browser = WebTests.Browser(h)
            try await browser.signIn(h.world.phones["operator"]!)
            let page = try await browser.go(.GET, "/console/\(h.world.a)/analytics?" + period)
            #expect(page.status == .ok)
            for title in ["报警", "社区活动", "政务申请", "关爱守护", "水电", "绿化与垃圾桶"] { #expect(page.body.string.contains(title), "\(title)") }
            let csv = try await browser.go(.GET, "/console/\(h.world.a)/analytics/csv?" + period)
            #expect(csv.body.string.contains("energy.waterM3.median,20\r\n") && csv.body.string.contains("environment.irrigationSavedLitres,400\r\n"))
        }
    }

    @Test func aPersonWithRolesInSeveralCommunitiesSeesThemSideBySide() async throws {
        try await withLinli { h in
            let operatorA = try #require(try await Person.query(on: h.app.db).filter(\.$phone == h.world.phones["operator"]!).first()?.id)
            let path = "/api/v1/me/analytics?" + period
            // One community: the list has one, with the groups of the role.
            let one = try await h.send(.GET, path, token: try await h.token("operator"))
            #expect(one.status == .ok, "\(one.text)")
            // A community worker in B as well: B shows no fees, A does.
            try await StaffAssignment(communityID: h.world.b, personID: operatorA, role: .communityWorker).create(on: h.app.db)
            let token = try await h.token("operator")
            let both = try await h.send(.GET, path, token: token)
            let list = try #require((try JSONSerialization.jsonObject(with: Data(buffer: both.body)) as? [String: Any])?["communities"] as? [[String: Any]])
            #expect(list.count == 2)
            let a = try #require(list.first { $0["id"] as? String == h.world.a.uuidString })
            let b = try #require(list.first { $0["id"] as? String == h.world.b.uuidString })
            #expect(a["fees"] != nil && b["fees"] == nil && b["workOrders"] != nil && b["applications"] != nil)
            // Choosing: one of them; a community outside the caller's authority is not found; too many refused.
            let chosen = try await h.send(.GET, path + "&communities=\(h.world.b)", token: token)
            #expect(chosen.status == .ok && !chosen.text.contains(h.world.a.uuidString))
            #expect(try await h.send(.GET, path + "&communities=\(h.world.b)", token: try await h.token("operator")).status == .ok)
            #expect(try await h.send(.GET, path + "&communities=\(h.world.a)", token: try await h.token("operatorB")).status == .notFound)
            let many = (0...SideBySide.most).map { _ in h.world.a.uuidString }.joined(separator: ",")
            #expect(try await h.send(.GET, path + "&communities=" + many, token: token).status == .unprocessableEntity)
            // A resident sees nothing; the page says so in a table per group for the operator.
            let resident = try await h.send(.GET, path, token: try await h.token("owner"))
            #expect(resident.status == .ok && resident.text.contains(#""communities":[]"#))
            let browser = WebTests.Browser(h)
            try await browser.signIn(h.world.phones["operator"]!)
            let page = try await browser.go(.GET, "/console/analytics?" + period)
            #expect(page.status == .ok && page.text.contains("data-test=\"compare-workOrders\"") && page.text.contains("data-test=\"compare-fees\""))
            let own = try await browser.go(.GET, "/console/\(h.world.a)/analytics?" + period)
            #expect(own.text.contains("data-test=\"to-compare\""))
        }
    }

    @Test func theJobKeepsToItsBudgetBeyondTodayAndFillsTheYearOverRuns() async throws {
        try await withLinli { h in
            try await alarm(h, .panic, raised: at(11), ackAfter: 10, outcome: .real)
            // A gate's passages yesterday, counted by the database: two let through, one refused.
            let (gate, _) = try await h.device("face_gate", "东门", token: try await h.token("operator"))
            for (n, allow) in [(0, true), (1, true), (2, false)] {
                let event = AccessEvent()
                event.communityID = h.world.a
                event.deviceID = gate
                event.eventID = "e\(n)"
                event.method = .face
                event.allow = allow
                event.reason = allow ? .resident : .notResident
                event.latencyMs = 100
                event.at = at(8 + Double(n))
                event.source = "server"
                try await event.create(on: h.app.db)
            }
            func counted(_ day: String) async throws -> Int { try await AnalyticsDay.query(on: h.app.db).filter(\.$day == day).count() }
            // No time to spare: today only; yesterday's alarm waits for a run with time.
            try await Rollups.run(now: h.clock.now(), app: h.app, budget: .zero)
            #expect(try await counted("2026-09-20") == 0)
            #expect(try await AnalyticsFill.query(on: h.app.db).count() == 0)
            try await Rollups.run(now: h.clock.now(), app: h.app, budget: .seconds(3600))
            #expect(try await counted("2026-09-20") > 0)
            #expect(try await AnalyticsFill.query(on: h.app.db).count() == 2)
            let passages = try await AnalyticsDay.query(on: h.app.db).filter(\.$day == "2026-09-20").filter(\.$key == "use.face_gate.\(gate)").first()
            #expect(passages?.value == 2)
            // Within the hour the days before today are not counted again; after it they are.
            try await AnalyticsDay.query(on: h.app.db).filter(\.$day == "2026-09-20").delete()
            try await Rollups.run(now: h.clock.now(), app: h.app, budget: .seconds(3600))
            #expect(try await counted("2026-09-20") == 0)
            h.clock.advance(by: 3601)
            try await Rollups.run(now: h.clock.now(), app: h.app, budget: .seconds(3600))
            #expect(try await counted("2026-09-20") > 0)
        }
    }
}
