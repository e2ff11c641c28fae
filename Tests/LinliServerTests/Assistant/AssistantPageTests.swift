import Fluent
import Foundation
import LinliCore
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

/// The assistant's pages as a browser uses them: a worker imports a document with the console's form
/// (a bad line named in the page's message, nothing stored), a resident asks on `/ask`, hands the
/// question to a person, and the worker replies from the questions tab.
@Suite struct AssistantPageTests {
    typealias Browser = WebTests.Browser

    @Test func aWorkerImportsAndRepliesFromTheConsoleAndAResidentAsksOnTheirPhone() async throws {
        try await withLinli { h in
            let worker = Browser(h)
            try await worker.signIn(h.world.phones["worker"]!)
            let tab = try await worker.go(.GET, "/console/\(h.world.a)/questions")
            #expect(tab.status == .ok)
            let fields = ["_csrf": worker.csrf(tab), "key": "rules", "title": "小区管理规约", "kind": "rules", "format": "markdown"]
            let bad = try await worker.upload("/console/\(h.world.a)/knowledge", fields: fields, file: (name: "file", type: "text/markdown", text: "问：养狗要登记吗？\n"))
            #expect(bad.status == .seeOther)
            #expect(try await worker.go(.GET, "/console/\(h.world.a)/questions").text.contains("第 1 行"))
            #expect(try await h.count(KnowledgeCollection.self) == 0)
            let good = try await worker.upload(
                "/console/\(h.world.a)/knowledge", fields: fields,
                file: (name: "file", type: "text/markdown", text: "# 宠物\n问：养狗要登记吗？\n答：养犬须到社区登记并办理犬证，出门牵绳。\n"))
            #expect(good.status == .seeOther)
            #expect(try await worker.go(.GET, "/console/\(h.world.a)/questions").text.contains("小区管理规约"))

            let resident = Browser(h)
            try await resident.signIn(h.world.phones["owner"]!)
            let ask = try await resident.go(.GET, "/ask")
            #expect(ask.text.contains("养狗要登记吗？"))  // a common question, as a button
            let asked = try await resident.go(.POST, "/ask", form: ["_csrf": resident.csrf(ask), "question": "<script>阳台能封吗</script>"])
            let answer = try await resident.go(.GET, asked.headers.first(name: .location) ?? "")
            #expect(answer.status == .ok && !answer.text.contains("<script>阳台") && answer.text.contains("&lt;script&gt;"))
            let handoff = answer.text.range(of: #"action="(/ask/[^"]+/handoff)""#, options: .regularExpression).map { String(answer.text[$0]).dropFirst(8).dropLast() }
            let path = try #require(handoff.map(String.init))
            #expect(try await resident.go(.POST, path, form: ["_csrf": resident.csrf(answer)]).status == .seeOther)
            // Someone else cannot open the answer page of this question.
            let neighbour = Browser(h)
            try await neighbour.signIn(h.world.phones["neighbour"]!)
            #expect(try await neighbour.go(.GET, asked.headers.first(name: .location) ?? "").status == .notFound)

            let open = try await worker.go(.GET, "/console/\(h.world.a)/questions")
            #expect(open.text.contains("&lt;script&gt;阳台能封吗"))
            let reply = try #require(open.text.range(of: #"/console/[^"]+/questions/[^"]+/reply"#, options: .regularExpression).map { String(open.text[$0]) })
            #expect(try await worker.go(.POST, reply, form: ["_csrf": worker.csrf(open), "reply": "阳台封闭须经业主大会同意并报物业备案。", "faq": "1"]).status == .seeOther)
            #expect(try await resident.go(.GET, "/ask").text.contains("阳台封闭须经业主大会同意"))
        }
    }
}
