import Crypto
import Fluent
import Foundation
import LinliCore
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

/// The senior university's draw: the seed's hash published first, the seed revealed at the draw, and the
/// order recomputed here from the seed alone equals the published one; parallel applications and
/// parallel draws count once.
@Suite struct CourseDrawTests {
    @Test func theDrawIsPublicCheckableAndHappensOnce() async throws {
        try await withLinli { h in
            let worker = try await h.token("worker")
            let now = h.clock.now()
            let made = try await h.send(
                .POST, h.community + "/courses", token: worker,
                json: [
                    "title": "书法入门", "teacher": "陈老师", "schedule": "周三 9:00–11:00", "term": "2027 春", "seats": "2",
                    "opensAt": Harness.iso.string(from: now.addingTimeInterval(-60)), "closesAt": Harness.iso.string(from: now.addingTimeInterval(86_400)),
                ])
            // `seats` went as a string: refused by the body's schema.
            #expect(made.status == .badRequest)
            let body = #"{"title":"书法入门","teacher":"陈老师","schedule":"周三 9:00–11:00","term":"2027 春","seats":2,"opensAt":"\#(Harness.iso.string(from: now.addingTimeInterval(-60)))","closesAt":"\#(Harness.iso.string(from: now.addingTimeInterval(86_400)))"}"#
            let course = try await h.send(.POST, h.community + "/courses", token: worker, raw: body).content.decode(CourseRead.self)
            #expect(course.seed == nil && course.seedHash.count == 64)
            let people = try await h.residents(6, birthYear: 1948)
            let first = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for _ in 0..<5 { group.addTask { try await h.send(.POST, "/api/v1/courses/\(course.id)/application", token: people[0].token).status } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(first.filter { $0 == .created }.count == 1 && first.filter { $0 == .conflict }.count == 4)
            for (_, token) in people.dropFirst() {
                #expect(try await h.send(.POST, "/api/v1/courses/\(course.id)/application", token: token).status == .created)
            }
            #expect(try await h.send(.POST, "/api/v1/courses/\(course.id)/application", token: try await h.token("bResident")).status == .notFound)
            let early = try await h.send(.POST, h.community + "/courses/\(course.id)/draw", token: worker)
            #expect(early.status == .conflict)
            h.clock.advance(by: 86_401)
            let draws = try await withThrowingTaskGroup(of: (HTTPStatus, String).self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        let r = try await h.send(.POST, h.community + "/courses/\(course.id)/draw", token: worker)
                        return (r.status, r.text)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(draws.filter { $0.0 == .ok }.count == 1 && draws.filter { $0.0 == .conflict }.count == 3)
            let published = try await h.send(.GET, h.community + "/courses/\(course.id)/draw", token: try await h.token("neighbour"))
                .content.decode(DrawRead.self)
            // Recomputed here from the seed, without the server's code: SHA-256(seed:id), u, −ln(u)/weight.
            #expect(published.seedHash == SHA256.hash(data: Data(published.seed.utf8)).map { String(format: "%02x", $0) }.joined())
            let recomputed = published.entries.map { e -> (UUID, Double) in
                let digest = Array(SHA256.hash(data: Data((published.seed + ":" + e.applicationID.uuidString).utf8)))
                let x = digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                return (e.applicationID, -log((Double(x) + 0.5) / pow(2, 64)) / e.weight)
            }.sorted { $0.1 < $1.1 }.map(\.0)
            #expect(published.entries.sorted { $0.rank < $1.rank }.map(\.applicationID) == recomputed)
            #expect(published.entries.filter(\.admitted).count == 2 && published.entries.allSatisfy { $0.weight == 2 })
            let listed = try await h.send(.GET, h.community + "/courses", token: try await h.token("owner")).content.decode(ListPage<CourseRead>.self)
            #expect(listed.items.first?.seed == published.seed)
        }
    }

    @Test func theCoursesPageAndTheConsolesCoursesAndPensionersTabs() async throws {
        try await withLinli { h in
            let worker = WebTests.Browser(h)
            try await worker.signIn("13800000003")
            let tab = try await worker.go(.GET, "/console/\(h.world.a)/courses")
            #expect(tab.status == .ok)
            let made = try await worker.go(
                .POST, "/console/\(h.world.a)/courses",
                form: [
                    "_csrf": worker.csrf(tab), "title": "智能手机课", "teacher": "李老师", "schedule": "周五 14:00", "term": "2027 春", "seats": "1",
                    "opensAt": "2026-09-21T00:00", "closesAt": "2026-09-22T00:00",
                ])
            #expect(made.status == .seeOther)
            let owner = WebTests.Browser(h)
            try await owner.signIn("13900000001")
            let page = try await owner.go(.GET, "/courses")
            #expect(page.status == .ok && page.text.contains("智能手机课") && page.text.contains("正在报名"))
            let course = try #require(try await Course.query(on: h.app.db).first())
            let applied = try await owner.go(.POST, "/courses/\(course.id!)/application", form: ["_csrf": owner.csrf(page)])
            #expect(applied.status == .seeOther)
            #expect(try await owner.go(.GET, "/courses").text.contains("您已报名"))
            let stranger = WebTests.Browser(h)
            try await stranger.signIn("13900000009")
            #expect(try await stranger.go(.POST, "/courses/\(course.id!)/application", form: ["_csrf": owner.csrf(page)]).status != .seeOther)
            #expect(!(try await stranger.go(.GET, "/courses").text.contains("智能手机课")))
            h.clock.advance(by: 86_400)
            let closed = try await worker.go(.GET, "/console/\(h.world.a)/courses")
            #expect(closed.text.contains("/draw"))
            #expect(try await worker.go(.POST, "/console/\(h.world.a)/courses/\(course.id!)/draw", form: ["_csrf": worker.csrf(closed)]).status == .seeOther)
            let result = try await owner.go(.GET, "/courses")
            #expect(result.text.contains("已录取（第 1 位）") && result.text.contains(course.seed))
            // The pensioners tab: the bureau's list imported on the page (a bad one refused whole), then recorded.
            let empty = try await worker.go(.GET, "/console/\(h.world.a)/pensioners")
            let refused = try await worker.go(
                .POST, "/console/\(h.world.a)/pensioners/import",
                form: ["_csrf": worker.csrf(empty), "csv": "name,id_last4,phone,last_authenticated\n王建华,12,13900000001,2025-09-01\n"])
            #expect(refused.status == .seeOther)
            #expect(try await h.count(Pensioner.self) == 0)
            #expect(try await worker.go(.GET, "/console/\(h.world.a)/pensioners").text.contains("第 2 行"))
            let imported = try await worker.go(
                .POST, "/console/\(h.world.a)/pensioners/import",
                form: ["_csrf": worker.csrf(empty), "csv": "name,id_last4,phone,last_authenticated\n王建华,123X,13900000001,2025-09-01\n"])
            #expect(imported.status == .seeOther)
            #expect(try await h.count(Pensioner.self) == 1)
            let list = try await worker.go(.GET, "/console/\(h.world.a)/pensioners?due=overdue")
            #expect(list.status == .ok && list.text.contains("王建华") && list.text.contains("已逾期"))
            let pensioner = try #require(try await Pensioner.query(on: h.app.db).first())
            let path = "/console/\(h.world.a)/pensioners/\(pensioner.id!)/authentication"
            #expect(try await worker.go(.POST, path, form: ["_csrf": worker.csrf(list), "on": "2030-01-01", "channel": "self"]).status == .unprocessableEntity)
            #expect(try await worker.go(.POST, path, form: ["_csrf": worker.csrf(list), "on": "2026-09-22", "channel": "family"]).status == .seeOther)
            #expect(try await Pensioner.find(pensioner.id, on: h.app.db)?.lastAuthenticatedOn == "2026-09-22")
            #expect(try await worker.go(.POST, path, form: ["_csrf": worker.csrf(list), "visit": "1"]).status == .seeOther)
            #expect(try await StaffTask.query(on: h.app.db).filter(\.$title == "gov.task.homeVisit").count() == 1)
            let guardian = WebTests.Browser(h)
            try await guardian.signIn("13800000002")
            #expect(try await guardian.go(.GET, "/console/\(h.world.a)/pensioners").status == .forbidden)
        }
    }
}
