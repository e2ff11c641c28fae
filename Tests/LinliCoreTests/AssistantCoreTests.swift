import Foundation
import LinliCore
import Testing

/// The assistant's pure parts: reading Chinese as characters and pairs, BM25 with the term map, the
/// confidence floors, the figures, the excerpt, and documents split into passages.
@Suite struct AssistantCoreTests {
    let passages: [(title: String, text: String)] = [
        ("物业管理条例第七条", "业主在物业管理活动中，应当按时交纳物业服务费用。"),
        ("民法典第一千二百五十四条", "禁止从建筑物中抛掷物品。从建筑物中抛掷物品造成他人损害的，由侵权人依法承担侵权责任。"),
        ("老年人权益保障法第十四条", "赡养人应当履行对老年人经济上供养、生活上照料和精神上慰藉的义务。"),
    ]

    @Test func punctuationBreaksPairsAndFullWidthLettersFold() {
        #expect(QAText.bigrams("物业，费").map(QAText.string) == ["物业"])
        #expect(QAText.unigrams("ＡＢ１ 号").map(QAText.string) == ["a", "b", "1", "号"])
        #expect(QAText.term("物业").map(QAText.string) == "物业" && QAText.term("物业费") == nil && QAText.term("，") == nil)
    }

    @Test func searchRanksByTheQuestionsWordsAndTheMapBridgesLayWords() throws {
        let index = PassageIndex(passages: passages)
        #expect(index.search("高空抛物砸伤人谁负责").hits.first?.passage == 1)
        #expect(index.search("物业费必须交吗").hits.first?.passage == 0)
        #expect(index.search("天气").hits.isEmpty)
        // The asking alone matches nothing: a question phrased like an FAQ does not find it for that.
        let faq = PassageIndex(passages: passages + [(title: "楼上装修太吵怎么办？", text: "装修时间为工作日白天。")])
        #expect(faq.search("怎么样呢？").hits.isEmpty)
        #expect(faq.search("往下抛掷东西怎么办").hits.first?.passage == 1)
        // 养老 as a pair occurs nowhere; the map sends it to 赡养 and 老年.
        let map = try TermMap(parsing: "养老\t赡养 3.0 老年 2.0\n")
        let plain = index.search("儿子不管养老").hits.first { $0.passage == 2 }?.score ?? 0
        let bridged = try #require(index.search("儿子不管养老", map: map).hits.first)
        #expect(bridged.passage == 2 && bridged.score > plain)
        #expect(index.contains(QAText.term("抛掷")!, passage: 1) && !index.contains(QAText.term("抛掷")!, passage: 0))
        let ranking = index.search("物业费用按时交纳", map: map)
        #expect(index.coverage(of: ranking, passage: 0) > 0.5 && ranking.margin > 0)
    }

    @Test func theMapIsMinedFromAnsweredQuestionsAndRoundTrips() throws {
        let passages = self.passages + (1...9).map { (title: "其他规定第\($0)条", text: "本规定第\($0)条的内容与家庭无关。") }
        let index = PassageIndex(passages: passages)
        let pairs: [(question: String, answers: [Int])] = [("老人没人养老", [2]), ("父母养老谁负责", [2]), ("物业费", [0])]
        var rules = TermMap.Rules()
        rules.perTerm = 100
        let map = TermMap.mine(pairs: pairs, passages: passages, index: index, rules: rules)
        let toElderly = map.expansions(of: QAText.term("养老")!).map { QAText.string($0.term) }
        #expect(toElderly.contains("赡养"))
        #expect(map.expansions(of: QAText.term("物业")!).isEmpty)  // one question only
        let again = try TermMap(parsing: map.serialized())
        #expect(again.serialized() == map.serialized())
        #expect(throws: TermMap.Malformed(line: 2)) { try TermMap(parsing: "养老\t赡养 1.0\n养老 赡养\n") }
        #expect(throws: TermMap.Malformed(line: 1)) { try TermMap(parsing: "养老\t赡养 nan\n") }
        let model = AssistantModel(map: map, confidence: Confidence(minMargin: 1.5, minCoverage: 0.4))
        let text = model.serialized()
        #expect(try AssistantModel(parsing: text).serialized() == text)
        #expect(try AssistantModel(parsing: text).confidence == model.confidence)
    }

    @Test func confidenceFloorsKeepTheTopPassageRightAndFiguresCount() {
        var samples: [Confidence.Sample] = []
        for n in 0..<200 { samples.append(.init(margin: Float(n) / 100, coverage: 0.6, correct: n >= 100 || n % 3 == 0)) }
        let fitted = try! #require(Confidence.fit(samples, precision: 0.85, minSupport: 30))
        let kept = samples.filter { fitted.isConfident(margin: $0.margin, coverage: $0.coverage) }
        #expect(kept.count >= 90 && Double(kept.filter(\.correct).count) / Double(kept.count) >= 0.9)
        #expect(Confidence.fit(samples.map { .init(margin: $0.margin, coverage: $0.coverage, correct: false) }) == nil)
        let figures = RetrievalFigures(ranked: [["a", "b"], ["c", "d"], ["e"]], relevant: [["a"], ["d"], ["x"]])
        #expect(figures.questions == 3 && abs(figures.recallAt1 - 1.0 / 3) < 1e-9 && abs(figures.recallAt10 - 2.0 / 3) < 1e-9)
        #expect(abs(figures.mrrAt10 - 0.5) < 1e-9)
    }

    @Test func theExcerptLeadsWithTheBestSentenceAndMarksTheWords() {
        let excerpt = Excerpt(of: "禁止从建筑物中抛掷物品。造成他人损害的，由侵权人承担责任。", for: "谁承担责任")
        #expect(excerpt.text.hasPrefix("造成他人损害的"))
        let marked = excerpt.runs.filter(\.marked).map(\.text)
        #expect(marked.contains("承担责任"))
        let long = Excerpt(of: String(repeating: "很长的句子", count: 100), for: "句子", limit: 20)
        #expect(long.text.unicodeScalars.count == 20 && long.text.hasSuffix("…"))
    }

    @Test func documentsSplitIntoArticlesQuestionsAndParagraphs() throws {
        let law = try KnowledgeText.parse("# 物业管理条例\n## 第一章 总则\n第一条 为了规范物业管理活动，制定本条例。\n第二条 本条例所称物业管理，是指：\n（一）维修；\n（二）养护。\n第十条之一 补充。", format: .markdown)
        #expect(law.map(\.article) == ["第一条", "第二条", "第十条之一"])
        #expect(law[1].text == "本条例所称物业管理，是指：\n（一）维修；\n（二）养护。" && law[0].heading == "第一章 总则")
        let faq = try KnowledgeText.parse("# 物业费\n问：物业费多少钱？\n答：每月每平方米 2.50 元。\n\nQ: 几点上班？\nA: 8:30。", format: .text)
        #expect(faq.map(\.question) == ["物业费多少钱？", "几点上班？"] && faq[0].heading == "物业费" && faq[0].line == 2)
        let notice = try KnowledgeText.parse("# 停水通知\n明天 9 点停水。\n\n请提前储水。", format: .markdown)
        #expect(notice.count == 2 && notice.allSatisfy { $0.heading == "停水通知" })
        #expect(throws: KnowledgeText.Failure(line: 1, reason: "answer_missing")) { try KnowledgeText.parse("问：甲？\n问：乙？\n答：丙。", format: .text) }
        #expect(throws: KnowledgeText.Failure(line: 1, reason: "question_missing")) { try KnowledgeText.parse("答：没有问题。", format: .text) }
        #expect(throws: KnowledgeText.Failure(line: 2, reason: "line_too_long")) {
            try KnowledgeText.parse("第一条 短。\n" + String(repeating: "长", count: 5_001), format: .text)
        }
        #expect(throws: KnowledgeText.Failure(line: 1, reason: "empty")) { try KnowledgeText.parse("\n\n", format: .text) }
        let lines = try KnowledgeText.parse("{\"article\":\"第一条\",\"text\":\"甲。\"}\n\n{\"question\":\"乙？\",\"text\":\"丙。\"}", format: .jsonLines)
        #expect(lines.map(\.line) == [1, 3] && lines[1].question == "乙？")
        #expect(throws: KnowledgeText.Failure(line: 2, reason: "missing_field")) { try KnowledgeText.parse("{\"text\":\"甲\"}\n{\"title\":\"乙\"}", format: .jsonLines) }
        #expect(throws: KnowledgeText.Failure(line: 1, reason: "duplicate_key")) { try KnowledgeText.parse("{\"text\":\"甲\",\"text\":\"乙\"}", format: .jsonLines) }
    }
}
