import Fluent
import Foundation
import LinliCore
import NIOConcurrencyHelpers
import Vapor

/// The notices of each community that are not withdrawn nor expired, kept in memory: a reader's list,
/// a notice page and the emergency banner on every page are computed from it without a query.
/// Publishing or withdrawing publishes `LinliEvent.noticesChanged` after the commit, which drops the
/// community's entry on every server; a load racing a change is not kept, and an entry is read again
/// after `lifetime` at the latest. Scheduled notices are held before their time and shown from it.
/// The rows are shared by every request: read them, never change them.
final class NoticeBoard: Sendable {
    static let lifetime: TimeInterval = 60
    /// Of each community, the newest (by publication time) this many.
    static let depth = 500

    private struct Entry {
        let notices: [Notice]
        let loadedAt: Date
    }

    private let state = NIOLockedValueBox((entries: [UUID: Entry](), epoch: 0))

    /// The current notices of these communities (published by `now`), newest first.
    func current(_ communities: [UUID], now: Date, on db: any Database) async throws -> [Notice] {
        var all: [Notice] = []
        for community in Set(communities) {
            let (cached, epoch) = state.withLockedValue { ($0.entries[community], $0.epoch) }
            var notices: [Notice]
            if let cached, now.timeIntervalSince(cached.loadedAt) < Self.lifetime, cached.loadedAt <= now {
                notices = cached.notices
            } else {
                notices = try await Notice.query(on: db).filter(\.$communityID == community)
                    .filter(\.$withdrawnAt == nil)
                    .group(.or) { $0.filter(\.$expiresAt == nil).filter(\.$expiresAt > now) }
                    .sort(\.$publishAt, .descending).limit(Self.depth).all()
                let loaded = notices
                state.withLockedValue { state in
                    guard state.epoch == epoch else { return }
                    state.entries[community] = Entry(notices: loaded, loadedAt: now)
                }
            }
            all += notices.filter { $0.publishAt <= now && ($0.expiresAt ?? .distantFuture) > now }
        }
        return all.sorted { $0.publishAt > $1.publishAt }
    }

    func forget(_ community: UUID) {
        state.withLockedValue { state in
            state.epoch &+= 1
            state.entries[community] = nil
        }
    }
}

extension Application {
    private struct NoticeBoardKey: StorageKey { typealias Value = NoticeBoard }

    /// The notice board (see ``NoticeBoard``); made by the Property feature before serving.
    var noticeBoard: NoticeBoard {
        if let board = storage[NoticeBoardKey.self] { return board }
        let board = NoticeBoard()
        storage[NoticeBoardKey.self] = board
        events.subscribe { event in
            if case .noticesChanged(let community) = event { board.forget(community) }
        }
        return board
    }
}

extension Notices {
    /// Notices published, not expired nor withdrawn, whose audience includes the person, pinned first
    /// (from the notice board: a query only for the reader's facts when a notice is for some residents).
    static func visible(to principal: Principal, now: Date, on req: Request) async throws -> [Notice] {
        let communities = Array(Set(principal.households.values))
        guard !communities.isEmpty else { return [] }
        let notices = try await req.application.noticeBoard.current(communities, now: now, on: req.db).prefix(200)
        var mine: [Notice] = []
        // The reader's own facts (buildings, groups) only when a notice is for some of the community.
        var facts: [UUID: NoticeAudience.Resident?] = [:]
        for notice in notices {
            let target = notice.target
            if target.isEveryone {
                mine.append(notice)
                continue
            }
            if facts[notice.communityID] == nil {
                facts[notice.communityID] = .some(
                    try await residents(of: notice.communityID, only: principal.personID, on: req.db, now: now)[
                        principal.personID])
            }
            if let me = facts[notice.communityID] ?? nil, target.includes(me) { mine.append(notice) }
        }
        return mine.sorted { ($0.pinned ? 1 : 0, $0.publishAt) > ($1.pinned ? 1 : 0, $1.publishAt) }
    }

    /// The unread emergency notices of a person (the banner on every page): no query unless there is one.
    static func unreadEmergencies(_ principal: Principal, now: Date, on req: Request) async throws -> [Notice] {
        let emergencies = try await visible(to: principal, now: now, on: req).filter { $0.category == .emergency }
        guard !emergencies.isEmpty else { return [] }
        let read = Set(
            try await NoticeRead.query(on: req.db).filter(\.$personID == principal.personID)
                .filter(\.$noticeID ~~ emergencies.compactMap(\.id)).all(\.$noticeID))
        return emergencies.filter { !read.contains($0.id ?? UUID()) }
    }

    /// Announces, after the commit, that a community's notices changed (every server's board drops them).
    static func changed(_ community: UUID, on req: Request) {
        req.application.events.publish(.noticesChanged(community: community))
    }
}
