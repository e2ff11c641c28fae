import Fluent
import Foundation
import LinliCore
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

/// Applications on their statutory clocks: every 低保 step, publicity showing nothing beyond the rules, a
/// refusal with its three-day clock, the extension, parallel steps taken once, the resident's view and
/// nobody else's, escalation once overdue, and the working-day table operators extend.
@Suite struct CivilApplicationTests {
    func apply(_ h: Harness, _ body: String, as who: String = "worker") async throws -> TestingHTTPResponse {
        try await h.send(.POST, h.community + "/applications", token: try await h.token(who), raw: body)
    }

    func dibao(_ h: Harness, receivedAt: String? = nil) async throws -> ApplicationRead {
        let received = receivedAt.map { #","receivedAt":"\#($0)""# } ?? ""
        let made = try await apply(h, #"{"kind":"dibao","personID":"\#(h.world.owner)","householdID":"\#(h.world.home)"\#(received)}"#)
        #expect(made.status == .created, "\(made.text)")
        return try made.content.decode(ApplicationRead.self)
    }

    func step(_ h: Harness, _ id: UUID, _ body: String, as who: String = "worker") async throws -> TestingHTTPResponse {
        try await h.send(.POST, h.community + "/applications/\(id)/steps", token: try await h.token(who), raw: body)
    }

    func staff(_ h: Harness, _ key: String) async throws -> UUID {
        try await Person.query(on: h.app.db).filter(\.$phone == h.world.phones[key]!).first()!.id!
    }

    @Test func theDibaoStepsPublicityAndTheDecision() async throws {
        try await withLinli { h in
            let a = try await dibao(h)
            // Received 2026-09-21: 30 working days after it, across the National Day holiday.
            #expect(a.receivedOn == "2026-09-21" && a.decisionDueOn == WorkingCalendar.china2026.day(30, workingDaysAfter: CivilDate("2026-09-21")!).description)
            #expect(a.decisionDueOn == "2026-11-09" && a.urgency == "on_time")
            let missing = try await step(h, a.id, #"{"step":"incomplete","missing":["income_proof","hukou"]}"#)
            #expect(try missing.content.decode(ApplicationRead.self).missing == ["hukou", "income_proof"])
            #expect(try await step(h, a.id, #"{"step":"incomplete","missing":["passport"]}"#).status == .unprocessableEntity)
            #expect(try await step(h, a.id, #"{"step":"review","familySize":3}"#).status == .conflict)
            #expect(try await step(h, a.id, #"{"step":"accept"}"#).status == .ok)
            let worker = try await staff(h, "worker")
            let op = try await staff(h, "operator")
            #expect(try await step(h, a.id, #"{"step":"investigate","visitors":["\#(worker)"]}"#).status == .unprocessableEntity)
            #expect(try await step(h, a.id, #"{"step":"investigate","visitors":["\#(worker)","\#(h.world.neighbour)"]}"#).status == .unprocessableEntity)
            #expect(try await step(h, a.id, #"{"step":"investigate","visitors":["\#(worker)","\#(op)"],"note":"入户核实收入"}"#).status == .ok)
            #expect(try await step(h, a.id, #"{"step":"review","familySize":3,"amountFen":86000}"#).status == .ok)
            let published = try await step(h, a.id, #"{"step":"publicize"}"#).content.decode(ApplicationRead.self)
            #expect(published.status == "publicized" && published.publicityEnd == "2026-09-27")
            // Publicity: to a neighbour, the name, family size and amount — no phone, id or room.
            let board = try await h.send(.GET, h.community + "/publicity", token: try await h.token("neighbour"))
            #expect(board.status == .ok && board.text.contains("王建华") && board.text.contains("86000"))
            #expect(!board.text.contains(h.world.phones["owner"]!) && !board.text.contains(h.world.home.uuidString) && !board.text.contains("101"))
            #expect(try await h.send(.GET, "/api/v1/communities/\(h.world.b)/publicity", token: try await h.token("neighbour")).status == .notFound)
            // The same on the community's notice board (app, kiosk, TV) until the end of its last day.
            let notices = try await h.send(.GET, "/api/v1/me/notices", token: try await h.token("neighbour"))
            #expect(notices.text.contains("公示：王建华（最低生活保障（低保））") && notices.text.contains("家庭人口 3 人") && notices.text.contains("860.00"))
            #expect(!notices.text.contains(h.world.phones["owner"]!) && !notices.text.contains("101"))
            let posted = try #require(try await Notice.query(on: h.app.db).filter(\.$title ~~ "公示").first())
            #expect(posted.channels == "app,tv,kiosk" || Set(posted.channels.split(separator: ",")) == ["app", "tv", "kiosk"])
            #expect(posted.expiresAt == Calendar.china.date(from: DateComponents(year: 2026, month: 9, day: 28)))
            let early = try await step(h, a.id, #"{"step":"approve"}"#)
            #expect(early.status == .conflict && early.problem?.errors?.first?.reason == "publicity_running")
            h.clock.advance(by: 7 * 86_400)
            let approved = try await step(h, a.id, #"{"step":"approve"}"#).content.decode(ApplicationRead.self)
            #expect(approved.status == "approved" && approved.urgency == nil && approved.decidedOn == "2026-09-28")
            #expect(approved.steps?.map(\.step) == ["receive", "incomplete", "accept", "investigate", "review", "publicize", "approve"])
            let told = try await LinliServer.Notification.query(on: h.app.db).filter(\.$personID == h.world.owner).count()
            #expect(told == 7)
        }
    }

    @Test func aRefusalIsToldWithinThreeWorkingDaysAndAnExtensionHappensOnce() async throws {
        try await withLinli { h in
            let a = try await dibao(h, receivedAt: "2026-09-18")
            _ = try await step(h, a.id, #"{"step":"accept"}"#)
            let worker = try await staff(h, "worker")
            let op = try await staff(h, "operator")
            _ = try await step(h, a.id, #"{"step":"investigate","visitors":["\#(worker)","\#(op)"]}"#)
            let extended = try await h.send(
                .POST, h.community + "/applications/\(a.id)/extension", token: try await h.token("worker"), json: ["reason": "需核实异地房产"])
            #expect(try extended.content.decode(ApplicationRead.self).decisionDueOn == WorkingCalendar.china2026.day(45, workingDaysAfter: CivilDate("2026-09-18")!).description)
            #expect(try await h.send(.POST, h.community + "/applications/\(a.id)/extension", token: try await h.token("worker"), json: ["reason": "x"]).status == .conflict)
            #expect(try await step(h, a.id, #"{"step":"refuse"}"#).status == .unprocessableEntity)
            h.clock.advance(by: 8 * 86_400)  // 2026-09-29
            let refused = try await step(h, a.id, #"{"step":"refuse","reasons":"家庭收入超过标准"}"#).content.decode(ApplicationRead.self)
            // Decided on 09-29: three working days after is 10-09 (the holiday skipped).
            #expect(refused.status == "refused" && refused.refusalNoticeDueOn == "2026-10-09")
            #expect(try await step(h, a.id, #"{"step":"notify"}"#).status == .ok)
            #expect(try await step(h, a.id, #"{"step":"notify"}"#).status == .conflict)
        }
    }

    @Test func parallelStepsAreTakenOnceAndBadInputIsRefused() async throws {
        try await withLinli { h in
            let a = try await dibao(h)
            let token = try await h.token("worker")
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for _ in 0..<6 {
                    group.addTask { try await h.send(.POST, h.community + "/applications/\(a.id)/steps", token: token, raw: #"{"step":"accept"}"#).status }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .ok }.count == 1 && statuses.filter { $0 == .conflict }.count == 5)
            #expect(try await ApplicationStep.query(on: h.app.db).filter(\.$step == "accept").count() == 1)
            for body in [
                #"{"kind":"dibao","personID":"\#(h.world.owner)","householdID":"\#(h.world.home)","receivedAt":"2026-09-30"}"#,
                #"{"kind":"passport","personID":"\#(h.world.owner)","householdID":"\#(h.world.home)"}"#,
                #"{"kind":"dibao","personID":"\#(h.world.owner)","householdID":"\#(h.world.home)","receivedAt":"2026-02-30"}"#,
            ] {
                #expect(try await apply(h, body).status == .unprocessableEntity, "\(body)")
            }
            #expect(try await apply(h, #"{"kind":"dibao","personID":"\#(h.world.neighbour)","householdID":"\#(h.world.home)"}"#).status == .notFound)
            #expect(try await apply(h, #"{"kind":"dibao","personID":"\#(h.world.owner)","householdID":"\#(h.world.home)"}"#, as: "guard").status == .forbidden)
            #expect(try await h.count(CivilApplication.self) == 1)
        }
    }

    @Test func residentsApplyOnlineAndOnlyTheirHouseholdsAdultsSeeIt() async throws {
        try await withLinli { h in
            let owner = try await h.token("owner")
            let made = try await h.send(.POST, "/api/v1/me/applications", token: owner, json: ["kind": "residence_certificate", "householdID": h.world.home.uuidString])
            #expect(made.status == .created)
            let id = try made.content.decode(ApplicationRead.self).id
            #expect(try await h.send(.GET, "/api/v1/me/applications/\(id)", token: owner).status == .ok)
            #expect(try await h.send(.GET, "/api/v1/me/applications/\(id)", token: try await h.token("family")).status == .ok)
            #expect(try await h.send(.GET, "/api/v1/me/applications/\(id)", token: try await h.token("neighbour")).status == .notFound)
            #expect(try await h.send(.GET, "/api/v1/me/applications/\(id)", token: try await h.token("bResident")).status == .notFound)
            #expect(try await h.send(.GET, "/api/v1/communities/\(h.world.b)/applications/\(id)", token: try await h.token("operatorB")).status == .notFound)
            let other = try await h.send(.POST, "/api/v1/me/applications", token: try await h.token("neighbour"), json: ["kind": "dibao", "householdID": h.world.home.uuidString])
            #expect(other.status == .notFound)
        }
    }

    @Test func anOverdueApplicationGoesToTheHeadOnceAndOperatorsExtendTheCalendar() async throws {
        try await withLinli { h in
            let a = try await dibao(h)
            h.clock.advance(by: 60 * 86_400)
            try await CivilApplications.escalate(now: h.clock.now(), app: h.app)
            try await CivilApplications.escalate(now: h.clock.now(), app: h.app)
            #expect(try await StaffTask.query(on: h.app.db).filter(\.$title == "gov.task.overdue").count() == 1)
            let listed = try await h.send(.GET, h.community + "/applications", token: try await h.token("worker")).content.decode(ListPage<ApplicationRead>.self)
            #expect(listed.items.first?.id == a.id && listed.items.first?.urgency == "overdue" && (listed.items.first?.workingDaysLeft ?? 0) < 0)
            let path = h.community + "/working-calendar"
            let bad = try await h.send(.POST, path, token: try await h.token("operator"), json: ["lines": "2027-01-01 off\n2027-01-02 holiday"])
            #expect(bad.status == .unprocessableEntity && bad.problem?.errors?.first?.line == 2)
            #expect(try await h.send(.POST, path, token: try await h.token("worker"), json: ["lines": "2027-01-01 off"]).status == .forbidden)
            let added = try await h.send(.POST, path, token: try await h.token("operator"), json: ["lines": "2027-01-01..2027-01-03 off\n2027-01-04 worked"])
            #expect(added.status == .ok)
            let calendar = try await CivilApplications.calendar(h.world.a, on: h.app.db)
            #expect(!calendar.isWorkingDay(CivilDate("2027-01-01")!) && calendar.isWorkingDay(CivilDate("2027-01-04")!))
        }
    }

    @Test func theResidentsPageAndTheConsoleTab() async throws {
        try await withLinli { h in
            let owner = WebTests.Browser(h)
            try await owner.signIn("13900000001")
            let page = try await owner.go(.GET, "/applications")
            #expect(page.status == .ok && page.text.contains("还没有办事申请"))
            let sent = try await owner.go(
                .POST, "/applications/new", form: ["_csrf": owner.csrf(page), "kind": "dibao", "householdID": h.world.home.uuidString])
            #expect(sent.status == .seeOther)
            let after = try await owner.go(.GET, "/applications")
            #expect(after.text.contains("最低生活保障") && after.text.contains("已收到，等待受理") && after.text.contains("2026-11-09"))
            let stranger = try await owner.go(
                .POST, "/applications/new", form: ["_csrf": owner.csrf(after), "kind": "dibao", "householdID": h.world.bHome.uuidString])
            #expect(stranger.status == .notFound)
            let worker = WebTests.Browser(h)
            try await worker.signIn("13800000003")
            let tab = try await worker.go(.GET, "/console/\(h.world.a)/applications")
            #expect(tab.status == .ok && tab.text.contains("王建华") && tab.text.contains("2026-11-09"))
            let guardian = WebTests.Browser(h)
            try await guardian.signIn("13800000002")
            #expect(try await guardian.go(.GET, "/console/\(h.world.a)/applications").status == .forbidden)
        }
    }
}
