import Fluent
import Foundation
import LinliCore

/// A document of the knowledge base — a law, a rule, an FAQ list, a notice — of one community or, with no
/// community, of every community on the server. Re-importing it replaces its passages as a new `version`
/// in one transaction; `revision` counts every change (a worker's reply saved as an FAQ adds a passage
/// without a new version), and is what the search's cache compares.
final class KnowledgeCollection: Model, @unchecked Sendable {
    static let schema = "qa_collections"

    @ID(key: .id) var id: UUID?
    @OptionalField(key: "community_id") var communityID: UUID?
    /// The community's id as text, or `platform`: (scope, key) is unique.
    @Field(key: "scope") var scope: String
    /// The operator's short name for it (`property-rules`), the handle a re-import names.
    @Field(key: "key") var key: String
    @Field(key: "title") var title: String
    /// `law`, `faq`, `rules`, `notice`.
    @Field(key: "kind") var kind: String
    @Field(key: "issuer") var issuer: String
    @OptionalField(key: "effective_on") var effectiveOn: String?
    @OptionalField(key: "expires_on") var expiresOn: String?
    @Field(key: "link") var link: String
    @Field(key: "version") var version: Int
    @Field(key: "revision") var revision: Int
    @Field(key: "passages") var passages: Int
    @Field(key: "imported_at") var importedAt: Date
    @OptionalField(key: "imported_by") var importedBy: UUID?

    init() {
        issuer = ""
        link = ""
        version = 1
        revision = 1
        passages = 0
    }

    static func scope(of community: UUID?) -> String { community?.uuidString ?? "platform" }
}

/// One passage of a collection's version: an article, an FAQ answer, a paragraph.
final class KnowledgePassage: Model, @unchecked Sendable {
    static let schema = "qa_passages"

    @ID(key: .id) var id: UUID?
    @Field(key: "collection_id") var collectionID: UUID
    @Field(key: "version") var version: Int
    @Field(key: "position") var position: Int
    @Field(key: "article") var article: String
    @Field(key: "heading") var heading: String
    @Field(key: "question") var question: String
    @Field(key: "text") var text: String

    init() {
        article = ""
        heading = ""
        question = ""
    }
}

/// A question someone asked, with what the assistant answered and what they thought of it.
final class AskedQuestion: Model, @unchecked Sendable {
    static let schema = "qa_questions"

    @ID(key: .id) var id: UUID?
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "person_id") var personID: UUID
    @Field(key: "text") var text: String
    @Field(key: "confident") var confident: Bool
    /// The top passage's collection title, or empty when nothing matched: the topic workers see.
    @Field(key: "topic") var topic: String
    @OptionalField(key: "top_passage_id") var topPassageID: UUID?
    @OptionalField(key: "helpful") var helpful: Bool?
    /// `app`, `kiosk`, `tv`; and the kiosk's device when asked there.
    @Field(key: "channel") var channel: String
    @OptionalField(key: "device_id") var deviceID: UUID?
    @Field(key: "asked_at") var askedAt: Date

    init() {
        topic = ""
        channel = "app"
        confident = false
    }
}

extension AskedQuestion: CommunityScoped {
    static var communityField: KeyPath<AskedQuestion, FieldProperty<AskedQuestion, UUID>> { \.$communityID }
}

/// A question handed to a person: in a community worker's task list until answered; the reply reaches
/// the resident and may become an FAQ of the community.
final class Consultation: Model, @unchecked Sendable {
    static let schema = "qa_consultations"

    @ID(key: .id) var id: UUID?
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "question_id") var questionID: UUID
    @Field(key: "person_id") var personID: UUID
    @Field(key: "question") var question: String
    /// `open`, `answered`.
    @Field(key: "status") var status: String
    @OptionalField(key: "reply") var reply: String?
    @OptionalField(key: "replied_by") var repliedBy: UUID?
    @OptionalField(key: "replied_at") var repliedAt: Date?
    @OptionalField(key: "faq_passage_id") var faqPassageID: UUID?
    @OptionalField(key: "task_id") var taskID: UUID?
    @Field(key: "created_at") var createdAt: Date

    init() { status = "open" }
}

extension Consultation: CommunityScoped {
    static var communityField: KeyPath<Consultation, FieldProperty<Consultation, UUID>> { \.$communityID }
}

struct CreateAssistant: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(KnowledgeCollection.schema).id()
            .field("community_id", .uuid).field("scope", .string, .required).field("key", .string, .required)
            .field("title", .string, .required).field("kind", .string, .required).field("issuer", .string, .required)
            .field("effective_on", .string).field("expires_on", .string).field("link", .string, .required)
            .field("version", .int, .required).field("revision", .int, .required).field("passages", .int, .required)
            .field("imported_at", .datetime, .required).field("imported_by", .uuid)
            .unique(on: "scope", "key")
            .create()
        try await database.schema(KnowledgePassage.schema).id()
            .field("collection_id", .uuid, .required, .references(KnowledgeCollection.schema, .id, onDelete: .cascade))
            .field("version", .int, .required).field("position", .int, .required).field("article", .string, .required)
            .field("heading", .string, .required).field("question", .string, .required).field("text", .string, .required)
            .create()
        try await IndexSQL.create("qa_passages_collection", on: KnowledgePassage.schema, ["collection_id", "version"], database)
        try await database.schema(AskedQuestion.schema).id()
            .field("community_id", .uuid, .required).field("person_id", .uuid, .required).field("text", .string, .required)
            .field("confident", .bool, .required).field("topic", .string, .required).field("top_passage_id", .uuid)
            .field("helpful", .bool).field("channel", .string, .required).field("device_id", .uuid)
            .field("asked_at", .datetime, .required)
            .create()
        try await IndexSQL.create("qa_questions_community", on: AskedQuestion.schema, ["community_id", "asked_at"], database)
        try await database.schema(Consultation.schema).id()
            .field("community_id", .uuid, .required).field("question_id", .uuid, .required).field("person_id", .uuid, .required)
            .field("question", .string, .required).field("status", .string, .required).field("reply", .string)
            .field("replied_by", .uuid).field("replied_at", .datetime).field("faq_passage_id", .uuid).field("task_id", .uuid)
            .field("created_at", .datetime, .required)
            .unique(on: "question_id")
            .create()
        try await IndexSQL.create("qa_consultations_community", on: Consultation.schema, ["community_id", "status"], database)
    }

    func revert(on database: any Database) async throws {
        for schema in [Consultation.schema, AskedQuestion.schema, KnowledgePassage.schema, KnowledgeCollection.schema] {
            try await database.schema(schema).delete()
        }
    }
}
