import Fluent
import Foundation
import LinliCore
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

/// The Q&A assistant over HTTP: documents imported, replaced whole and expired; the cut-off (a question
/// far from everything is not confident and offers a person); the hand-off to a worker and the reply back,
/// saved as an FAQ that then answers; one community's knowledge and questions invisible to another; bad
/// input refused with its line.
@Suite struct AssistantTests {
    static let law = """
        # 物业管理条例
        第一条 为了规范物业管理活动，维护业主和物业服务企业的合法权益，制定本条例。
        第七条 业主在物业管理活动中，应当按时交纳物业服务费用。
        第五十四条 住宅专项维修资金属于业主所有，专项用于物业保修期满后物业共用部位、共用设施设备的维修和更新、改造。
        """

    static let faq = """
        # 办事
        问：居委会几点上班？
        答：社区居委会周一至周五 9:00—17:30 办公。
        问：快递柜坏了找谁？
        答：请联系物业中心报修快递柜。
        """

    func importDocument(_ h: Harness, key: String, title: String, kind: String, format: String = "markdown", content: String,
        expiresOn: String? = nil, token: String? = nil) async throws -> TestingHTTPResponse
    {
        var body: [String: String] = ["key": key, "title": title, "kind": kind, "format": format, "content": content, "issuer": "国务院"]
        if let expiresOn { body["expiresOn"] = expiresOn }
        var bearer = token
        if bearer == nil { bearer = try await h.token("worker") }
        return try await h.send(.POST, h.community + "/qa/collections", token: bearer, json: body)
    }

    func problem(_ r: TestingHTTPResponse) throws -> Problem {
        try JSONDecoder().decode(Problem.self, from: Data(buffer: r.body))
    }

    func ask(_ h: Harness, _ question: String, token: String) async throws -> AskRead {
        let r = try await h.send(.POST, "/api/v1/qa/ask", token: token, json: ["question": question])
        #expect(r.status == .ok, "\(r.text)")
        return try r.content.decode(AskRead.self)
    }

    @Test func importsReplaceWholeVersionsAndExpiredDocumentsAreNotUsed() async throws {
        try await withLinli { h in
            let first = try await importDocument(h, key: "property-rules", title: "物业管理条例", kind: "law", content: Self.law)
            #expect(first.status == .created, "\(first.text)")
            let v1 = try first.content.decode(Assistant.CollectionRead.self)
            #expect(v1.version == 1 && v1.passages == 3)
            let owner = try await h.token("owner")
            let answer = try await ask(h, "物业费要按时交吗", token: owner)
            #expect(answer.answers.first?.source.article == "第七条" && answer.answers.first?.source.title == "物业管理条例")
            #expect(answer.answers.first?.marks.isEmpty == false)
            // Version 2 has other articles: the old ones are gone, never mixed with the new.
            let second = try await importDocument(
                h, key: "property-rules", title: "物业管理条例", kind: "law", content: "第八条 物业服务费用由业主按照合同约定交纳。\n第九条 业主大会决定维修资金的使用。")
            #expect(try second.content.decode(Assistant.CollectionRead.self).version == 2)
            let after = try await ask(h, "物业费要按时交吗", token: owner)
            #expect(after.answers.allSatisfy { $0.source.article != "第七条" && $0.source.article != "第一条" })
            #expect(try await KnowledgePassage.query(on: h.app.db).count() == 2)
            // Imports of one key at once: each answer is a whole version, and one version's passages remain.
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for n in 0..<4 {
                    group.addTask {
                        try await importDocument(h, key: "property-rules", title: "物业管理条例", kind: "law", content: "第\(n + 1)条 版本\(n)的内容。\n第二十条 另一条。").status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0 == .created || $0 == .conflict } && statuses.contains(.created))
            let row = try #require(try await KnowledgeCollection.query(on: h.app.db).filter(\.$key == "property-rules").first())
            let passages = try await KnowledgePassage.query(on: h.app.db).filter(\.$collectionID == row.id!).all()
            #expect(passages.count == 2 && passages.allSatisfy { $0.version == row.version })
            // An expired document stops answering the day after it expires.
            _ = try await importDocument(h, key: "winter", title: "冬季供暖通知", kind: "notice", content: "今年冬季集中供暖从十一月十五日开始。", expiresOn: "2026-09-22")
            #expect(try await ask(h, "冬季供暖什么时候开始", token: owner).answers.first?.source.title == "冬季供暖通知")
            h.clock.advance(by: 3 * 86_400)
            #expect(try await ask(h, "冬季供暖什么时候开始", token: owner).answers.allSatisfy { $0.source.title != "冬季供暖通知" })
            // Residents do not import; another community's operator does not see the community.
            #expect(try await importDocument(h, key: "x", title: "x", kind: "law", content: "第一条 x。", token: owner).status == .forbidden)
            #expect(try await importDocument(h, key: "x", title: "x", kind: "law", content: "第一条 x。", token: try await h.token("operatorB")).status == .notFound)
        }
    }

    @Test func badInputIsRefusedWithItsLine() async throws {
        try await withLinli { h in
            let owner = try await h.token("owner")
            #expect(try await h.send(.POST, "/api/v1/qa/ask", token: owner, json: ["question": "  "]).status == .unprocessableEntity)
            let long = try await h.send(.POST, "/api/v1/qa/ask", token: owner, json: ["question": String(repeating: "物业", count: 5_000)])
            #expect(long.status.code >= 400 && long.status.code < 500 && long.text.contains("\"code\""), "\(long.status) \(long.text.prefix(200))")
            let jsonl = "{\"article\":\"第一条\",\"text\":\"好的一条。\"}\n\n{\"article\":\"第二条\",\"text\":\"第二条。\"}\nnot json\n"
            let bad = try await importDocument(h, key: "bad", title: "坏文件", kind: "law", format: "jsonl", content: jsonl)
            #expect(bad.status == .unprocessableEntity)
            let refused = try problem(bad)
            #expect(refused.errors?.first?.line == 4 && refused.errors?.first?.reason == "qa_not_json")
            let deep = try await importDocument(h, key: "bad", title: "坏文件", kind: "law", format: "jsonl", content: String(repeating: "[", count: 200))
            #expect(try problem(deep).errors?.first?.reason == "qa_too_deep")
            let noAnswer = try await importDocument(h, key: "bad", title: "坏问答", kind: "faq", content: "问：第一个问题？\n答：回答。\n问：没有回答的问题？\n")
            #expect(try problem(noAnswer).errors?.first?.line == 3)
            let badKey = try await importDocument(h, key: "有 空格", title: "x", kind: "poem", content: "x")
            #expect(badKey.status == .unprocessableEntity && badKey.text.contains("key") && badKey.text.contains("kind"))
            // Nothing of the refused imports was stored.
            #expect(try await h.count(KnowledgeCollection.self) == 0)
            #expect(try await h.count(KnowledgePassage.self) == 0)
        }
    }

    @Test func farQuestionsAreNotConfidentAndAPersonAnswersOnceAndTheAnswerIsLearned() async throws {
        try await withLinli { h in
            _ = try await importDocument(h, key: "property-rules", title: "物业管理条例", kind: "law", content: Self.law)
            _ = try await importDocument(h, key: "faq", title: "社区问答", kind: "faq", content: Self.faq)
            let owner = try await h.token("owner")
            let far = try await ask(h, "明天会下雨吗", token: owner)
            #expect(far.confident == false && far.handoff?.path == "/api/v1/qa/questions/\(far.questionID)/handoff")
            let near = try await ask(h, "居委会几点上班？", token: owner)
            #expect(near.confident && near.handoff == nil && near.answers.first?.excerpt.contains("9:00") == true)
            // Someone else cannot hand off, or rate, this resident's question.
            let neighbour = try await h.token("neighbour")
            #expect(try await h.send(.POST, far.handoff!.path, token: neighbour).status == .notFound)
            #expect(try await h.send(.POST, "/api/v1/qa/questions/\(far.questionID)/feedback", token: neighbour, json: ["helpful": false]).status == .notFound)
            let question = "小区停车位可以出租给外人吗"
            let asked = try await ask(h, question, token: owner)
            let handoffs = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for _ in 0..<4 { group.addTask { try await h.send(.POST, asked.handoff!.path, token: owner).status } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(handoffs.filter { $0 == .created }.count == 1 && handoffs.filter { $0 == .conflict }.count == 3)
            let task = try #require(try await StaffTask.query(on: h.app.db).filter(\.$title == "task.qa.consultation").first())
            #expect(task.role == .communityWorker && task.status == .open)
            let worker = try await h.token("worker")
            let open = try await h.send(.GET, h.community + "/qa/consultations?status=open", token: worker).content.decode(ListPage<Assistant.ConsultationRead>.self)
            let consultation = try #require(open.items.first)
            #expect(consultation.question == question)
            #expect(try await h.send(.GET, "/api/v1/communities/\(h.world.b)/qa/consultations", token: try await h.token("operatorB")).content
                .decode(ListPage<Assistant.ConsultationRead>.self).items.isEmpty)
            let reply = "小区车位应当首先满足本小区业主的需要，暂时不能出租给小区外的人。"
            let path = h.community + "/qa/consultations/\(consultation.id)/reply"
            let replies = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for _ in 0..<3 {
                    group.addTask { try await h.send(.POST, path, token: worker, raw: #"{"reply":"\#(reply)","saveAsFAQ":true}"#).status }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(replies.filter { $0 == .ok }.count == 1 && replies.filter { $0 == .conflict }.count == 2)
            #expect(try await StaffTask.find(task.id, on: h.app.db)?.status == .done)
            let mine = try await h.send(.GET, "/api/v1/qa/consultations", token: owner).content.decode(ListPage<Assistant.ConsultationRead>.self)
            #expect(mine.items.first?.reply == reply && mine.items.first?.savedAsFAQ == true)
            #expect(try await LinliServer.Notification.query(on: h.app.db).filter(\.$personID == h.world.owner).filter(\.$title == "qa.note.replied").count() == 1)
            // The knowledge base learned it: the same question is now answered by the worker's reply.
            let again = try await ask(h, question, token: owner)
            #expect(again.confident && again.answers.first?.excerpt.hasPrefix("小区车位") == true)
            // Another community does not see this community's knowledge.
            let other = try await ask(h, question, token: try await h.token("bResident"))
            #expect(other.answers.isEmpty && other.confident == false)
            // Not helpful: listed for the workers with its topic.
            #expect(try await h.send(.POST, "/api/v1/qa/questions/\(near.questionID)/feedback", token: owner, json: ["helpful": false]).status == .noContent)
            let unhelpful = try await h.send(.GET, h.community + "/qa/questions?filter=unhelpful", token: worker).content
                .decode(ListPage<Assistant.AskedQuestionRead>.self)
            #expect(unhelpful.items.map(\.text) == ["居委会几点上班？"] && unhelpful.items.first?.topic == "社区问答")
            let unanswered = try await h.send(.GET, h.community + "/qa/questions?filter=unanswered", token: worker).content
                .decode(ListPage<Assistant.AskedQuestionRead>.self)
            #expect(unanswered.items.contains { $0.text == "明天会下雨吗" })
        }
    }
}
