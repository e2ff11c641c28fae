import Fluent
import Foundation
import LinliCore
import Vapor

/// The strings of this feature (`AssistantStrings` tables beside it).
enum AssistantStrings: LocalizedStrings {}

/// The Q&A assistant (问答): residents' policy and legal questions answered from the community's knowledge
/// base with their sources, and a person when it is not sure.
enum Assistant: Feature {
    static var strings: (any LocalizedStrings.Type)? { AssistantStrings.self }
    static var css: String? { "assistant/assistant.css" }
    static var commands: [(name: String, command: any AnyAsyncCommand)] { [("qa", QACommands())] }

    static func register(_ app: Application) {
        app.migrations.add(CreateAssistant())
        app.notificationTopics.add(.questions)
        AskTV.register(app)
        AskActivity.register(app)
        QuestionFigures.register(app)
        app.openAPIComponents.add(AssistantSchemas.all)
        let path = app.directory.resourcesDirectory + "Assistant/model.tsv"
        if let model = QAFiles.model(at: path) { app.assistantModel = model } else {
            app.logger.warning("The assistant's model \(path) is missing or unreadable: answers are never confident.")
        }
        let api = app.api.authenticated
        func add<R: AsyncResponseEncodable>(_ e: Endpoint, _ handler: @escaping @Sendable (Request) async throws -> R) {
            api.register(e, in: app, handler)
        }
        add(
            .init(
                method: .POST, path: "/api/v1/qa/ask", operationID: "askQuestion",
                summary: "Ask the assistant: up to three passages with their sources and the question's words marked; when not confident, a hand-off",
                tag: "assistant", authority: .signedIn, body: AssistantSchemas.ask, response: Schema.ref("QAAnswer")), askQuestion)
        add(
            .init(
                method: .POST, path: "/api/v1/qa/questions/{questionID}/feedback", operationID: "rateAnswer",
                summary: "Was this helpful? (my own question; may be changed)", tag: "assistant", authority: .object("questionID"),
                body: Schema.object([("helpful", Schema.bool)], required: ["helpful"]), status: .noContent), rateAnswer)
        add(
            .init(
                method: .POST, path: "/api/v1/qa/questions/{questionID}/handoff", operationID: "handOffQuestion",
                summary: "Send my question to a community worker: once (a repeat 409)", tag: "assistant", authority: .object("questionID"),
                status: .created, response: Schema.ref("Consultation")), handOff)
        add(
            .init(
                method: .GET, path: "/api/v1/qa/consultations", operationID: "listMyConsultations",
                summary: "My questions handed to a person, with their replies", tag: "assistant", authority: .signedIn,
                response: Schema.page(of: "Consultation"), query: Endpoint.listQuery(.consultations)), listMine)
        registerStaff(app, api)
        AssistantPages.register(app)
    }
}

extension Sorting {
    static let consultations = Sorting(keys: ["created_at"], defaultSort: "created_at")
    static let knowledge = Sorting(keys: ["title", "imported_at"], defaultSort: "title")
    static let askedQuestions = Sorting(keys: ["asked_at"], defaultSort: "asked_at")
}

extension Assistant {
    struct ConsultationRead: Content {
        let id: UUID
        let questionID: UUID
        let question: String
        let status: String
        let reply: String?
        let repliedAt: Date?
        let savedAsFAQ: Bool
        let createdAt: Date

        init(_ c: Consultation) throws {
            id = try c.requireID()
            questionID = c.questionID
            question = c.question
            status = c.status
            reply = c.reply
            repliedAt = c.repliedAt
            savedAsFAQ = c.faqPassageID != nil
            createdAt = c.createdAt
        }
    }

    @Sendable static func askQuestion(_ req: Request) async throws -> AskRead {
        let input = try req.decode(AskInput.self)
        let user = try req.user()
        let community = try Answers.community(of: user, named: input.communityID)
        return try await Answers.ask(
            input.question, .init(person: user.principal.personID, community: community), app: req.application,
            now: req.clock.now(), today: req.today, on: req.db)
    }

    /// The caller's own question (anyone else's: 404).
    static func ownQuestion(_ req: Request) async throws -> AskedQuestion {
        guard let row = try await AskedQuestion.find(try req.id("questionID"), on: req.db),
            row.personID == (try req.user().principal.personID)
        else { throw LinliError(.notFound) }
        return row
    }

    @Sendable static func rateAnswer(_ req: Request) async throws -> HTTPStatus {
        struct Input: Content { let helpful: Bool }
        let question = try await ownQuestion(req)
        try await Answers.rate(question, helpful: try req.decode(Input.self).helpful, on: req.db)
        return .noContent
    }

    @Sendable static func handOff(_ req: Request) async throws -> some AsyncResponseEncodable {
        let row = try await Answers.handOff(try await ownQuestion(req), now: req.clock.now(), on: req.db)
        return Created(value: try ConsultationRead(row))
    }

    @Sendable static func listMine(_ req: Request) async throws -> some AsyncResponseEncodable {
        let options = try req.listOptions(.consultations)
        return try await Consultation.query(on: req.db).filter(\.$personID == (try req.user().principal.personID))
            .page(options, map: { try ConsultationRead($0) })
    }
}
