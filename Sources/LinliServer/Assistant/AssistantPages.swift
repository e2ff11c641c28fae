import Fluent
import Foundation
import LinliCore
import Vapor

/// The assistant's pages: `/ask` (a question in one's own words, or one of the common questions; the
/// answers with their sources; "was this helpful?"; asking a person; the replies) and the console's
/// questions tab (questions handed to a person, with the reply form; what was not answered or not
/// helpful, by topic; the knowledge base and its import).
enum AssistantRoute: PageRoute {
    static let parameterNames: [String: String] = ["ask": "questionID", "questions": "consultationID", "knowledge": "collectionID"]

    case ask
    case answer(UUID)
    case feedback(UUID)
    case handoff(UUID)
    case console(UUID)
    case reply(UUID, UUID)
    case knowledge(UUID)

    var path: String {
        switch self {
        case .ask: "/ask"
        case .answer(let q): "/ask/\(q)"
        case .feedback(let q): "/ask/\(q)/feedback"
        case .handoff(let q): "/ask/\(q)/handoff"
        case .console(let c): "/console/\(c)/questions"
        case .reply(let c, let k): "/console/\(c)/questions/\(k)/reply"
        case .knowledge(let c): "/console/\(c)/knowledge"
        }
    }
}

enum AssistantPages {
    static func register(_ app: Application) {
        let web = app.pages
        app.pageLinks.add("ask", AssistantRoute.ask)
        app.homeTiles.add("ask", order: 67, AssistantRoute.ask)
        app.consoleTabs.add("questions", order: 140, shown: { .answerQuestions($0) }) { AssistantRoute.console($0) }
        let staff = Authority.community { .answerQuestions($0) }
        Web.route(web, .GET, { _, _, _ in AssistantRoute.ask }, authority: .signedIn, askPage)
        Web.route(web, .POST, { _, _, _ in AssistantRoute.ask }, authority: .signedIn, postAsk)
        Web.route(web, .GET, { q, _, _ in AssistantRoute.answer(q) }, authority: .object("questionID"), answerPage)
        Web.route(web, .POST, { q, _, _ in AssistantRoute.feedback(q) }, authority: .object("questionID"), postFeedback)
        Web.route(web, .POST, { q, _, _ in AssistantRoute.handoff(q) }, authority: .object("questionID"), postHandoff)
        Web.route(web, .GET, { c, _, _ in AssistantRoute.console(c) }, authority: staff, consolePage)
        Web.route(web, .POST, { c, k, _ in AssistantRoute.reply(c, k) }, authority: .community(object: "consultationID") { .answerQuestions($0) }, postReply)
        Web.route(web, .POST, { c, _, _ in AssistantRoute.knowledge(c) }, authority: staff, maxBody: "3mb", postKnowledge)
    }

    struct Common: Encodable {
        let heading: String
        let questions: [String]
    }

    struct ReplyCard: Encodable {
        let question: String
        let status: String
        let reply: String?
        let when: String
    }

    struct AskPage: Encodable {
        let common: [Common]
        let replies: [ReplyCard]
        let communities: [ConsolePages.Option]
    }

    /// The common questions of a community: its FAQs' questions by heading (at most six headings of six).
    static func commonQuestions(_ community: UUID, req: Request) async throws -> [Common] {
        let snapshot = try await req.application.knowledgeIndexes.snapshot(for: community, today: req.today, on: req.db)
        var order: [String] = []
        var byHeading: [String: [String]] = [:]
        for entry in snapshot.entries where entry.isQuestion {
            let heading = entry.heading ?? entry.source.title
            if byHeading[heading] == nil { order.append(heading) }
            if byHeading[heading, default: []].count < 6 { byHeading[heading, default: []].append(entry.title) }
        }
        return order.prefix(6).map { Common(heading: $0, questions: byHeading[$0] ?? []) }
    }

    @Sendable static func askPage(_ req: Request) async throws -> Response {
        let user = try req.user()
        let communities = Array(Set(user.principal.households.values)).sorted { $0.uuidString < $1.uuidString }
        var common: [Common] = []
        if let first = communities.first { common = try await commonQuestions(first, req: req) }
        let mine = try await Consultation.query(on: req.db).filter(\.$personID == user.principal.personID)
            .sort(\.$createdAt, .descending).limit(20).all()
        let replies = mine.map {
            ReplyCard(
                question: $0.question, status: req.t("qa.status.\($0.status)"), reply: $0.reply,
                when: Calendar.chinaMinute($0.repliedAt ?? $0.createdAt))
        }
        var options: [ConsolePages.Option] = []
        if communities.count > 1 {
            for id in communities {
                options.append(.init(value: id.uuidString, label: try await Community.find(id, on: req.db)?.name ?? id.uuidString))
            }
        }
        let response = try await req.render(
            "assistant/ask", title: req.t("qa.title"), AskPage(common: common, replies: replies, communities: options), keep: false)
        response.headers.cacheControl = .init(noStore: true)
        return response
    }

    @Sendable static func postAsk(_ req: Request) async throws -> Response {
        struct Form: Content {
            var question: String?
            var communityID: UUID?
        }
        let form = try req.content.decode(Form.self)
        let user = try req.user()
        let community = try Answers.community(of: user, named: form.communityID)
        // Asked at a kiosk: recorded with its channel and device.
        var asker = Answers.Asker(person: user.principal.personID, community: community)
        if let terminal = TerminalSessions.current(req) {
            asker.channel = "kiosk"
            asker.device = terminal.device
        }
        let read = try await Answers.ask(form.question ?? "", asker, app: req.application, now: req.clock.now(), today: req.today, on: req.db)
        return req.redirect(to: AssistantRoute.answer(read.questionID).path)
    }
}
