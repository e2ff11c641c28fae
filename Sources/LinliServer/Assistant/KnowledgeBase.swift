import Fluent
import Foundation
import LinliCore
import SQLKit
import Vapor

/// What an operator imports: the document's source and its text in one of ``KnowledgeText/Format``.
struct KnowledgeImport: Content {
    let key: String
    let title: String
    /// `law`, `faq`, `rules`, `notice`.
    let kind: String
    var issuer: String?
    /// `YYYY-MM-DD`.
    var effectiveOn: String?
    var expiresOn: String?
    var link: String?
    /// `markdown`, `text`, `jsonl`.
    let format: String
    let content: String
}

/// The knowledge base's documents: imported whole, replaced whole, never two versions mixed.
enum KnowledgeBase {
    static let kinds = ["law", "faq", "rules", "notice"]
    static let maxContent = 2_000_000

    /// Imports a document for the community (nil: every community on the server). A document with the
    /// same key is replaced: its next version's passages are written, its version moved, the old passages
    /// deleted — in one transaction, with the version checked, so two imports at once never interleave.
    static func importDocument(
        _ input: KnowledgeImport, community: UUID?, by: UUID?, now: Date, on db: any Database
    ) async throws -> KnowledgeCollection {
        var v = Validation()
        let key = v.text(input.key, "key", max: 60) ?? ""
        if !key.isEmpty, !key.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0) }) {
            v.fail("key", "invalid_value")
        }
        let title = v.text(input.title, "title", max: 120) ?? ""
        if !kinds.contains(input.kind) { v.fail("kind", "invalid_value") }
        let issuer = v.text(input.issuer, "issuer", max: 120, required: false) ?? ""
        let link = v.text(input.link, "link", max: 500, required: false) ?? ""
        if !link.isEmpty, !(link.hasPrefix("https://") || link.hasPrefix("http://")) { v.fail("link", "invalid_value") }
        for (field, value) in [("effectiveOn", input.effectiveOn), ("expiresOn", input.expiresOn)] {
            if let value, !value.isEmpty, CivilDate(value) == nil { v.fail(field, "invalid_date") }
        }
        let format = KnowledgeText.Format(rawValue: input.format)
        if format == nil { v.fail("format", "invalid_value") }
        if input.content.utf8.count > maxContent { v.fail("content", "too_long") }
        try v.check()
        let passages: [KnowledgeText.Passage]
        do { passages = try KnowledgeText.parse(input.content, format: format ?? .text) } catch {
            throw LinliError(.importRejected, ["count": "1"], issues: [FieldIssue(field: "content", line: error.line, reason: "qa_\(error.reason)")])
        }
        let scope = KnowledgeCollection.scope(of: community)
        let effective = input.effectiveOn.flatMap { $0.isEmpty ? nil : $0 }
        let expires = input.expiresOn.flatMap { $0.isEmpty ? nil : $0 }
        return try await db.writeTransaction { tx in
            let existing = try await KnowledgeCollection.query(on: tx).filter(\.$scope == scope).filter(\.$key == key).first()
            let collection = existing ?? KnowledgeCollection()
            let version = (existing?.version ?? 0) + 1
            if let existing, let id = existing.id {
                let moved = try await tx.conditionalUpdate(KnowledgeCollection.schema) {
                    $0.set("version", to: version).set("revision", to: existing.revision + 1).set("title", to: title)
                        .set("kind", to: input.kind).set("issuer", to: issuer).set("link", to: link)
                        .set("effective_on", to: effective.map { SQLBind($0) as any SQLExpression } ?? SQLLiteral.null)
                        .set("expires_on", to: expires.map { SQLBind($0) as any SQLExpression } ?? SQLLiteral.null)
                        .set("passages", to: passages.count).set("imported_at", to: now)
                        .set("imported_by", to: by.map { SQLBind($0) as any SQLExpression } ?? SQLLiteral.null)
                        .where("id", .equal, id).where("version", .equal, existing.version)
                }
                guard moved == 1 else { throw LinliError(.conflict, issues: [FieldIssue(field: "key", reason: "qa_import_raced")]) }
                try await KnowledgePassage.query(on: tx).filter(\.$collectionID == id).filter(\.$version < version).delete()
            } else {
                collection.communityID = community
                collection.scope = scope
                collection.key = key
                collection.title = title
                collection.kind = input.kind
                collection.issuer = issuer
                collection.link = link
                collection.effectiveOn = effective
                collection.expiresOn = expires
                collection.passages = passages.count
                collection.importedAt = now
                collection.importedBy = by
                do { try await collection.create(on: tx) } catch let error as any DatabaseError where error.isConstraintFailure {
                    throw LinliError(.conflict, issues: [FieldIssue(field: "key", reason: "qa_import_raced")])
                }
            }
            let id = try collection.requireID()
            let rows = passages.enumerated().map { position, passage in
                let row = KnowledgePassage()
                row.collectionID = id
                row.version = version
                row.position = position
                row.article = passage.article ?? ""
                row.heading = passage.heading ?? ""
                row.question = passage.question ?? ""
                row.text = passage.text
                return row
            }
            for chunk in stride(from: 0, to: rows.count, by: 500) {
                try await Array(rows[chunk..<min(rows.count, chunk + 500)]).create(on: tx)
            }
            return try await KnowledgeCollection.find(id, on: tx) ?? collection
        }
    }

    /// Adds one question and answer to the community's learned FAQ (created on first use), as part of the
    /// caller's transaction; the passage's id.
    static func learn(question: String, answer: String, community: UUID, now: Date, on tx: any Database) async throws -> UUID {
        let scope = KnowledgeCollection.scope(of: community)
        var collection = try await KnowledgeCollection.query(on: tx).filter(\.$scope == scope).filter(\.$key == learnedKey).first()
        if collection == nil {
            let row = KnowledgeCollection()
            row.communityID = community
            row.scope = scope
            row.key = learnedKey
            row.title = "社区问答"
            row.kind = "faq"
            row.issuer = "社区工作人员"
            row.importedAt = now
            try await row.create(on: tx)
            collection = row
        }
        guard let collection, let id = collection.id else { throw LinliError(.notFound) }
        let position = try await KnowledgePassage.query(on: tx).filter(\.$collectionID == id).count()
        let passage = KnowledgePassage()
        passage.collectionID = id
        passage.version = collection.version
        passage.position = position
        passage.question = question
        passage.text = answer
        try await passage.create(on: tx)
        _ = try await tx.conditionalUpdate(KnowledgeCollection.schema) {
            $0.set("revision", to: SQLRaw("revision + 1")).set("passages", to: SQLRaw("passages + 1")).where("id", .equal, id)
        }
        return try passage.requireID()
    }

    static let learnedKey = "learned-faq"

    /// The collections a community's questions are answered from on `today`: its own and the server's,
    /// those expired left out.
    static func collections(for community: UUID, today: String, on db: any Database) async throws -> [KnowledgeCollection] {
        try await KnowledgeCollection.query(on: db)
            .filter(\.$scope ~~ [community.uuidString, KnowledgeCollection.scope(of: nil)])
            .sort(\.$id).all()
            .filter { ($0.expiresOn ?? "9999-12-31") >= today }
    }
}
