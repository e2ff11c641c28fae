import Fluent
import Foundation
import LinliCore
import Vapor

extension Assistant {
    static func registerStaff(_ app: Application, _ api: any RoutesBuilder) {
        let c = RegistryAPI.c + "/qa"
        let staff = Authority.community { .answerQuestions($0) }
        func add<R: AsyncResponseEncodable>(_ e: Endpoint, _ handler: @escaping @Sendable (Request) async throws -> R) {
            api.register(e, in: app, handler)
        }
        add(
            .init(
                method: .POST, path: c + "/collections", operationID: "importKnowledge",
                summary: "Import a document (law per article, FAQ pairs, rules, a notice) from markdown, text or JSON lines; the same key replaces its version whole",
                tag: "assistant", authority: staff, body: AssistantSchemas.importInput, maxBody: "3mb", status: .created,
                response: Schema.ref("KnowledgeCollection")), importKnowledge)
        add(
            .init(
                method: .GET, path: c + "/collections", operationID: "listKnowledge",
                summary: "The community's documents and the server's, with their versions and expiry", tag: "assistant", authority: staff,
                response: Schema.page(of: "KnowledgeCollection"), query: Endpoint.listQuery(.knowledge)), listKnowledge)
        add(
            .init(
                method: .DELETE, path: c + "/collections/{collectionID}", operationID: "deleteKnowledge",
                summary: "Remove one of the community's own documents", tag: "assistant",
                authority: .community(object: "collectionID") { .answerQuestions($0) }, status: .noContent), deleteKnowledge)
        add(
            .init(
                method: .GET, path: c + "/consultations", operationID: "listConsultations",
                summary: "Questions handed to a person; `status=open|answered`", tag: "assistant", authority: staff,
                response: Schema.page(of: "Consultation"),
                query: Endpoint.listQuery(.consultations) + [.init(name: "status", schema: Schema.enumeration(["open", "answered"]))]),
            listConsultations)
        add(
            .init(
                method: .POST, path: c + "/consultations/{consultationID}/reply", operationID: "replyConsultation",
                summary: "Answer a handed-off question once (a second reply 409); the resident is told; `saveAsFAQ` adds it to the community's FAQ",
                tag: "assistant", authority: .community(object: "consultationID") { .answerQuestions($0) },
                body: Schema.object([("reply", Schema.string(min: 1, max: 2000)), ("saveAsFAQ", Schema.bool)], required: ["reply"]),
                response: Schema.ref("Consultation")), replyConsultation)
        add(
            .init(
                method: .GET, path: c + "/questions", operationID: "listAskedQuestions",
                summary: "Questions asked: `filter=unanswered` (not confident) or `unhelpful`, each with its topic", tag: "assistant",
                authority: staff, response: Schema.page(of: "AskedQuestion"),
                query: Endpoint.listQuery(.askedQuestions) + [.init(name: "filter", schema: Schema.enumeration(["unanswered", "unhelpful"]))]),
            listAskedQuestions)
    }

    struct CollectionRead: Content {
        let id: UUID
        let key: String
        let title: String
        let kind: String
        let issuer: String
        let effectiveOn: String?
        let expiresOn: String?
        let link: String?
        let version: Int
        let passages: Int
        /// False for the server's documents, which only `linli qa import` changes.
        let ownedByCommunity: Bool
        let importedAt: Date

        init(_ c: KnowledgeCollection) throws {
            id = try c.requireID()
            key = c.key
            title = c.title
            kind = c.kind
            issuer = c.issuer
            effectiveOn = c.effectiveOn
            expiresOn = c.expiresOn
            link = c.link.isEmpty ? nil : c.link
            version = c.version
            passages = c.passages
            ownedByCommunity = c.communityID != nil
            importedAt = c.importedAt
        }
    }

    struct AskedQuestionRead: Content {
        let id: UUID
        let text: String
        let topic: String
        let confident: Bool
        let helpful: Bool?
        let channel: String
        let askedAt: Date
    }

    @Sendable static func importKnowledge(_ req: Request) async throws -> some AsyncResponseEncodable {
        let community = try req.scope.communityID()
        let row = try await KnowledgeBase.importDocument(
            try req.decode(KnowledgeImport.self), community: community, by: try req.user().principal.personID, now: req.clock.now(), on: req.db)
        try await Audit.record(.create, "knowledge", id: row.id, community: community, after: "\(row.key) v\(row.version)", by: req, on: req.db)
        return Created(value: try CollectionRead(row))
    }

    @Sendable static func listKnowledge(_ req: Request) async throws -> some AsyncResponseEncodable {
        let community = try req.scope.communityID()
        let rows = try await KnowledgeCollection.query(on: req.db)
            .filter(\.$scope ~~ [community.uuidString, KnowledgeCollection.scope(of: nil)]).all()
        var items = try rows.map { try CollectionRead($0) }
        if let q = try req.listOptions(.knowledge).query { items = items.filter { $0.title.contains(q) || $0.key.contains(q) } }
        let sortKey = try req.listOptions(.knowledge).sort
        items.sort { sortKey == "imported_at" ? $0.importedAt < $1.importedAt : $0.title < $1.title }
        return try req.page(items, .knowledge)
    }

    @Sendable static func deleteKnowledge(_ req: Request) async throws -> HTTPStatus {
        let community = try req.scope.communityID()
        guard let row = try await KnowledgeCollection.find(try req.id("collectionID"), on: req.db), row.communityID == community else {
            throw LinliError(.notFound)
        }
        try await row.delete(on: req.db)
        try await Audit.record(.delete, "knowledge", id: row.id, community: community, after: row.key, by: req, on: req.db)
        return .noContent
    }

    @Sendable static func listConsultations(_ req: Request) async throws -> some AsyncResponseEncodable {
        let options = try req.listOptions(.consultations)
        var query = Consultation.scoped(to: try req.scope.communityID(), on: req.db)
        if let status = req.query[String.self, at: "status"] {
            guard ["open", "answered"].contains(status) else { throw LinliError.invalid("status", "invalid_value") }
            query = query.filter(\.$status == status)
        }
        return try await query.page(options, map: { try ConsultationRead($0) })
    }

    @Sendable static func replyConsultation(_ req: Request) async throws -> ConsultationRead {
        struct Input: Content {
            let reply: String
            var saveAsFAQ: Bool?
        }
        let input = try req.decode(Input.self)
        let row = try await Consultation.find(try req.id("consultationID"), in: try req.scope.communityID(), on: req.db)
        try await Answers.reply(
            row, text: input.reply, saveAsFAQ: input.saveAsFAQ ?? false, by: try req.user().principal.personID, now: req.clock.now(),
            on: req.db)
        req.application.events.publish(NotificationsChanged(community: row.communityID))
        return try ConsultationRead(try await Consultation.find(row.requireID(), on: req.db) ?? row)
    }

    @Sendable static func listAskedQuestions(_ req: Request) async throws -> some AsyncResponseEncodable {
        let options = try req.listOptions(.askedQuestions)
        var query = AskedQuestion.scoped(to: try req.scope.communityID(), on: req.db)
        switch req.query[String.self, at: "filter"] {
        case nil: break
        case "unanswered": query = query.filter(\.$confident == false)
        case "unhelpful": query = query.filter(\.$helpful == false)
        default: throw LinliError.invalid("filter", "invalid_value")
        }
        return try await query.page(options) {
            AskedQuestionRead(
                id: try $0.requireID(), text: $0.text, topic: $0.topic, confident: $0.confident, helpful: $0.helpful, channel: $0.channel,
                askedAt: $0.askedAt)
        }
    }
}
