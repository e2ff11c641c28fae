import Fluent
import Foundation
import LinliCore
import Vapor

/// The demo's knowledge base: the statute articles residents ask about (shipped in
/// `Resources/Assistant/knowledge/`, from STARD), for every community, and 礼嘉智慧小区's own questions
/// and answers; with a few questions already asked, one waiting for a worker and one answered.
extension Assistant {
    struct ManifestEntry: Decodable {
        let key: String
        let title: String
        let issuer: String
        let effectiveOn: String
        let file: String
    }

    /// `Resources/Assistant/knowledge/` under `LINLI_ROOT` or the working directory, as the server finds it.
    static var knowledgeDirectory: String {
        let root = Environment.get("LINLI_ROOT").map { $0.hasSuffix("/") ? $0 : $0 + "/" } ?? DirectoryConfiguration.detect().workingDirectory
        return root + "Resources/Assistant/knowledge/"
    }

    static func seedDemo(_ world: DemoWorld, on db: any Database) async throws {
        let folder = knowledgeDirectory
        guard let data = FileManager.default.contents(atPath: folder + "manifest.json") else { return }
        let manifest = try JSONDecoder().decode([ManifestEntry].self, from: data)
        let operatorID = world.staffMember(.operator_)
        for law in manifest {
            guard let text = FileManager.default.contents(atPath: folder + law.file) else { continue }
            _ = try await KnowledgeBase.importDocument(
                KnowledgeImport(
                    key: law.key, title: law.title, kind: "law", issuer: law.issuer, effectiveOn: law.effectiveOn, link: nil, format: "jsonl",
                    content: String(decoding: text, as: UTF8.self)), community: nil, by: nil, now: world.now, on: db)
        }
        if let faq = FileManager.default.contents(atPath: folder + "demo-faq.md") {
            _ = try await KnowledgeBase.importDocument(
                KnowledgeImport(
                    key: "community-faq", title: "礼嘉智慧小区常见问题", kind: "faq", issuer: "礼嘉智慧小区物业服务中心", effectiveOn: nil,
                    link: nil, format: "markdown", content: String(decoding: faq, as: UTF8.self)),
                community: world.community, by: operatorID, now: world.now, on: db)
        }
        // Two questions already asked by a resident: one handed to a worker and waiting, one answered.
        guard let resident = try await Person.query(on: db).filter(\.$phone == "13900000001").first()?.id else { return }
        // Asked as the server would answer them, so their topics and confidence are the real ones.
        let indexes = KnowledgeIndexes()
        let model = QAFiles.model(at: folder + "../model.tsv") ?? .untrained
        let today = Calendar.chinaDate(world.now)
        for (offset, text, reply) in [
            (-3 * 86_400.0, "小区的快递柜坏了找谁？", "快递柜由快递公司维护，物业已报修，预计本周五修好；期间可到物业中心代收。"),
            (-3_600.0, "楼下烧烤店油烟很大，能投诉吗？", nil),
        ] {
            let asked = world.now.addingTimeInterval(offset)
            let found = try await Answers.find(text, community: world.community, indexes: indexes, model: model, today: today, on: db)
            let question = AskedQuestion()
            question.communityID = world.community
            question.personID = resident
            question.text = text
            question.confident = found.confident
            question.topic = found.topic
            question.topPassageID = found.top
            question.askedAt = asked
            try await question.create(on: db)
            let consultation = try await Answers.handOff(question, now: asked, on: db)
            if let reply {
                try await Answers.reply(consultation, text: reply, saveAsFAQ: false, by: world.staffMember(.communityWorker), now: asked.addingTimeInterval(7_200), on: db)
            }
        }
    }
}
