import Fluent
import Foundation
import LinliCore
import NIOConcurrencyHelpers
import Vapor

/// The notices of each community that are not withdrawn nor expired, kept in memory (a ``ReadCache``
/// tagged with the community): a reader's list, a notice page and the emergency banner on every page are
/// computed from it without a query. Publishing or withdrawing publishes `NoticesChanged`
/// after the commit, which drops the community's entry on every server. Scheduled notices are held
/// before their time and shown from it. The rows are shared by every request: read them, never change them.
final class NoticeBoard: Sendable {
    static let lifetime: TimeInterval = 60
    /// Of each community, the newest (by publication time) this many.
    static let depth = 500

    /// What one person sees: the notices whose audience includes them, pinned first, and which of those
    /// they read.
    struct Reading: Sendable {
        let notices: [Notice]
        let read: Set<UUID>
        /// `/api/v1/me/notices` as asked with no query string, encoded.
        let firstPage: EncodedJSON
    }

    private let boards = ReadCache<UUID, [Notice]>(lifetime: lifetime)
    /// By person, tagged with the person and their communities; dropped whole by any person's change.
    let readers = ReadCache<UUID, Reading>(lifetime: lifetime)

    /// The current notices of these communities (published by `now`), newest first, and when that list
    /// changes by itself (the next scheduled notice or expiry).
    func current(_ communities: [UUID], now: Date, on db: any Database) async throws -> (notices: [Notice], until: Date) {
        var all: [Notice] = []
        var until = Date.distantFuture
        for community in Set(communities) {
            let notices = try await boards.value(community, now: now) {
                let rows = try await Notice.query(on: db).filter(\.$communityID == community)
                    .filter(\.$withdrawnAt == nil)
                    .group(.or) { $0.filter(\.$expiresAt == nil).filter(\.$expiresAt > now) }
                    .sort(\.$publishAt, .descending).limit(Self.depth).all()
                return (rows, [community], .distantFuture)
            }
            for notice in notices {
                if notice.publishAt > now { until = min(until, notice.publishAt) }
                if let expires = notice.expiresAt, expires > now { until = min(until, expires) }
            }
            all += notices.filter { $0.publishAt <= now && ($0.expiresAt ?? .distantFuture) > now }
        }
        return (all.sorted { $0.publishAt > $1.publishAt }, until)
    }

    func forget(_ community: UUID) {
        boards.forget(tagged: community)
        readers.forget(tagged: community)
    }
}

extension Application {
    private struct NoticeBoardKey: StorageKey { typealias Value = NoticeBoard }

    /// The notice board (see ``NoticeBoard``); made by the Property feature before serving.
    var noticeBoard: NoticeBoard {
        if let board = storage[NoticeBoardKey.self] { return board }
        let board = NoticeBoard()
        storage[NoticeBoardKey.self] = board
        events.on(NoticesChanged.self) { board.forget($0.community) }
        events.on(NoticeWasRead.self) { board.readers.forget(tagged: $0.person) }
        // An audience group can rest on another member of the home (a child's birth year makes the
        // parents), so any person's change drops every reader's list.
        events.on(PersonChanged.self) { _ in board.readers.forgetAll() }
        events.on(PeopleChanged.self) { _ in board.readers.forgetAll() }
        return board
    }
}

extension Notices {
    /// What the person sees (see ``NoticeBoard/Reading``), kept until a notice of their communities, their
    /// homes or their receipts change: one query for their facts when a notice is for some residents, and
    /// one for their receipts, only when it is not kept.
    static func reading(for principal: Principal, now: Date, on req: Request) async throws -> NoticeBoard.Reading {
        let communities = Set(principal.households.values)
        guard !communities.isEmpty else { return try .init(notices: [], read: [], firstPage: page(of: [], read: [])) }
        let board = req.application.noticeBoard
        return try await board.readers.value(principal.personID, now: now) {
            let (current, until) = try await board.current(Array(communities), now: now, on: req.db)
            var mine: [Notice] = []
            // The reader's own facts (buildings, groups) only when a notice is for some of the community.
            var facts: [UUID: NoticeAudience.Resident?] = [:]
            for notice in current.prefix(200) {
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
            mine.sort { ($0.pinned ? 1 : 0, $0.publishAt) > ($1.pinned ? 1 : 0, $1.publishAt) }
            let read =
                mine.isEmpty
                ? []
                : try await NoticeRead.query(on: req.db).filter(\.$personID == principal.personID)
                    .filter(\.$noticeID ~~ mine.compactMap(\.id)).all(\.$noticeID)
            let receipts = Set(read)
            return (
                NoticeBoard.Reading(notices: mine, read: receipts, firstPage: try page(of: mine, read: receipts)),
                communities.union([principal.personID]),
                min(until, Calendar.nextChinaDay(after: now))
            )
        }
    }

    /// A reader's page of notices: their read receipts folded in.
    static func page(_ page: ListPage<Notice>, read: Set<UUID>) throws -> ListPage<NoticeOut> {
        ListPage(items: try page.items.map { try out($0, read: read.contains($0.id ?? UUID())) }, metadata: page.metadata)
    }

    /// The first page with the list's defaults, encoded.
    private static func page(of notices: [Notice], read: Set<UUID>) throws -> EncodedJSON {
        let per = ListOptions.defaultPer
        let first = ListPage(
            items: Array(notices.prefix(per)), metadata: PageMetadata(page: 1, per: per, total: notices.count))
        return try EncodedJSON(page(first, read: read))
    }

    /// Notices published, not expired nor withdrawn, whose audience includes the person, pinned first.
    static func visible(to principal: Principal, now: Date, on req: Request) async throws -> [Notice] {
        try await reading(for: principal, now: now, on: req).notices
    }

    /// The unread emergency notices of a person (the banner on every page).
    static func unreadEmergencies(_ principal: Principal, now: Date, on req: Request) async throws -> [Notice] {
        let reading = try await reading(for: principal, now: now, on: req)
        return reading.notices.filter { $0.category == .emergency && !reading.read.contains($0.id ?? UUID()) }
    }

    /// Announces, after the commit, that a community's notices changed (every server's board drops them).
    static func changed(_ community: UUID, on req: Request) {
        req.application.events.publish(NoticesChanged(community: community))
    }
}
