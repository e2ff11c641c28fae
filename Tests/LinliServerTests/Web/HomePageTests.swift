import Fluent
import Foundation
import LinliCore
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

/// The resident home page is kept per person and language (`HomePages`): a member moving in, a contact
/// added, a notification sent and the language switched each show on the very next load.
@Suite struct HomePageTests {
    @Test func theKeptHomePageFollowsEveryChange() async throws {
        try await withLinli { h in
            let op = try await h.token("operator")
            let owner = try await h.token("owner")
            let browser = WebTests.Browser(h)
            try await browser.signIn(h.world.phones["owner"]!)
            let before = try await browser.go(.GET, "/").text
            #expect(before.contains("陈静") && !before.contains("周杰"))
            #expect(h.app.homePages.count == 1)
            // The neighbour moves in with the family: both homes' pages name them.
            let added = try await h.send(
                .POST, h.community + "/households/\(h.world.home)/members", token: op,
                raw: #"{"phone":"\#(h.world.phones["neighbour"]!)","relation":"tenant"}"#)
            #expect(added.status == .created, "\(added.text)")
            #expect(try await browser.go(.GET, "/").text.contains("周杰"))
            // A contact of the community.
            let contact = try await h.send(
                .POST, h.community + "/contacts", token: op, raw: #"{"kind":"police","name":"派出所","phone":"110"}"#)
            #expect(contact.status == .created)
            #expect(try await browser.go(.GET, "/").text.contains("href=\"tel:110\""))
            // A notification to the operators (a lift repair nobody accepted): on the operator's page.
            let filed = try await h.send(
                .POST, "/api/v1/me/work-orders", token: owner,
                raw: #"{"householdID":"\#(h.world.home)","category":"repair_lift","description":"电梯停了"}"#)
            #expect(filed.status == .created)
            h.clock.advance(by: 16 * 60)
            let manager = WebTests.Browser(h)
            try await manager.signIn(h.world.phones["operator"]!)
            #expect(try await !manager.go(.GET, "/").text.contains("工单超时"))
            try await WorkOrderService.sweep(now: h.clock.now(), on: h.app.db, events: h.app.events)
            #expect(try await manager.go(.GET, "/").text.contains("工单超时"))
            // Another language is another page.
            _ = try await h.send(.PATCH, "/api/v1/me", token: owner, raw: #"{"language":"en"}"#)
            #expect(try await browser.go(.GET, "/").text.contains("lang=\"en\""))
        }
    }

    @Test func aPageReadTwiceUnchangedIsRenderedOnceAndNeverSharedBetweenSessions() async throws {
        try await withLinli { h in
            let first = WebTests.Browser(h)
            try await first.signIn(h.world.phones["owner"]!)
            let response = try await first.go(.GET, "/")
            let page = response.text
            let kept = h.app.renderedPages.count
            #expect(try await first.go(.GET, "/").text == page)
            #expect(h.app.renderedPages.count == kept)
            // The same person in another browser: another session, another CSRF token, another page.
            let second = WebTests.Browser(h)
            try await second.signIn(h.world.phones["owner"]!)
            let other = try await second.go(.GET, "/").text
            #expect(other != page && h.app.renderedPages.count > kept)
            #expect(!first.csrf(response).isEmpty && !other.contains(first.csrf(response)))
            // What the page shows changes: it is rendered anew.
            let op = try await h.token("operator")
            _ = try await h.send(
                .POST, h.community + "/contacts", token: op, raw: #"{"kind":"police","name":"派出所","phone":"110"}"#)
            #expect(try await first.go(.GET, "/").text.contains("派出所"))
        }
    }
}
