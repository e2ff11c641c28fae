import Fluent
import Foundation
import LinliCore
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

/// Pension authentication: the bureau's list imported all or nothing, due twelve months after the last
/// authentication, reminders before and after sent once to the pensioner's home, the due and overdue
/// lists, a recorded authentication, a home visit for the bedridden.
@Suite struct PensionerTests {
    func importCSV(_ h: Harness, _ csv: String, as who: String = "worker") async throws -> TestingHTTPResponse {
        try await h.send(
            .POST, h.community + "/pensioners/import", token: try await h.token(who), raw: csv, contentType: HTTPMediaType(type: "text", subType: "csv"))
    }

    @Test func importDueListsRemindersAndRecords() async throws {
        try await withLinli { h in
            // Today is 2026-09-21.
            let csv = "name,id_last4,phone,last_authenticated\n王建华,123X,13900000001,2025-10-01\n周杰,5678,13900000003,2025-09-01\n外人,0001,13712345678,2026-03-01\n"
            let bad = try await importCSV(h, "name,id_last4,phone,last_authenticated\n王建华,12,13900000001,2025-10-01\n周杰,5678,123,2027-01-01\n")
            #expect(bad.status == .unprocessableEntity && bad.problem?.errors?.count == 2)
            #expect(bad.problem?.errors?.map(\.line) == [2, 3])
            #expect(try await h.count(Pensioner.self) == 0)
            #expect(try await importCSV(h, csv, as: "neighbour").status == .forbidden)
            let made = try await importCSV(h, csv)
            #expect(made.status == .created, "\(made.text)")
            let path = h.community + "/pensioners"
            let worker = try await h.token("worker")
            let overdue = try await h.send(.GET, path + "?due=overdue", token: worker).content.decode(ListPage<PensionerRead>.self)
            #expect(overdue.items.map(\.name) == ["周杰"] && overdue.items[0].daysLeft == -20 && overdue.items[0].dueOn == "2026-09-01")
            let all = try await h.send(.GET, path, token: worker).content.decode(ListPage<PensionerRead>.self)
            #expect(all.items.map(\.name) == ["周杰", "王建华", "外人"])
            #expect(try await h.send(.GET, path + "?due=never", token: worker).status == .unprocessableEntity)
            // A reminder goes out in the week after its mark, never for marks older (an import does not
            // replay a year of them): on 2026-09-24 王建华 (due 2026-10-01) reaches the 7-days-before mark.
            h.clock.advance(by: 3 * 86_400)
            try await Pensioners.remind(now: h.clock.now(), app: h.app)
            try await Pensioners.remind(now: h.clock.now(), app: h.app)
            let home = try await LinliServer.Notification.query(on: h.app.db).filter(\.$householdID == h.world.home)
                .filter(\.$title == "gov.note.pensionDue").count()
            #expect(home == 1)
            let wang = try #require(all.items.first { $0.name == "王建华" })
            let recorded = try await h.send(
                .POST, path + "/\(wang.id)/authentication", token: worker, json: ["on": "2026-09-24", "channel": "family"])
            #expect(try recorded.content.decode(PensionerRead.self).dueOn == "2027-09-24")
            #expect(try await h.send(.POST, path + "/\(wang.id)/authentication", token: worker, json: ["on": "2026-12-01", "channel": "self"]).status == .unprocessableEntity)
            let visit = try await h.send(.POST, path + "/\(wang.id)/home-visit", token: worker)
            #expect(try visit.content.decode(PensionerRead.self).bedridden)
            _ = try await h.send(.POST, path + "/\(wang.id)/home-visit", token: worker)
            #expect(try await StaffTask.query(on: h.app.db).filter(\.$title == "gov.task.homeVisit").count() == 1)
            #expect(try await h.send(.GET, "/api/v1/communities/\(h.world.b)/pensioners", token: try await h.token("operatorB"))
                .content.decode(ListPage<PensionerRead>.self).items.isEmpty)
            #expect(try await h.send(.POST, "/api/v1/communities/\(h.world.b)/pensioners/\(wang.id)/home-visit", token: try await h.token("operatorB")).status == .notFound)
        }
    }

    @Test func theCommunitysSignsOfLifeStandBesideEachPensioner() async throws {
        try await withLinli { h in
            let csv = "name,id_last4,phone,last_authenticated\n王建华,123X,13900000001,2025-10-01\n外人,0001,13712345678,2026-03-01\n"
            #expect(try await h.send(
                .POST, h.community + "/pensioners/import", token: try await h.token("worker"), raw: csv,
                contentType: HTTPMediaType(type: "text", subType: "csv")).status == .created)
            _ = try await h.token("owner")  // a sign-in
            let watch = CareWatch()
            watch.communityID = h.world.a
            watch.personID = h.world.owner
            watch.windowMinutes = 720
            watch.consentBy = "self"
            watch.consentRecordedBy = h.world.owner
            watch.consentAt = h.clock.now()
            watch.watchedSince = h.clock.now()
            watch.active = true
            watch.nextLookAt = h.clock.now().addingTimeInterval(86_400)
            watch.updatedAt = h.clock.now()
            watch.lastCheckInAt = h.clock.now().addingTimeInterval(-3_600)
            try await watch.create(on: h.app.db)
            let list = try await h.send(.GET, h.community + "/pensioners", token: try await h.token("worker")).content.decode(ListPage<PensionerRead>.self)
            let wang = try #require(list.items.first { $0.name == "王建华" })
            #expect(Set(wang.signs.map(\.source)) == ["sign_in", "check_in"])
            #expect(wang.signs.first?.source == "sign_in" && wang.signs.last?.at == h.clock.now().addingTimeInterval(-3_600))
            #expect(list.items.first { $0.name == "外人" }?.signs.isEmpty == true)
        }
    }
}
