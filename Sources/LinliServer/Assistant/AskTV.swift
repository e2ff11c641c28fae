import Fluent
import Foundation
import LinliCore
import Vapor

/// The assistant's TV screen: the community's common questions (its FAQ collections) by category — no
/// typing on a TV — each asked of the assistant like any question (recorded with channel `tv` and the
/// box) and answered in big text, read aloud with 0.
enum AskTV {
    static let name = "ask"

    static func register(_ app: Application) {
        app.tvScreens.add(name, order: 80, show: show)
    }

    /// The current FAQ passages of the community (and the platform's), in their collections' order.
    static func questions(_ community: UUID, on db: any Database) async throws -> [KnowledgePassage] {
        let collections = try await KnowledgeCollection.query(on: db).filter(\.$kind == "faq")
            .group(.or) { $0.filter(\.$communityID == community).filter(\.$communityID == nil) }.sort(\.$title).all()
        var out: [KnowledgePassage] = []
        for collection in collections {
            guard let id = collection.id else { continue }
            out += try await KnowledgePassage.query(on: db).filter(\.$collectionID == id).filter(\.$version == collection.version)
                .sort(\.$position).limit(200).all().filter { !$0.question.isEmpty }
        }
        return out
    }

    static func categories(_ all: [KnowledgePassage]) -> [String] {
        var seen: Set<String> = []
        return all.map { $0.heading.isEmpty ? "—" : $0.heading }.filter { seen.insert($0).inserted }
    }

    @Sendable static func show(_ req: Request, _ viewer: TVViewer, _ item: String?) async throws -> TVScreen {
        let all = try await questions(viewer.community, on: req.db)
        let topics = categories(all)
        if let item {
            guard let passage = all.first(where: { $0.id?.uuidString == item }) else { throw LinliError(.notFound) }
            let topic = topics.firstIndex(of: passage.heading.isEmpty ? "—" : passage.heading) ?? 0
            let asked = try await Answers.ask(
                passage.question, .init(person: viewer.person, community: viewer.community, channel: "tv", device: viewer.device),
                app: req.application, now: req.clock.now(), today: req.today, on: req.db)
            var screen = TVScreen(name: name, title: passage.question)
            screen.back = TVScreens.query(TVPaths.screen(name), "topic", "\(topic)")
            screen.backFocus = "question-\(item)"
            guard let first = asked.answers.first, let answer = try await KnowledgePassage.find(first.passageID, on: req.db) else {
                screen.lead = req.t("qa.tv.noAnswer")
                return screen
            }
            screen.lead = asked.confident ? req.t("qa.tv.answer") : req.t("qa.tv.maybe")
            screen.paragraphs = sentences(answer.text)
            screen.items = [TVItem(id: "answer-read", label: req.t("qa.tv.readAll"), detail: first.source.title, speak: answer.text)]
            return screen
        }
        if let raw = req.query[String.self, at: "topic"] {
            guard let index = Int(raw), topics.indices.contains(index) else { throw LinliError(.notFound) }
            var screen = TVScreen(name: name, title: topics[index])
            screen.back = TVPaths.screen(name)
            screen.backFocus = "topic-\(index)"
            screen.items = all.filter { ($0.heading.isEmpty ? "—" : $0.heading) == topics[index] }.compactMap { passage in
                guard let id = passage.id else { return nil }
                return TVItem(id: "question-\(id)", label: passage.question, href: TVPaths.item(name, id))
            }
            return screen
        }
        var screen = TVScreen(name: name, title: req.t("tv.tile.ask"))
        screen.lead = topics.isEmpty ? req.t("qa.tv.none") : req.t("qa.tv.lead")
        screen.items = topics.enumerated().map { index, topic in
            TVItem(id: "topic-\(index)", label: topic, href: TVScreens.query(TVPaths.screen(name), "topic", "\(index)"))
        }
        return screen
    }

    /// The answer in pieces of about two sentences, each a line the focus can stop on and read aloud.
    static func sentences(_ text: String) -> [String] {
        var pieces: [String] = []
        var current = ""
        for character in text {
            current.append(character)
            if "。！？!?".contains(character), current.count >= 40 {
                pieces.append(current.trimmingCharacters(in: .whitespacesAndNewlines))
                current = ""
            }
        }
        let rest = current.trimmingCharacters(in: .whitespacesAndNewlines)
        if !rest.isEmpty { pieces.append(rest) }
        return pieces
    }
}
