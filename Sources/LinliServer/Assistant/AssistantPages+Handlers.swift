import Fluent
import Foundation
import LinliCore
import Vapor

extension AssistantPages {
    struct Run: Encodable {
        let text: String
        let marked: Bool
    }

    struct AnswerCard: Encodable {
        let title: String
        let runs: [Run]
        let source: String
        let link: String?
    }

    struct AnswerPage: Encodable {
        let question: String
        let confident: Bool
        let cards: [AnswerCard]
        let helpfulYes: Bool
        let helpfulNo: Bool
        let feedbackAction: String
        let handoffAction: String?
        let handedOff: Bool
    }

    static func sourceLine(_ s: KnowledgeSource, _ req: Request) -> String {
        var parts = [s.title + (s.article ?? "")]
        if !s.issuer.isEmpty { parts.append(s.issuer) }
        if let day = s.effectiveOn { parts.append(req.t("qa.effective", ["day": day])) }
        return parts.joined(separator: " · ")
    }

    /// The answers to one's own question, found again from today's knowledge base.
    @Sendable static func answerPage(_ req: Request) async throws -> Response {
        let question = try await Assistant.ownQuestion(req)
        let id = try question.requireID()
        let found = try await Answers.find(question.text, community: question.communityID, app: req.application, today: req.today, on: req.db)
        let cards = found.answers.map { a in
            var runs: [Run] = []
            let scalars = Array(a.excerpt.unicodeScalars)
            var position = 0
            func piece(_ r: Range<Int>) -> String {
                var s = ""
                s.unicodeScalars.append(contentsOf: scalars[r])
                return s
            }
            for mark in a.marks where mark.count == 2 && mark[0] >= position && mark[0] + mark[1] <= scalars.count {
                if mark[0] > position { runs.append(Run(text: piece(position..<mark[0]), marked: false)) }
                runs.append(Run(text: piece(mark[0]..<(mark[0] + mark[1])), marked: true))
                position = mark[0] + mark[1]
            }
            if position < scalars.count { runs.append(Run(text: piece(position..<scalars.count), marked: false)) }
            return AnswerCard(title: a.title, runs: runs, source: sourceLine(a.source, req), link: a.source.link)
        }
        let handedOff = try await Consultation.query(on: req.db).filter(\.$questionID == id).count() > 0
        let response = try await req.render(
            "assistant/answer", title: req.t("qa.title"),
            AnswerPage(
                question: question.text, confident: found.confident, cards: cards, helpfulYes: question.helpful == true, helpfulNo: question.helpful == false,
                feedbackAction: AssistantRoute.feedback(id).path, handoffAction: handedOff ? nil : AssistantRoute.handoff(id).path,
                handedOff: handedOff), keep: false)
        response.headers.cacheControl = .init(noStore: true)
        return response
    }

    @Sendable static func postFeedback(_ req: Request) async throws -> Response {
        struct Form: Content { var helpful: String? }
        let question = try await Assistant.ownQuestion(req)
        let form = try req.content.decode(Form.self)
        guard let value = form.helpful, ["yes", "no"].contains(value) else { throw LinliError.invalid("helpful", "invalid_value") }
        try await Answers.rate(question, helpful: value == "yes", on: req.db)
        req.flash(req.t(value == "yes" ? "qa.thanks" : "qa.sorry"))
        return req.redirect(to: AssistantRoute.answer(try question.requireID()).path)
    }

    @Sendable static func postHandoff(_ req: Request) async throws -> Response {
        let question = try await Assistant.ownQuestion(req)
        _ = try await Answers.handOff(question, now: req.clock.now(), on: req.db)
        req.flash(req.t("qa.handedOff"))
        return req.redirect(to: AssistantRoute.answer(try question.requireID()).path)
    }

    struct ConsultationRow: Encodable {
        let question: String
        let asked: String
        let action: String
        let index: Int
    }

    struct TopicRow: Encodable {
        let topic: String
        let count: Int
        let examples: [String]
    }

    struct DocumentRow: Encodable {
        let title: String
        let key: String
        let kind: String
        let version: Int
        let passages: Int
        let expiresOn: String?
        let platform: Bool
    }

    struct ConsolePage: Encodable {
        let header: ConsolePages.Header
        let open: [ConsultationRow]
        let answered: [ReplyCard]
        let topics: [TopicRow]
        let collections: [DocumentRow]
        let importAction: String
    }

    @Sendable static func consolePage(_ req: Request) async throws -> Response {
        let header = try await ConsolePages.header(req, current: "questions")
        let community = header.id
        let open = try await Consultation.scoped(to: community, on: req.db).filter(\.$status == "open").sort(\.$createdAt).limit(50).all()
        let answered = try await Consultation.scoped(to: community, on: req.db).filter(\.$status == "answered")
            .sort(\.$repliedAt, .descending).limit(10).all()
        let since = req.clock.now().addingTimeInterval(-30 * 86_400)
        let weak = try await AskedQuestion.scoped(to: community, on: req.db).filter(\.$askedAt >= since)
            .group(.or) { $0.filter(\.$confident == false).filter(\.$helpful == false) }
            .sort(\.$askedAt, .descending).limit(500).all()
        var topics: [String: [String]] = [:]
        for q in weak { topics[q.topic.isEmpty ? req.t("qa.topic.none") : q.topic, default: []].append(q.text) }
        let topicRows = topics.map { TopicRow(topic: $0.key, count: $0.value.count, examples: Array($0.value.prefix(3))) }
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0.topic < $1.topic }
        let collections = try await KnowledgeCollection.query(on: req.db)
            .filter(\.$scope ~~ [community.uuidString, KnowledgeCollection.scope(of: nil)]).sort(\.$title).limit(200).all()
        return try await req.render(
            "assistant/console", title: req.t("console.tab.questions"),
            ConsolePage(
                header: header,
                open: try open.enumerated().map { i, c in
                    ConsultationRow(
                        question: c.question, asked: Calendar.chinaMinute(c.createdAt),
                        action: AssistantRoute.reply(community, try c.requireID()).path, index: i)
                },
                answered: answered.map {
                    ReplyCard(question: $0.question, status: req.t("qa.status.answered"), reply: $0.reply, when: Calendar.chinaMinute($0.repliedAt ?? $0.createdAt))
                },
                topics: topicRows,
                collections: collections.map {
                    DocumentRow(
                        title: $0.title, key: $0.key, kind: req.t("qa.kind.\($0.kind)"), version: $0.version, passages: $0.passages,
                        expiresOn: $0.expiresOn, platform: $0.communityID == nil)
                },
                importAction: AssistantRoute.knowledge(community).path))
    }

    @Sendable static func postReply(_ req: Request) async throws -> Response {
        struct Form: Content {
            var reply: String?
            var faq: String?
        }
        let community = try req.scope.communityID()
        let form = try req.content.decode(Form.self)
        let row = try await Consultation.find(try req.id("consultationID"), in: community, on: req.db)
        try await Answers.reply(
            row, text: form.reply ?? "", saveAsFAQ: form.faq != nil, by: try req.user().principal.personID, now: req.clock.now(), on: req.db)
        req.application.events.publish(NotificationsChanged(community: community))
        req.flash(req.t("qa.replied"))
        return req.redirect(to: AssistantRoute.console(community).path)
    }

    /// A document sent as a file (or pasted) with its source; a refusal names the line.
    @Sendable static func postKnowledge(_ req: Request) async throws -> Response {
        struct Form: Content {
            var key: String?
            var title: String?
            var kind: String?
            var issuer: String?
            var effectiveOn: String?
            var expiresOn: String?
            var link: String?
            var format: String?
            var file: File?
            var content: String?
        }
        let community = try req.scope.communityID()
        let form = try req.content.decode(Form.self)
        let text = form.file.flatMap { $0.data.readableBytes > 0 ? String(buffer: $0.data) : nil } ?? form.content ?? ""
        let input = KnowledgeImport(
            key: form.key ?? "", title: form.title ?? "", kind: form.kind ?? "", issuer: form.issuer, effectiveOn: form.effectiveOn,
            expiresOn: form.expiresOn, link: form.link, format: form.format ?? "markdown", content: text)
        do {
            let row = try await KnowledgeBase.importDocument(input, community: community, by: try req.user().principal.personID, now: req.clock.now(), on: req.db)
            try await Audit.record(.create, "knowledge", id: row.id, community: community, after: "\(row.key) v\(row.version)", by: req, on: req.db)
            req.flash(req.t("qa.imported", ["title": row.title, "version": "\(row.version)", "n": "\(row.passages)"]))
        } catch let error as LinliError where error.code == .importRejected {
            let lines = error.issues.prefix(5).map { issue in
                req.t("qa.badLine", ["line": "\(issue.line ?? 0)", "reason": req.reasonText(issue) ?? issue.reason])
            }
            req.flash(([req.t("qa.rejected")] + lines).joined(separator: " "), error: true)
        }
        return req.redirect(to: AssistantRoute.console(community).path)
    }
}
