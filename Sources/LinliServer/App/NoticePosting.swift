import Fluent
import Foundation
import NIOConcurrencyHelpers
import Vapor

/// A notice another feature puts on a community's board (an application's publicity, 公示) without
/// knowing how notices are kept: the notices feature posts it in the caller's transaction, so it stands
/// or falls with the step that made it, and is told after the commit that the board changed.
struct PostedNotice: Sendable {
    let community: UUID
    let title: String
    let body: String
    let from: Date
    let until: Date
    let by: UUID
}

final class NoticePosting: Sendable {
    typealias Post = @Sendable (PostedNotice, any Database) async throws -> Void
    typealias Changed = @Sendable (UUID) -> Void

    private let board = NIOLockedValueBox<(post: Post, changed: Changed)?>(nil)

    /// The notices feature says how it posts (one board per application).
    func use(post: @escaping Post, changed: @escaping Changed) { board.withLockedValue { $0 = (post, changed) } }

    /// Posts inside `db`'s transaction; nothing when no board is configured.
    func post(_ notice: PostedNotice, on db: any Database) async throws {
        if let post = board.withLockedValue({ $0?.post }) { try await post(notice, db) }
    }

    /// After the commit: every server's copy of the community's board is dropped.
    func changed(_ community: UUID) { board.withLockedValue({ $0?.changed })?(community) }
}

extension Application {
    private struct NoticePostingKey: StorageKey { typealias Value = NoticePosting }

    /// See ``NoticePosting``.
    var noticePosting: NoticePosting {
        if let posting = storage[NoticePostingKey.self] { return posting }
        let posting = NoticePosting()
        storage[NoticePostingKey.self] = posting
        return posting
    }
}
