import Fluent
import Foundation
import LinliCore
import Testing
import Vapor

@testable import LinliServer

/// Page models built without HTTP: a request made in the test (no server, no template), the model read
/// as a value.
@Suite struct PageModelTests {
    func request(_ h: Harness, as who: String, language: String = "en") async throws -> (Request, CurrentUser) {
        let phone = try #require(h.world.phones[who])
        let person = try #require(try await Person.query(on: h.app.db).filter(\.$phone == phone).first())
        let user = try await CurrentUser.load(person, on: h.app.db, today: Calendar.chinaDate(h.clock.now()))
        let req = Request(
            application: h.app, method: .GET, url: "/", headers: ["Accept-Language": language],
            on: h.app.eventLoopGroup.next())
        req.auth.login(user)
        return (req, user)
    }

    @Test func theHomeModelHasTheFeaturesTilesTheHomeAndTheNotesLessMutedTopics() async throws {
        try await withLinli { h in
            try await Notifier.send(
                "bill.note.due", .bills, to: .household(h.world.home), community: h.world.a, now: h.clock.now(), on: h.app.db)
            try await Notifier.send(
                "security.note.family.panic", .security, to: .household(h.world.home), community: h.world.a,
                now: h.clock.now(), on: h.app.db)
            let (req, user) = try await request(h, as: "owner")
            let page = try await HomePages.page(user, req)
            #expect(page.name == "王建华" && !page.isStaff)
            #expect(page.tiles.map(\.id) == [
                "to-access", "to-requests", "to-notices", "to-services", "to-security", "to-care", "to-events", "to-ask", "to-applications", "to-courses", "to-usage",
                "to-bills", "to-wallet",
            ])
            #expect(page.tiles.first?.label == "Gate access" || page.tiles.first?.label == L10n.text("home.access", .en))
            #expect(page.homes.count == 1 && page.homes[0].members.map(\.name).sorted() == ["王建华", "陈静"].sorted())
            #expect(page.notes.count == 2)

            // Bills muted on the app: the next model leaves them out; a staff member gets the staff tiles.
            try await NotificationPreference.create(person: user.principal.personID, topic: "bills", channels: "sms", on: h.app.db)
            h.app.events.publish(PersonChanged(person: user.principal.personID))
            let muted = try await HomePages.page(user, req)
            #expect(muted.notes.map(\.title) == [L10n.text("security.note.family.panic", .en)])
            let (staffRequest, staff) = try await request(h, as: "operator")
            let staffPage = try await HomePages.page(staff, staffRequest)
            #expect(staffPage.isStaff && staffPage.tiles.suffix(2).map(\.id) == ["to-tasks", "to-console"])
        }
    }
}

extension NotificationPreference {
    static func create(person: UUID, topic: String, channels: String, on db: any Database) async throws {
        let row = NotificationPreference()
        row.personID = person
        row.topic = topic
        row.channelList = channels
        row.updatedAt = Date()
        try await row.create(on: db)
    }
}
