import Fluent
import Foundation
import LinliCore
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// The access log's writer: decisions are committed in groups (one transaction for all the gates that
/// decided meanwhile); a repeated (device, event id) is not stored twice and answers `false`.
enum AccessLog {
    static func committer(_ db: any Database, logger: Logger) -> GroupCommit<AccessEvent, Bool> {
        GroupCommit(onError: { error in logger.report(error: error) }) { events in
            try await db.writeTransaction { tx in
                guard let sql = tx as? any SQLDatabase else { return events.map { _ in false } }
                var insert = sql.insert(into: AccessEvent.schema).columns(
                    "id", "community_id", "gate_id", "device_id", "event_id", "person_id", "pass_id", "method", "allow",
                    "reason", "score", "latency_ms", "at", "source", "direction")
                for e in events {
                    insert = insert.values(
                        SQLBind(e.id), SQLBind(e.communityID), SQLBind(e.gateID), SQLBind(e.deviceID),
                        SQLBind(e.eventID),
                        SQLBind(e.personID), SQLBind(e.passID), SQLBind(e.method), SQLBind(e.allow), SQLBind(e.reason),
                        SQLBind(e.score), SQLBind(e.latencyMs), SQLBind(e.at), SQLBind(e.source),
                        SQLBind(e.direction))
                }
                let rows = try await insert.ignoringConflicts(with: ["device_id", "event_id"]).returning("id").all()
                let inserted = Set(try rows.map { try $0.decode(column: "id", as: UUID.self) })
                return events.map { $0.id.map(inserted.contains) ?? false }
            }
        }
    }
}

extension Application {
    private struct AccessLogKey: StorageKey { typealias Value = GroupCommit<AccessEvent, Bool> }

    var accessLog: GroupCommit<AccessEvent, Bool> {
        get throws {
            guard let log = storage[AccessLogKey.self] else { throw LinliError(.unavailable) }
            return log
        }
    }

    func prepareAccessLog() {
        storage[AccessLogKey.self] = AccessLog.committer(db, logger: logger)
        storage[RecentDecisionsKey.self] = RecentDecisions(since: clock.now())
    }

    private struct RecentDecisionsKey: StorageKey { typealias Value = RecentDecisions }

    var recentDecisions: RecentDecisions {
        get throws {
            guard let recent = storage[RecentDecisionsKey.self] else { throw LinliError(.unavailable) }
            return recent
        }
    }
}
