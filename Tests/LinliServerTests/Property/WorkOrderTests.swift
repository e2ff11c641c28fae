import Fluent
import Foundation
import LinliCore
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

/// Requests and work orders end to end: filing, assignment, every step, photos, lateness.
@Suite struct WorkOrderTests {
    func person(_ h: Harness, _ key: String) async throws -> UUID {
        try #require(try await Person.query(on: h.app.db).filter(\.$phone == h.world.phones[key]!).first()?.id)
    }

    func file(_ h: Harness, _ token: String, _ category: String, household: UUID? = nil) async throws -> WorkOrderRead {
        let response = try await h.send(
            .POST, "/api/v1/me/work-orders", token: token,
            raw:
                #"{"householdID":"\#(household ?? h.world.home)","category":"\#(category)","description":"厨房水管漏水","place":"厨房","preferredTime":"今天下午"}"#
        )
        #expect(response.status == .created, "\(response.text)")
        return try response.content.decode(WorkOrderRead.self)
    }

    func act(_ h: Harness, _ token: String, _ order: UUID, _ action: String) async throws -> TestingHTTPResponse {
        try await h.send(.POST, "/api/v1/work-orders/\(order)/actions", token: token, raw: #"{"action":"\#(action)"}"#)
    }

    @Test func theWholeLifeOfAWorkOrderWithReopenAndRating() async throws {
        try await withLinli { h in
            let owner = try await h.token("owner")
            let staff = try await h.token("property")
            let staffID = try await person(h, "property")
            let order = try await file(h, owner, "repair_water")
            // The only property staff member is a generalist on duty all day: assigned at once.
            #expect(order.status == .submitted && order.assigneeID == staffID && order.channel == "app")
            #expect(order.completeBy.timeIntervalSince(order.createdAt) == 4 * 3600)
            // The resident cannot accept their own order; the staff member cannot confirm it.
            #expect(try await act(h, owner, order.id, "accept").status == .forbidden)
            let tasks = try await h.send(.GET, "/api/v1/me/tasks", token: staff).content.decode(
                ListPage<WorkOrderRead>.self)
            #expect(tasks.items.map(\.id) == [order.id] && tasks.items[0].home == "1栋 101")
            for step in ["accept", "depart", "complete"] {
                #expect(try await act(h, staff, order.id, step).status == .ok, "\(step)")
                h.clock.advance(by: 600)
            }
            #expect(try await act(h, staff, order.id, "confirm").status == .forbidden)
            #expect(try await act(h, staff, order.id, "depart").status == .conflict)
            // Still leaking: the resident reopens; it goes back to the same staff member with new deadlines.
            let reopened = try await act(h, owner, order.id, "reopen").content.decode(WorkOrderRead.self)
            #expect(reopened.status == .accepted && reopened.assigneeID == staffID)
            #expect(reopened.completeBy > order.completeBy)
            #expect(try await act(h, staff, order.id, "complete").status == .ok)
            let rated = try await h.send(
                .POST, "/api/v1/work-orders/\(order.id)/rating", token: owner, raw: #"{"stars":5,"comment":"师傅很专业"}"#)
            let done = try rated.content.decode(WorkOrderRead.self)
            #expect(done.status == .confirmed && done.rating == 5 && done.ratingComment == "师傅很专业")
            #expect(
                done.timeline?.map(\.action) == [
                    "filed", "assigned", "accept", "depart", "complete", "reopen", "complete", "rated", "confirm",
                ])
            #expect(done.timeline?[0].actor == "王建华" && done.timeline?[1].actor == "Linli")
            #expect(done.timeline?[1].note == "property" && done.timeline?[2].actor == "property")
            #expect(
                try await h.send(
                    .POST, "/api/v1/work-orders/\(order.id)/rating", token: owner, raw: #"{"stars":6}"#
                ).status == .unprocessableEntity)
            // Nothing left on the staff member's list; the request was recorded as a demand signal.
            #expect(
                try await h.send(.GET, "/api/v1/me/tasks", token: staff).content.decode(ListPage<WorkOrderRead>.self)
                    .items.isEmpty)
            #expect(try await DemandSignal.query(on: h.app.db).filter(\.$subject == "repair_water").count() == 1)
        }
    }

    @Test func anotherHouseholdSeesAndChangesNothing() async throws {
        try await withLinli { h in
            let owner = try await h.token("owner")
            let neighbour = try await h.token("neighbour")
            let guardToken = try await h.token("guard")
            let order = try await file(h, owner, "help_laundry")
            #expect(try await h.send(.GET, "/api/v1/work-orders/\(order.id)", token: neighbour).status == .notFound)
            #expect(try await act(h, neighbour, order.id, "cancel").status == .notFound)
            #expect(try await h.send(.GET, "/api/v1/work-orders/\(order.id)", token: guardToken).status == .notFound)
            let theirs = try await h.send(.GET, "/api/v1/me/work-orders", token: neighbour).content.decode(
                ListPage<WorkOrderRead>.self)
            #expect(theirs.items.isEmpty)
            // Nor can a resident file for a household that is not theirs.
            let foreign = try await h.send(
                .POST, "/api/v1/me/work-orders", token: neighbour,
                raw: #"{"householdID":"\#(h.world.home)","category":"cleaning","description":"x"}"#)
            #expect(foreign.status == .forbidden)
            // The family member of the same household sees it and may cancel it.
            let family = try await h.token("family")
            #expect(try await act(h, family, order.id, "cancel").status == .ok)
            #expect(try await act(h, owner, order.id, "cancel").status == .conflict)
        }
    }

    @Test func lateOrdersAreEscalatedToTheOperator() async throws {
        try await withLinli { h in
            let owner = try await h.token("owner")
            let op = try await h.token("operator")
            let order = try await file(h, owner, "repair_lift")
            h.clock.advance(by: 14 * 60)
            try await WorkOrderService.sweep(now: h.clock.now(), on: h.app.db, events: h.app.events)
            #expect(try await WorkOrder.find(order.id, on: h.app.db)?.escalatedAt == nil)
            h.clock.advance(by: 2 * 60)  // 16 minutes: nobody accepted the lift repair in its 15.
            try await WorkOrderService.sweep(now: h.clock.now(), on: h.app.db, events: h.app.events)
            let late = try await h.send(.GET, h.community + "/work-orders?overdue=true", token: op).content.decode(
                ListPage<WorkOrderRead>.self)
            #expect(late.items.map(\.id) == [order.id] && late.items[0].overdue == .response && late.items[0].escalated)
            let notices = try await h.send(.GET, "/api/v1/me/notifications", token: op).text
            #expect(notices.contains("工单超时"))
            // Escalated once only.
            try await WorkOrderService.sweep(now: h.clock.now().addingTimeInterval(60), on: h.app.db, events: h.app.events)
            #expect(try await Notification.query(on: h.app.db).count() == 1)
            // The manager's console tab lists it as late; a guard has no such tab.
            let manager = WebTests.Browser(h)
            try await manager.signIn(h.world.phones["operator"]!)
            let tab = try await manager.go(.GET, "/console/\(h.world.a)/work-orders?overdue=true")
            #expect(tab.text.contains("维修：电梯") && tab.text.contains("⚠ 超时：未按时接单"), "\(tab.status)")
            let guardBrowser = WebTests.Browser(h)
            try await guardBrowser.signIn(h.world.phones["guard"]!)
            #expect(try await guardBrowser.go(.GET, "/console/\(h.world.a)/work-orders").status == .forbidden)
            // Done and never confirmed: confirmed by Linli three days later.
            let staff = try await h.token("property")
            for step in ["accept", "complete"] { _ = try await act(h, staff, order.id, step) }
            h.clock.advance(by: 3 * 86_400 + 60)
            try await WorkOrderService.sweep(now: h.clock.now(), on: h.app.db, events: h.app.events)
            #expect(try await WorkOrder.find(order.id, on: h.app.db)?.status == .confirmed)
        }
    }

    /// The first pages of `/me/work-orders` and `/me/tasks` are kept between requests (`WorkOrderLists`):
    /// every step, assignment, sweep, name change and role revoked shows on the very next read, and a
    /// deadline passing turns `overdue` with no write at all.
    @Test func theKeptFirstPagesFollowEveryChange() async throws {
        try await withLinli { h in
            let owner = try await h.token("owner")
            let staff = try await h.token("property")
            let op = try await h.token("operator")
            let staffID = try await person(h, "property")
            func list(_ path: String, _ token: String) async throws -> [WorkOrderRead] {
                try await h.send(.GET, path, token: token).content.decode(ListPage<WorkOrderRead>.self).items
            }
            func mine() async throws -> [WorkOrderRead] { try await list("/api/v1/me/work-orders", owner) }
            func tasks() async throws -> [WorkOrderRead] { try await list("/api/v1/me/tasks", staff) }
            #expect(try await mine().isEmpty)
            #expect(try await tasks().isEmpty)
            #expect(h.app.workOrderLists.count == 2)
            let order = try await file(h, owner, "repair_lift")
            #expect(try await mine().map(\.id) == [order.id])
            #expect(try await tasks().map(\.id) == [order.id])
            // Nobody accepted the lift repair in its 15 minutes: late, though nothing was written.
            #expect(try await mine()[0].overdue == nil)
            h.clock.advance(by: 16 * 60)
            #expect(try await mine()[0].overdue == .response)
            // The sweep escalates it.
            try await WorkOrderService.sweep(now: h.clock.now(), on: h.app.db, events: h.app.events)
            #expect(try await mine()[0].escalated)
            #expect(try await act(h, staff, order.id, "accept").status == .ok)
            let accepted = try await mine()[0]
            #expect(accepted.status == .accepted && accepted.overdue == nil)
            // The assignee's name changes: the household's list names them anew.
            let renamed = try await h.send(
                .PATCH, h.community + "/people/\(staffID)", token: op, raw: #"{"name":"王师傅"}"#)
            #expect(renamed.status == .ok, "\(renamed.text)")
            #expect(try await mine()[0].assignee == "王师傅")
            // Moved to the operator: gone from the staff member's tasks.
            let opID = try await person(h, "operator")
            let moved = try await h.send(
                .POST, "/api/v1/work-orders/\(order.id)/assign", token: op, raw: #"{"assigneeID":"\#(opID)"}"#)
            #expect(moved.status == .ok, "\(moved.text)")
            #expect(try await tasks().isEmpty)
            #expect(try await list("/api/v1/me/tasks", op).map(\.id) == [order.id])
            // The operator's role is revoked: their open order goes back to nobody, for them and the home.
            let roles = try await StaffAssignment.query(on: h.app.db).filter(\.$personID == opID).all()
            let other = try await h.token("admin")
            for role in roles {
                #expect(try await h.send(.DELETE, h.community + "/staff/\(role.id!)", token: other).status == .noContent)
            }
            let returned = try await mine()[0]
            #expect(returned.assigneeID == nil && returned.status == .submitted)
            // A filtered or later page is never kept, and says the same; the kept page is the same answer
            // to the byte as one read from the database.
            #expect(try await list("/api/v1/me/work-orders?status=submitted", owner).map(\.id) == [order.id])
            for (path, token) in [("/api/v1/me/work-orders", owner), ("/api/v1/me/tasks", op)] {
                let kept = try await h.send(.GET, path, token: token)
                let read = try await h.send(.GET, path + "?page=1", token: token)
                #expect(kept.text == read.text && kept.headers.contentType == read.headers.contentType, "\(path)")
            }
        }
    }

    @Test(.enabled(if: onPostgres)) func anotherServersKeptListFollowsAStepWithinASecond() async throws {
        try await withLinli { h in
            try await h.app.asyncBoot()
            try await h.withOtherServers { servers in
                let owner = try await h.token("owner")
                let staff = try await h.token("property")
                let order = try await file(h, owner, "repair_water")
                func status(on server: Harness) async throws -> WorkStatus? {
                    try await server.send(.GET, "/api/v1/me/work-orders", token: owner)
                        .content.decode(ListPage<WorkOrderRead>.self).items.first?.status
                }
                #expect(try await status(on: servers[0]) == .submitted)
                #expect(try await act(h, staff, order.id, "accept").status == .ok)
                #expect(try await eventually(within: 1) { try await status(on: servers[0]) == .accepted })
            }
        }
    }

    @Test func assignmentPrefersSpecialistsOnShiftAndTheLeastLoaded() async throws {
        try await withLinli { h in
            let op = try await h.token("operator")
            let owner = try await h.token("owner")
            // Two plumbers: 张师傅 on days (the test clock reads 22:13), 李师傅 all day.
            var plumbers: [String: UUID] = [:]
            for (phone, name, shift) in [("13700002001", "张师傅", "08:00-20:00"), ("13700002002", "李师傅", "")] {
                let granted = try await h.send(
                    .POST, h.community + "/staff", token: op,
                    raw:
                        #"{"phone":"\#(phone)","name":"\#(name)","role":"property_staff"\#(shift.isEmpty ? "" : #","shift":"\#(shift)""#)}"#
                )
                let staff = try granted.content.decode(StaffRead.self)
                let skilled = try await h.send(
                    .PUT, h.community + "/staff/\(staff.id)/skills", token: op, raw: #"{"skills":["water"]}"#)
                #expect(try skilled.content.decode(StaffRead.self).skills == ["water"])
                plumbers[name] = staff.personID
            }
            #expect(
                try await h.send(.PUT, h.community + "/staff/\(UUID())/skills", token: op, raw: #"{"skills":["x"]}"#)
                    .status == .notFound)
            let first = try await file(h, owner, "repair_water")
            #expect(first.assigneeID == plumbers["李师傅"])
            h.clock.advance(by: 10 * 3600)  // 08:13: both on duty; 李师傅 has one open order.
            let second = try await file(h, owner, "repair_water")
            #expect(second.assigneeID == plumbers["张师傅"])
            // Not a plumbing job: the generalist (the world's property staff member).
            let laundry = try await file(h, owner, "help_laundry")
            #expect(laundry.assigneeID == (try await person(h, "property")))
            // A dispatcher moves an order; a resident may not.
            let moved = try await h.send(
                .POST, "/api/v1/work-orders/\(second.id)/assign", token: op,
                raw: #"{"assigneeID":"\#(plumbers["李师傅"]!)"}"#)
            #expect(try moved.content.decode(WorkOrderRead.self).assignee == "李师傅")
            #expect(
                try await h.send(
                    .POST, "/api/v1/work-orders/\(second.id)/assign", token: owner,
                    raw: #"{"assigneeID":"\#(plumbers["李师傅"]!)"}"#
                ).status == .forbidden)
            // Staff file for a resident who phoned in.
            let phoned = try await h.send(
                .POST, h.community + "/work-orders", token: op,
                raw: #"{"householdID":"\#(h.world.otherHome)","category":"complaint","description":"楼上噪音"}"#)
            #expect(try phoned.content.decode(WorkOrderRead.self).channel == "phone")
        }
    }

    @Test func theGreenServiceKeyFilesOneHelpRequest() async throws {
        try await withLinli { h in
            let (_, key) = try await h.sensor("emergency_button", "床头呼叫器")
            // Held down: five presses at once are one request, for the household, from the key.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<5 { group.addTask { try await h.reading(key, #"{"service":true}"#) } }
                try await group.waitForAll()
            }
            try await h.pass(1)
            let owner = try await h.token("owner")
            func mine() async throws -> [WorkOrderRead] {
                try await h.send(.GET, "/api/v1/me/work-orders", token: owner).content
                    .decode(ListPage<WorkOrderRead>.self).items
            }
            let filed = try await mine()
            #expect(filed.count == 1, "\(filed)")
            let order = try #require(filed.first)
            #expect(order.category == .helpAtHome && order.channel == "device" && order.householdID == h.world.home)
            #expect(order.description.contains("床头呼叫器"))
            // The green key is no alarm: the guards' desk stays empty.
            #expect(try await h.calls().isEmpty)
            // Pressed again later while the order is open: a line on its timeline, not a second order.
            try await h.pass(11 * 60)
            try await h.reading(key, #"{"service":true}"#)
            try await h.pass(1)
            #expect(try await mine().count == 1)
            let events = try await WorkOrderEvent.query(on: h.app.db).filter(\.$orderID == order.id).all().map(\.action)
            #expect(events.contains("pressedAgain"))
            // Another household's resident sees none of it.
            let theirs = try await h.send(.GET, "/api/v1/me/work-orders", token: try await h.token("neighbour"))
                .content.decode(ListPage<WorkOrderRead>.self).items
            #expect(theirs.isEmpty)
        }
    }

    @Test func photosAreCheckedForTypeAndSize() async throws {
        try await withLinli { h in
            let owner = try await h.token("owner")
            let neighbour = try await h.token("neighbour")
            let order = try await file(h, owner, "repair_public")
            let path = "/api/v1/work-orders/\(order.id)/photos"
            let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: UInt8(7), count: 100))
            func upload(_ bytes: Data, _ type: String, token: String) async throws -> TestingHTTPResponse {
                try await h.app.testing().sendRequest(
                    .POST, path, headers: ["Authorization": "Bearer \(token)", "Content-Type": type],
                    body: ByteBuffer(data: bytes))
            }
            #expect(try await upload(Data("hello".utf8), "text/plain", token: owner).status == .unsupportedMediaType)
            #expect(try await upload(Data("not a png".utf8), "image/png", token: owner).status == .unprocessableEntity)
            var big = Data([0xFF, 0xD8, 0xFF])
            big.append(Data(count: 5 * 1024 * 1024))
            #expect(try await upload(big, "image/jpeg", token: owner).status == .payloadTooLarge)
            #expect(try await upload(png, "image/png", token: neighbour).status == .notFound)
            let stored = try await upload(png, "image/png", token: owner)
            #expect(stored.status == .created)
            let detail = try await h.send(.GET, "/api/v1/work-orders/\(order.id)", token: owner).content.decode(
                WorkOrderRead.self)
            let photo = try #require(detail.photos?.first)
            let image = try await h.send(.GET, path + "/\(photo)", token: owner)
            #expect(image.headers.contentType?.subType == "png" && Data(buffer: image.body) == png)
            // The client's thumbnail (a JPEG of at most 200 KB) is served with ?size=thumbnail.
            let jpeg = Data([0xFF, 0xD8, 0xFF, 0xE0] + Array(repeating: UInt8(1), count: 50))
            func thumbnail(_ bytes: Data) async throws -> HTTPStatus {
                try await h.app.testing().sendRequest(
                    .PUT, path + "/\(photo)/thumbnail",
                    headers: ["Authorization": "Bearer \(owner)", "Content-Type": "image/jpeg"],
                    body: ByteBuffer(data: bytes)
                ).status
            }
            #expect(try await thumbnail(png) == .unprocessableEntity)
            #expect(try await thumbnail(jpeg) == .noContent)
            let small = try await h.send(.GET, path + "/\(photo)?size=thumbnail", token: owner)
            #expect(small.headers.contentType?.subType == "jpeg" && Data(buffer: small.body) == jpeg)
            #expect(try await h.send(.GET, path + "/\(photo)", token: neighbour).status == .notFound)
        }
    }
}

@Suite struct WorkOrderPageTests {
    @Test func residentFilesStaffFinishesResidentRates() async throws {
        try await withLinli { h in
            let resident = WebTests.Browser(h)
            try await resident.signIn(h.world.phones["owner"]!)
            let form = try await resident.go(.GET, "/requests")
            #expect(form.status == .ok && form.text.contains("帮忙：收衣服") && form.text.contains("1栋 101"))
            let filed = try await resident.go(
                .POST, "/requests",
                form: [
                    "_csrf": resident.csrf(form), "householdID": h.world.home.uuidString, "category": "help_laundry",
                    "description": "下雨了，阳台的衣服请帮忙收一下", "place": "阳台",
                ])
            #expect(filed.status == .seeOther)
            let order = try #require(try await WorkOrder.query(on: h.app.db).first())
            let detail = try await resident.go(.GET, "/requests/\(order.id!)")
            #expect(
                detail.text.contains("已提交") && detail.text.contains("王建华 提交") && detail.text.contains("取消报修"),
                "\(detail.status) \(detail.text.suffix(3000))")
            // The staff member's task list has it with its buttons.
            let staff = WebTests.Browser(h)
            try await staff.signIn(h.world.phones["property"]!)
            let tasks = try await staff.go(.GET, "/tasks")
            #expect(tasks.text.contains("帮忙：收衣服") && tasks.text.contains("接单"))
            for action in ["accept", "depart", "complete"] {
                let page = try await staff.go(.GET, "/tasks")
                let done = try await staff.go(
                    .POST, "/requests/\(order.id!)/act",
                    form: ["_csrf": staff.csrf(page), "action": action, "back": "tasks"])
                #expect(done.status == .seeOther, "\(action)")
            }
            // A neighbour cannot open it; the resident confirms by rating.
            let neighbour = WebTests.Browser(h)
            try await neighbour.signIn(h.world.phones["neighbour"]!)
            #expect(try await neighbour.go(.GET, "/requests/\(order.id!)").status == .notFound)
            let toRate = try await resident.go(.GET, "/requests/\(order.id!)")
            #expect(toRate.text.contains("已完成，待确认") && toRate.text.contains("服务怎么样"))
            let rated = try await resident.go(
                .POST, "/requests/\(order.id!)/rate",
                form: ["_csrf": resident.csrf(toRate), "stars": "5", "comment": "及时"])
            #expect(rated.status == .seeOther)
            let final = try await resident.go(.GET, "/requests/\(order.id!)")
            #expect(final.text.contains("已确认") && final.text.contains("★★★★★ 及时") && final.text.contains("property 完成"))
        }
    }
}

@Suite struct ContactsTests {
    @Test func operatorsKeepTheDirectoryResidentsSeeIt() async throws {
        try await withLinli { h in
            let op = try await h.token("operator")
            let owner = try await h.token("owner")
            let created = try await h.send(
                .POST, h.community + "/contacts", token: op,
                raw: #"{"kind":"property_desk","name":"物业服务中心","phone":"023-6788 1000","hours":"24 小时","position":1}"#)
            #expect(created.status == .created, "\(created.text)")
            let id = try created.content.decode(ContactRead.self).id
            _ = try await h.send(
                .POST, h.community + "/contacts", token: op, raw: #"{"kind":"police","name":"派出所","phone":"110"}"#)
            let listed = try await h.send(.GET, h.community + "/contacts", token: owner).content.decode(ListPage<ContactRead>.self).items
            #expect(listed.map(\.name) == ["物业服务中心", "派出所"])
            #expect(
                try await h.send(
                    .POST, h.community + "/contacts", token: owner, raw: #"{"kind":"police","name":"x","phone":"1"}"#
                ).status == .forbidden)
            let bResident = try await h.token("bResident")
            #expect(try await h.send(.GET, h.community + "/contacts", token: bResident).status == .notFound)
            let bad = try await h.send(
                .PUT, h.community + "/contacts/\(id)", token: op,
                raw: #"{"kind":"police","name":"x","phone":"call me"}"#)
            #expect(bad.status == .unprocessableEntity && bad.problem?.errors?.first?.field == "phone")
            let browser = WebTests.Browser(h)
            try await browser.signIn(h.world.phones["owner"]!)
            let home = try await browser.go(.GET, "/")
            #expect(home.text.contains("常用电话") && home.text.contains("href=\"tel:02367881000\""))
            #expect(try await h.send(.DELETE, h.community + "/contacts/\(id)", token: op).status == .noContent)
        }
    }
}

@Suite struct NoticeTests {
    @Test func audienceReceiptsRatesAndTheEmergencyBanner() async throws {
        try await withLinli { h in
            let worker = try await h.token("worker")
            let owner = try await h.token("owner")
            let neighbour = try await h.token("neighbour")
            func publish(_ json: String, token: String) async throws -> TestingHTTPResponse {
                try await h.send(.POST, h.community + "/notices", token: token, raw: json)
            }
            // Everyone in 1栋; only parents of children; an event tomorrow; one that expired.
            let all = try await publish(
                #"{"category":"property","title":"停水通知","body":"明天上午停水。\n请提前储水。","buildingIDs":["\#(h.world.building)"]}"#,
                token: worker)
            #expect(all.status == .created, "\(all.text)")
            _ = try await publish(
                #"{"category":"policy","title":"托育补贴","body":"申请方法","groups":["parents"]}"#, token: worker)
            let tomorrow = ISO8601DateFormatter().string(from: h.clock.now().addingTimeInterval(86_400))
            _ = try await publish(
                #"{"category":"event","title":"明天的活动","body":"x","publishAt":"\#(tomorrow)"}"#, token: worker)
            #expect(
                try await publish(#"{"category":"event","title":"x","body":"x","channels":["radio"]}"#, token: worker)
                    .status == .unprocessableEntity)
            #expect(
                try await publish(#"{"category":"event","title":"x","body":"x"}"#, token: try await h.token("guard"))
                    .status == .forbidden)
            #expect(
                try await publish(#"{"category":"event","title":"x","body":"x"}"#, token: owner).status == .forbidden)
            // The owner has a 9-year-old at home: a parent. The neighbour has none.
            let child = try #require(try await Person.find(h.world.family, on: h.app.db))
            child.birthYear = Calendar.chinaYear(h.clock.now()) - 9
            try await child.save(on: h.app.db)
            let mine = try await h.send(.GET, "/api/v1/me/notices", token: owner).content.decode(ListPage<NoticeOut>.self).items
            #expect(Set(mine.map(\.title)) == ["停水通知", "托育补贴"] && mine.allSatisfy { $0.read == false })
            let theirs = try await h.send(.GET, "/api/v1/me/notices", token: neighbour).content.decode(ListPage<NoticeOut>.self).items
            #expect(theirs.map(\.title) == ["停水通知"])
            let subsidy = try #require(mine.first { $0.title == "托育补贴" })
            #expect(
                try await h.send(.POST, "/api/v1/me/notices/\(subsidy.id)/read", token: neighbour).status == .notFound)
            // Reading it twice is one receipt; the publisher sees the rate among its audience.
            let water = try #require(mine.first { $0.title == "停水通知" })
            for _ in 0..<2 {
                #expect(
                    try await h.send(.POST, "/api/v1/me/notices/\(water.id)/read", token: owner).status == .noContent)
            }
            let rates = try await h.send(.GET, h.community + "/notices", token: worker).content.decode(ListPage<NoticeOut>.self).items
            let waterRate = try #require(rates.first { $0.title == "停水通知" })
            #expect(waterRate.reads == 1 && waterRate.audience == 3 && waterRate.readRate == 33.3)
            // An emergency: a banner on every page until it is opened.
            let gas = try await publish(#"{"category":"emergency","title":"燃气泄漏，请勿使用明火","body":"正在抢修"}"#, token: worker)
            let gasID = try gas.content.decode(NoticeOut.self).id
            #expect(try gas.content.decode(NoticeOut.self).pinned)
            let browser = WebTests.Browser(h)
            try await browser.signIn(h.world.phones["owner"]!)
            for path in ["/", "/requests", "/access"] {
                let page = try await browser.go(.GET, path)
                #expect(page.text.contains("燃气泄漏，请勿使用明火") && page.text.contains("role=\"alert\""), "\(path)")
            }
            let opened = try await browser.go(.GET, "/notices/\(gasID)")
            #expect(opened.text.contains("正在抢修"))
            #expect(!(try await browser.go(.GET, "/")).text.contains("燃气泄漏，请勿使用明火"))
            let list = try await browser.go(.GET, "/notices")
            #expect(list.text.contains("📌 燃气泄漏") && list.text.contains("托育补贴"))
            // The console page shows the rate.
            let console = WebTests.Browser(h)
            try await console.signIn(h.world.phones["worker"]!)
            let page = try await console.go(.GET, "/console/\(h.world.a)/notices")
            #expect(page.text.contains("3 人中 1 人已读（33.3%）"))
            // Withdrawn: gone from the reader's list at once (the board dropped the community); a notice
            // scheduled for later shows from its time on, with no change to announce it.
            func titles() async throws -> [String] {
                try await h.send(.GET, "/api/v1/me/notices", token: owner).content.decode(ListPage<NoticeOut>.self)
                    .items.map(\.title)
            }
            #expect(try await titles().contains("停水通知"))
            #expect(try await h.send(.DELETE, h.community + "/notices/\(water.id)", token: worker).status == .noContent)
            #expect(try await !titles().contains("停水通知"))
            let later = try await publish(
                #"{"category":"event","title":"明早通知","body":"x","publishAt":"\#(ISO8601DateFormatter().string(from: h.clock.now().addingTimeInterval(600)))"}"#,
                token: worker)
            #expect(later.status == .created, "\(later.text)")
            let now = try await titles()
            #expect(!now.contains("停水通知") && !now.contains("明早通知"))
            h.clock.advance(by: 601)
            #expect(try await titles().contains("明早通知"))
        }
    }

    /// A reader's list is kept (`NoticeBoard.readers`): a receipt, a change in their home that puts them
    /// in an audience, and a notice withdrawn each show on the very next read.
    @Test func aReadersKeptListFollowsReceiptsAndTheirHome() async throws {
        try await withLinli { h in
            let worker = try await h.token("worker")
            let owner = try await h.token("owner")
            let op = try await h.token("operator")
            let published = try await h.send(
                .POST, h.community + "/notices", token: worker,
                raw: #"{"category":"policy","title":"托育补贴","body":"申请方法","groups":["parents"]}"#)
            let id = try published.content.decode(NoticeOut.self).id
            func mine() async throws -> [NoticeOut] {
                try await h.send(.GET, "/api/v1/me/notices", token: owner).content.decode(ListPage<NoticeOut>.self).items
            }
            let year = Calendar.chinaYear(h.clock.now())
            _ = try await h.send(
                .PATCH, h.community + "/people/\(h.world.family)", token: op, raw: #"{"birthYear":\#(year - 30)}"#)
            #expect(try await mine().isEmpty)
            // The family member is a child after all: the owner is a parent on the next read.
            let child = try await h.send(
                .PATCH, h.community + "/people/\(h.world.family)", token: op, raw: #"{"birthYear":\#(year - 9)}"#)
            #expect(child.status == .ok, "\(child.text)")
            #expect(try await mine().map(\.read) == [false])
            #expect(try await h.send(.POST, "/api/v1/me/notices/\(id)/read", token: owner).status == .noContent)
            #expect(try await mine().map(\.read) == [true])
            let kept = try await h.send(.GET, "/api/v1/me/notices", token: owner)
            let read = try await h.send(.GET, "/api/v1/me/notices?page=1", token: owner)
            #expect(kept.text == read.text && kept.headers.contentType == read.headers.contentType)
            #expect(try await h.send(.DELETE, h.community + "/notices/\(id)", token: worker).status == .noContent)
            #expect(try await mine().isEmpty)
        }
    }
}

@Suite struct ServiceTests {
    func service(_ h: Harness, _ op: String, capacity: Int, price: Int = 3900) async throws -> ServiceOut {
        let created = try await h.send(
            .POST, h.community + "/services", token: op,
            raw:
                #"{"name":"1小时家庭保洁","description":"保洁阿姨上门","priceCents":\#(price),"durationMinutes":60,"capacity":\#(capacity),"hours":"09:00-18:00"}"#
        )
        #expect(created.status == .created, "\(created.text)")
        return try created.content.decode(ServiceOut.self)
    }

    /// The test clock reads 2026-09-21 22:13 China time: tomorrow's slots are open.
    func book(
        _ h: Harness, _ token: String, _ service: UUID, home: UUID, start: String = "10:00", payment: String = "online"
    )
        async throws -> TestingHTTPResponse
    {
        try await h.send(
            .POST, h.community + "/services/\(service)/bookings", token: token,
            raw: #"{"householdID":"\#(home)","day":"2026-09-22","start":"\#(start)","payment":"\#(payment)"}"#)
    }

    @Test func theLastPlaceGoesToExactlyOneOfManyAtOnce() async throws {
        try await withLinli { h in
            let op = try await h.token("operator")
            let owner = try await h.token("owner")
            let family = try await h.token("family")
            let neighbour = try await h.token("neighbour")
            let one = try await service(h, op, capacity: 1)
            let who = [(owner, h.world.home), (family, h.world.home), (neighbour, h.world.otherHome)]
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for round in 0..<2 {
                    for (token, home) in who {
                        _ = round
                        group.addTask { try await book(h, token, one.id, home: home).status }
                    }
                }
                return try await group.reduce(into: [HTTPStatus]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .created }.count == 1, "\(statuses)")
            #expect(statuses.filter { $0 == .conflict }.count == 5, "\(statuses)")
            #expect(try await Booking.query(on: h.app.db).filter(\.$status == .booked).count() == 1)
            // With three places, five at once: three win.
            let three = try await service(h, op, capacity: 3)
            let more = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for index in 0..<5 {
                    let (token, home) = who[index % 3]
                    group.addTask { try await book(h, token, three.id, home: home, start: "11:00").status }
                }
                return try await group.reduce(into: [HTTPStatus]()) { $0.append($1) }
            }
            #expect(more.filter { $0 == .created }.count == 3 && more.filter { $0 == .conflict }.count == 2, "\(more)")
            let slots = try await h.send(.GET, h.community + "/services/\(three.id)/slots?day=2026-09-22", token: owner)
                .content.decode([SlotOut].self)
            #expect(
                slots.count == 9 && slots.first { Calendar.china.component(.hour, from: $0.start) == 11 }?.left == 0)
            let full = try await book(h, owner, three.id, home: h.world.home, start: "11:00")
            #expect(full.status == .conflict && full.problem?.errors?.first?.reason == "slot_full")
        }
    }

    @Test func cancelRefundFulfilRevenueAndDemand() async throws {
        try await withLinli { h in
            let op = try await h.token("operator")
            let owner = try await h.token("owner")
            let staff = try await h.token("property")
            let cleaning = try await service(h, op, capacity: 2)
            // Online payment through the test provider, then cancelled in time: refunded, the place is free again.
            let paid = try await book(h, owner, cleaning.id, home: h.world.home).content.decode(BookingOut.self)
            #expect(paid.paid && paid.amountCents == 3900)
            let cancelled = try await h.send(.POST, "/api/v1/bookings/\(paid.id)/cancel", token: owner)
            #expect(try cancelled.content.decode(BookingOut.self).refunded)
            #expect(try await Payment.query(on: h.app.db).filter(\.$kind == .refund).count() == 1)
            #expect(try await BookingSeat.query(on: h.app.db).count() == 0)
            // Bad requests.
            #expect(
                try await book(h, owner, cleaning.id, home: h.world.home, start: "10:30").status == .unprocessableEntity
            )
            #expect(try await book(h, owner, cleaning.id, home: h.world.otherHome).status == .notFound)
            #expect(
                try await book(h, owner, cleaning.id, home: h.world.home, payment: "cash").status
                    == .unprocessableEntity)
            // Pay at the door: paid when the staff member marks it done.
            let door = try await book(h, owner, cleaning.id, home: h.world.home, start: "09:00", payment: "door")
                .content.decode(BookingOut.self)
            #expect(!door.paid)
            #expect(try await h.send(.POST, "/api/v1/bookings/\(door.id)/fulfil", token: owner).status == .forbidden)
            let done = try await h.send(.POST, "/api/v1/bookings/\(door.id)/fulfil", token: staff).content.decode(
                BookingOut.self)
            #expect(done.status == "fulfilled" && done.paid)
            // Too late to cancel within two hours of the slot.
            let soon = try await book(h, owner, cleaning.id, home: h.world.home, start: "12:00").content.decode(
                BookingOut.self)
            h.clock.advance(by: 12 * 3600)  // 10:13 on the day: the 12:00 slot is 1 h 47 min away
            let late = try await h.send(.POST, "/api/v1/bookings/\(soon.id)/cancel", token: owner)
            #expect(late.status == .conflict && late.problem?.errors?.first?.reason == "too_late_to_cancel")
            // Revenue: the door payment and the online one not refunded.
            let revenue = try await h.send(.GET, h.community + "/services/revenue?period=month", token: op).text
            #expect(
                revenue.contains("\"yuan\":\"78.00\"") && revenue.contains("\"bookings\":\"2\"")
                    && revenue.contains("2026-09"))
            // A search with no result is a demand signal.
            let found = try await h.send(.GET, h.community + "/services?q=桶装水", token: owner).content.decode(ListPage<ServiceOut>.self).items
            #expect(found.isEmpty)
            #expect(
                try await DemandSignal.query(on: h.app.db).filter(\.$kind == .searchMiss).first()?.subject == "桶装水")
            #expect(try await DemandSignal.query(on: h.app.db).filter(\.$kind == .order).count() == 3)
        }
    }

    @Test func residentsBookOnThePageStaffFulfilOnTheConsole() async throws {
        try await withLinli { h in
            let op = try await h.token("operator")
            _ = try await service(h, op, capacity: 1)
            let resident = WebTests.Browser(h)
            try await resident.signIn(h.world.phones["owner"]!)
            let page = try await resident.go(.GET, "/services?day=2026-09-22")
            #expect(page.text.contains("1小时家庭保洁 · ¥39.00") && page.text.contains("10:00 · 剩 1 个"))
            let action = try #require(
                page.text.components(separatedBy: "action=\"/services/").dropFirst().first?.prefix(36))
            let booked = try await resident.go(
                .POST, "/services/\(action)/book",
                form: [
                    "_csrf": resident.csrf(page), "householdID": h.world.home.uuidString, "day": "2026-09-22",
                    "start": "10:00", "payment": "door",
                ])
            #expect(booked.status == .seeOther)
            let after = try await resident.go(.GET, "/services?day=2026-09-22")
            #expect(!after.text.contains("10:00 · 剩") && after.text.contains("已预约 · ¥39.00 · 上门付款"))
            let staff = WebTests.Browser(h)
            try await staff.signIn(h.world.phones["property"]!)
            let console = try await staff.go(.GET, "/console/\(h.world.a)/services")
            #expect(console.text.contains("1栋 101") && console.text.contains("/fulfil"))
            let booking = try #require(try await Booking.query(on: h.app.db).first())
            let done = try await staff.go(
                .POST, "/console/\(h.world.a)/services/bookings/\(booking.id!)/fulfil",
                form: ["_csrf": staff.csrf(console)])
            #expect(done.status == .seeOther)
            let revenue = try await staff.go(.GET, "/console/\(h.world.a)/services")
            #expect(revenue.text.contains("2026-09") && revenue.text.contains("¥39.00"))
        }
    }
}
