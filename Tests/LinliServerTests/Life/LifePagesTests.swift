import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

/// Community life's pages through forms, as a browser sends them: sign up and see the ticket, the
/// printable ticket only for its holder, the console's forms refusing bad input with a message (never a
/// 500), user text escaped, and the door's form checking a ticket in once.
@Suite struct LifePagesTests {
    typealias Browser = WebTests.Browser

    @Test func aResidentSignsUpOnThePageAndOnlySheSeesHerTicket() async throws {
        try await withLinli { h in
            let event = try await h.event(capacity: 5, extra: #""description":"<script>alert(1)</script>""#)
            let owner = Browser(h)
            try await owner.signIn("13900000001")
            let page = try await owner.go(.GET, "/events")
            #expect(page.status == .ok && page.text.contains("太极拳体验课"))
            #expect(!page.text.contains("<script>alert(1)") && page.text.contains("&lt;script&gt;"))
            let signed = try await owner.go(.POST, "/events/\(event)/sign-up", form: ["_csrf": owner.csrf(page)])
            #expect(signed.status == .seeOther)
            let code = try #require(try await Registration.query(on: h.app.db).filter(\.$personID == h.world.owner).first()).ticketCode
            #expect(try await owner.go(.GET, "/events").text.contains(code))
            let ticket = try await owner.go(.GET, "/events/\(event)/ticket")
            #expect(ticket.status == .ok && ticket.text.contains(code) && ticket.headers.cacheControl?.noStore == true)
            let neighbour = Browser(h)
            try await neighbour.signIn("13900000003")
            #expect(try await neighbour.go(.GET, "/events/\(event)/ticket").status == .notFound)
            #expect(try await neighbour.go(.GET, "/events/\(event)/door").status == .notFound)
            let outsider = Browser(h)
            try await outsider.signIn("13900000009")
            let foreign = try await outsider.go(.POST, "/events/\(event)/sign-up", form: ["_csrf": outsider.csrf(try await outsider.go(.GET, "/events"))])
            #expect(foreign.status == .notFound)

            let worker = Browser(h)
            try await worker.signIn("13800000003")
            let door = try await worker.go(.GET, "/events/\(event)/door")
            #expect(door.status == .ok && door.text.contains(Registrations.hash(code)) && !door.text.contains(code))
            let first = try await worker.go(.POST, "/events/\(event)/door/scan", form: ["_csrf": worker.csrf(door), "code": code])
            #expect(first.status == .seeOther)
            let again = try await worker.go(.POST, "/events/\(event)/door/scan", form: ["_csrf": worker.csrf(door), "code": code])
            #expect(again.status == .seeOther)
            #expect(try await CheckIn.query(on: h.app.db).count() == 1)
        }
    }

    @Test func theConsoleFormsRefuseBadInputWithAMessage() async throws {
        try await withLinli { h in
            let worker = Browser(h)
            try await worker.signIn("13800000003")
            let c = "/console/\(h.world.a)/events"
            let page = try await worker.go(.GET, c)
            #expect(page.status == .ok)
            let token = worker.csrf(page)
            #expect(try await worker.go(.POST, "/console/\(h.world.a)/venues", form: ["_csrf": token, "name": "中心广场"]).status == .seeOther)
            let form = ["_csrf": token, "title": "太极", "place": "中心广场", "startsAt": "2030-01-01T09:00", "endsAt": "2030-01-01T10:00", "capacity": "20"]
            for (field, value, reason) in [
                ("startsAt", "not a date", "startsAt"), ("endsAt", "2030-01-01T08:00", "结束时间必须晚于开始时间"),
                ("place", "月球", "本社区没有这个场地"), ("capacity", "0", "capacity"),
            ] {
                var bad = form
                bad[field] = value
                let refused = try await worker.go(.POST, c + "/new", form: bad)
                #expect(refused.status.code >= 400 && refused.status.code < 500, "\(field): \(refused.status)")
                #expect(refused.text.contains(reason), "\(field): \(refused.text.suffix(600))")
            }
            #expect(try await h.count(LifeEvent.self) == 0)
            #expect(try await worker.go(.POST, c + "/new", form: form).status == .seeOther)
            #expect(try await worker.go(.POST, c + "/new", form: form).status == .conflict)
            #expect(try await h.count(LifeEvent.self) == 1)
            let event = try #require(try await LifeEvent.query(on: h.app.db).first())
            let behalf = try await worker.go(
                .POST, c + "/\(event.id!)/registrations", form: ["_csrf": token, "phone": "13900000003"])
            #expect(behalf.status == .seeOther)
            let roster = try await worker.go(.GET, c + "/\(event.id!)")
            #expect(roster.text.contains("周杰") && roster.text.contains("代报名"))
            let resident = Browser(h)
            try await resident.signIn("13900000001")
            #expect(try await resident.go(.GET, c).status == .forbidden)
        }
    }
}
