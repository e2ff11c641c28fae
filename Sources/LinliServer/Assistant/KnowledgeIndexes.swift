import Fluent
import Foundation
import LinliCore
import NIOConcurrencyHelpers
import Vapor

/// Where a passage comes from, as an answer names it.
struct KnowledgeSource: Content, Equatable {
    let title: String
    let article: String?
    let issuer: String
    let effectiveOn: String?
    let link: String?
    let kind: String
}

/// A community's knowledge as searched: the index over its current passages and the server's, and what
/// each passage shows. Rebuilt when any of its collections changed (their ids, versions and revisions, and
/// the day, for expiry, make its stamp) — read from the database on each question, so every instance
/// behind the balancer sees an import at once.
struct KnowledgeSnapshot: Sendable {
    struct Entry: Sendable {
        let id: UUID
        let collection: UUID
        let title: String
        let text: String
        let source: KnowledgeSource
        /// An FAQ's passage: its title is the question.
        let isQuestion: Bool
        let heading: String?
    }

    let stamp: String
    let index: PassageIndex
    let entries: [Entry]
}

final class KnowledgeIndexes: Sendable {
    private let snapshots = NIOLockedValueBox([UUID: KnowledgeSnapshot]())

    func snapshot(for community: UUID, today: String, on db: any Database) async throws -> KnowledgeSnapshot {
        let collections = try await KnowledgeBase.collections(for: community, today: today, on: db)
        let stamp = collections.map { "\($0.id?.uuidString ?? ""):\($0.version):\($0.revision)" }.joined(separator: ",")
        if let known = snapshots.withLockedValue({ $0[community] }), known.stamp == stamp { return known }
        let ids = collections.compactMap(\.id)
        let byID = Dictionary(uniqueKeysWithValues: collections.compactMap { c in c.id.map { ($0, c) } })
        let rows = ids.isEmpty ? [] : try await KnowledgePassage.query(on: db).filter(\.$collectionID ~~ ids).all()
        let current = rows.filter { byID[$0.collectionID]?.version == $0.version }
            .sorted { ($0.collectionID.uuidString, $0.position) < ($1.collectionID.uuidString, $1.position) }
        var entries: [KnowledgeSnapshot.Entry] = []
        entries.reserveCapacity(current.count)
        for row in current {
            guard let id = row.id, let collection = byID[row.collectionID] else { continue }
            let title: String
            if !row.question.isEmpty { title = row.question }
            else if !row.article.isEmpty { title = collection.title + row.article }
            else { title = row.heading.isEmpty ? collection.title : row.heading }
            let source = KnowledgeSource(
                title: collection.title, article: row.article.isEmpty ? nil : row.article, issuer: collection.issuer,
                effectiveOn: collection.effectiveOn, link: collection.link.isEmpty ? nil : collection.link, kind: collection.kind)
            entries.append(
                .init(
                    id: id, collection: row.collectionID, title: title, text: row.text, source: source, isQuestion: !row.question.isEmpty,
                    heading: row.heading.isEmpty ? nil : row.heading))
        }
        let snapshot = KnowledgeSnapshot(
            stamp: stamp, index: PassageIndex(passages: entries.map { (title: $0.title, text: $0.text) }), entries: entries)
        snapshots.withLockedValue { $0[community] = snapshot }
        return snapshot
    }
}

extension Application {
    private struct IndexesKey: StorageKey { typealias Value = KnowledgeIndexes }
    private struct ModelKey: StorageKey { typealias Value = AssistantModel }

    var knowledgeIndexes: KnowledgeIndexes {
        if let known = storage[IndexesKey.self] { return known }
        let made = KnowledgeIndexes()
        storage[IndexesKey.self] = made
        return made
    }

    /// The shipped model (`Resources/Assistant/model.tsv`), read once; without it nothing is ever confident.
    var assistantModel: AssistantModel {
        get { storage[ModelKey.self] ?? .untrained }
        set { storage[ModelKey.self] = newValue }
    }
}
