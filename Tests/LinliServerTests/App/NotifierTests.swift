import Fluent
import Foundation
import LinliCore
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

/// The platform's notifier and task list: channels, preferences, the SMS outbox and its gateway.
@Suite struct NotifierTests {
    struct Preference: Codable, Equatable {
        let topic: String
        let safety: Bool
        let channels: [String]
    }

    func preferences(_ h: Harness, _ token: String) async throws -> [String: Preference] {
        let list = try await h.send(.GET, "/api/v1/me/notification-preferences", token: token).content
            .decode([Preference].self)
        return Dictionary(list.map { ($0.topic, $0) }, uniquingKeysWith: { a, _ in a })
    }

    func send(_ h: Harness, _ title: String, _ topic: NotificationTopic, to: Notifier.Recipients, community: UUID? = nil)
        async throws
    {
        try await Notifier.send(title, topic, to: to, community: community ?? h.world.a, now: h.clock.now(), on: h.app.db)
    }

    func outbox(_ h: Harness) async throws -> [SmsMessage] {
        try await SmsMessage.query(on: h.app.db).sort(\.$phone).all()
    }

    @Test func aSafetyNoteIsTextedToEveryoneAtHomeAndABillOnlyToWhoAskedForIt() async throws {
        try await withLinli { h in
            let owner = try await h.token("owner")
            let defaults = try await preferences(h, owner)
            #expect(defaults["security"] == Preference(topic: "security", safety: true, channels: ["app", "tv", "kiosk", "sms"]))
            #expect(defaults["bills"] == Preference(topic: "bills", safety: false, channels: ["app", "tv", "kiosk"]))

            try await send(h, "bill.note.due", .bills, to: .household(h.world.home))
            #expect(try await outbox(h).isEmpty)
            try await send(h, "security.note.family.panic", .security, to: .household(h.world.home))
            let texts = try await outbox(h)
            // 王建华 and 陈静 live there; the neighbour is told nothing. Texts are in the person's language.
            #expect(texts.map(\.phone) == ["13900000001", "13900000004"])
            #expect(texts.allSatisfy { $0.status == "queued" && $0.text == L10n.text("security.note.family.panic", .zhCN) })

            // The owner wants bills by text and not in the app.
            let set = try await h.send(
                .PUT, "/api/v1/me/notification-preferences", token: owner, raw: #"{"topic":"bills","channels":["sms"]}"#)
            #expect(set.status == .ok, "\(set.text)")
            try await send(h, "bill.note.overdue", .bills, to: .household(h.world.home))
            #expect(try await outbox(h).count == 3)
            let mine = try await h.send(.GET, "/api/v1/me/notifications?per=50", token: owner).content
                .decode(ListPage<NotificationRead>.self).items
            #expect(mine.map(\.topic).sorted() == ["security"])
            let family = try await h.send(.GET, "/api/v1/me/notifications?per=50", token: try await h.token("family"))
                .content.decode(ListPage<NotificationRead>.self).items
            #expect(family.map(\.topic).sorted() == ["bills", "bills", "security"])
        }
    }

    @Test func aSafetyTopicStaysInTheAppAndBadChoicesAreRefused() async throws {
        try await withLinli { h in
            let owner = try await h.token("owner")
            let none = try await h.send(
                .PUT, "/api/v1/me/notification-preferences", token: owner, raw: #"{"topic":"security","channels":[]}"#)
            #expect(try none.content.decode(Preference.self).channels == ["app"])
            for (body, status) in [
                (#"{"topic":"horoscope","channels":["app"]}"#, HTTPStatus.unprocessableEntity),
                (#"{"topic":"bills","channels":["fax"]}"#, .unprocessableEntity),
                (#"{"topic":"bills","channels":["app"],"extra":1}"#, .unprocessableEntity),
                (#"{"topic":"bills"}"#, .badRequest),
            ] {
                let refused = try await h.send(.PUT, "/api/v1/me/notification-preferences", token: owner, raw: body)
                #expect(refused.status == status, "\(body): \(refused.status)")
                #expect(refused.problem != nil)
            }
            #expect(try await preferences(h, owner)["bills"]?.channels == ["app", "tv", "kiosk"])
            let anonymous = try await h.send(.GET, "/api/v1/me/notification-preferences")
            #expect(anonymous.status == .unauthorized)
        }
    }

    @Test func theGatewayTakesItsCommunitysTextsAndEachIsReportedOnce() async throws {
        try await withLinli { h in
            let op = try await h.token("operator")
            let (_, gateway) = try await h.device("sms_gateway", "短信网关", token: op)
            let (_, gate) = try await h.device("face_gate", "正门", token: op)
            try await send(h, "security.note.escalated", .security, to: .household(h.world.home))
            try await send(h, "security.note.escalated", .security, to: .household(h.world.bHome), community: h.world.b)
            let taken = try await h.send(.GET, "/api/v1/devices/sms/outbox", token: gateway)
            #expect(taken.status == .ok)
            let queued = try taken.content.decode([SmsRead].self)
            #expect(queued.map(\.phone).sorted() == ["13900000001", "13900000004"])
            #expect(try await h.send(.GET, "/api/v1/devices/sms/outbox", token: gate).status == .forbidden)
            #expect(try await h.send(.GET, "/api/v1/devices/sms/outbox").status == .unauthorized)

            // Community B's text is not this gateway's to report.
            let other = try await SmsMessage.query(on: h.app.db).filter(\.$communityID == h.world.b).first()!
            let foreign = try await h.send(
                .POST, "/api/v1/devices/sms/outbox/\(other.id!)", token: gateway, json: ["status": "sent"])
            #expect(foreign.status == .notFound)

            // Ten reports of one text at once: one is taken, the others are told it was reported.
            let id = queued[0].id
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for _ in 0..<10 {
                    group.addTask {
                        try await h.send(.POST, "/api/v1/devices/sms/outbox/\(id)", token: gateway, json: ["status": "sent"])
                            .status
                    }
                }
                return try await group.reduce(into: [HTTPStatus]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .ok }.count == 1 && statuses.filter { $0 == .conflict }.count == 9)
            let failed = try await h.send(
                .POST, "/api/v1/devices/sms/outbox/\(queued[1].id)", token: gateway,
                json: ["status": "failed", "error": "number unreachable"])
            #expect(failed.status == .ok)
            let left = try await h.send(.GET, "/api/v1/devices/sms/outbox", token: gateway).content.decode([SmsRead].self)
            #expect(left.isEmpty)
            #expect(try await SmsMessage.find(queued[1].id, on: h.app.db)?.error == "number unreachable")
        }
    }

    @Test func aTaskForOnePersonIsClosedOnceWhenManyCloseItAtOnce() async throws {
        try await withLinli { h in
            let worker = try await StaffAssignment.query(on: h.app.db).filter(\.$role == .communityWorker).first()!.personID
            let id = try await StaffTasks.open(
                "care.note.worker", .init(role: .communityWorker, person: worker), community: h.world.a, now: h.clock.now(),
                on: h.app.db)
            #expect(try await StaffTasks.retitle(id, "care.note.family", on: h.app.db))
            let closed = try await withThrowingTaskGroup(of: Bool.self) { group in
                for n in 0..<10 {
                    group.addTask { try await StaffTasks.close(id, by: "worker \(n)", now: h.clock.now(), on: h.app.db) }
                }
                return try await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
            }
            #expect(closed == 1)
            let task = try await StaffTask.find(id, on: h.app.db)
            #expect(task?.status == .done && task?.personID == worker && task?.title == "care.note.family")
            #expect(try await StaffTasks.retitle(id, "again", on: h.app.db) == false)
        }
    }

    @Test func theProfilePageChoosesChannelsPerTopicAndKeepsSafetyInTheApp() async throws {
        try await withLinli { h in
            let browser = WebTests.Browser(h)
            try await browser.signIn(h.world.phones["owner"]!)
            let page = try await browser.go(.GET, "/me", language: "en")
            #expect(page.status == .ok)
            #expect(page.text.contains("data-topic=\"bills\"") && page.text.contains("name=\"bills.sms\""))
            #expect(page.text.contains("name=\"security.app\" value=\"1\" checked disabled"))
            // Bills by text only; security's boxes all cleared (the app stays).
            var form = ["_csrf": browser.csrf(page), "bills.sms": "1"]
            for topic in ["care", "usage", "access", "devices", "property", "general"] { form["\(topic).app"] = "1" }
            let saved = try await browser.go(.POST, "/me/notifications", form: form, language: "en")
            #expect(saved.status == .seeOther)
            let owner = try await h.token("owner")
            let chosen = try await preferences(h, owner)
            #expect(chosen["bills"]?.channels == ["sms"] && chosen["security"]?.channels == ["app"])
            #expect(chosen["care"]?.channels == ["app"])
            // Without the form's token nothing changes.
            let forged = try await WebTests.Browser(h).go(.POST, "/me/notifications", form: ["bills.app": "1"])
            #expect(forged.status != .seeOther || forged.headers.first(name: .location)?.contains("login") == true)
            #expect(try await preferences(h, owner)["bills"]?.channels == ["sms"])
        }
    }
}
