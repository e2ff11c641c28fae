import Fluent
import Foundation
import NIOConcurrencyHelpers
import Vapor

/// A browser session, with the person it signs in and its times, so sessions can be ended per
/// person (a password change ends the others) and expire on the server: after 7 idle days or
/// 30 days after sign-in, whatever the cookie says.
final class WebSession: Model, @unchecked Sendable {
    static let schema = "web_sessions"
    static let idleLimit: TimeInterval = 7 * 24 * 3600
    static let absoluteLimit: TimeInterval = 30 * 24 * 3600
    /// How stale `seen_at` may get before an unchanged session is written again.
    static let seenResolution: TimeInterval = 300

    // managed
    @ID(key: .id) var id: UUID?

    // data
    /// The random session id of the cookie (256 bits).
    @Field(key: "key") var key: String
    @OptionalField(key: "person_id") var personID: UUID?
    @Field(key: "data") var data: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "seen_at") var seenAt: Date

    init() {}

    func isExpired(at now: Date) -> Bool {
        now.timeIntervalSince(seenAt) > Self.idleLimit || now.timeIntervalSince(createdAt) > Self.absoluteLimit
    }
}

/// What a session row holds, as read.
struct SessionRow: Sendable {
    let key: String
    let personID: UUID?
    let data: String
    let createdAt: Date
    let seenAt: Date
    /// When this server read or wrote it.
    let known: Date

    init(_ row: WebSession, known: Date) {
        key = row.key
        personID = row.personID
        data = row.data
        createdAt = row.createdAt
        seenAt = row.seenAt
        self.known = known
    }

    func isExpired(at now: Date) -> Bool {
        now.timeIntervalSince(seenAt) > WebSession.idleLimit || now.timeIntervalSince(createdAt) > WebSession.absoluteLimit
    }
}

/// The sessions this server read, kept on SQLite only: there one server alone uses the database (its
/// lock file says so), every change of a session goes through it, and so what it keeps is what is
/// stored — a page costs no session read. On PostgreSQL several servers share the sessions and each
/// request reads its row. A person's sessions are dropped when anything of theirs changes (a password,
/// a sign-out everywhere: `PersonChanged`), and a kept row is read again after 60 s, the bound for a
/// change made outside the server (`linli create-admin` on the file).
final class SessionRows: Sendable {
    static let lifetime: TimeInterval = 60
    let isOn: Bool
    private let rows = NIOLockedValueBox([String: SessionRow]())

    init(isOn: Bool) { self.isOn = isOn }

    func row(_ key: String, now: Date) -> SessionRow? {
        guard isOn else { return nil }
        return rows.withLockedValue { rows in
            guard let row = rows[key] else { return nil }
            guard now.timeIntervalSince(row.known) < Self.lifetime else {
                rows[key] = nil
                return nil
            }
            return row
        }
    }

    func keep(_ row: SessionRow) {
        guard isOn else { return }
        rows.withLockedValue { rows in
            if rows.count > 100_000 { rows.removeAll() }
            rows[row.key] = row
        }
    }

    func forget(_ key: String) { rows.withLockedValue { $0[key] = nil } }

    func forget(person: UUID) { rows.withLockedValue { $0 = $0.filter { $0.value.personID != person } } }

    func forgetAll() { rows.withLockedValue { $0.removeAll() } }
}

extension Application {
    private struct SessionRowsKey: StorageKey { typealias Value = SessionRows }

    /// The kept sessions (see ``SessionRows``); made at start.
    var sessionRows: SessionRows {
        get { storage[SessionRowsKey.self] ?? SessionRows(isOn: false) }
        set { storage[SessionRowsKey.self] = newValue }
    }
}

/// Vapor's session store for `WebSession` rows.
struct WebSessionDriver: AsyncSessionDriver {
    private struct Loaded: StorageKey { typealias Value = (row: SessionRow, data: SessionData) }

    func createSession(_ data: SessionData, for request: Request) async throws -> SessionID {
        let now = request.clock.now()
        let row = WebSession()
        row.key = Self.newKey()
        row.personID = data["person"].flatMap(UUID.init(uuidString:))
        row.data = try Self.encode(data)
        row.createdAt = now
        row.seenAt = now
        try await row.create(on: request.db)
        request.application.sessionRows.keep(SessionRow(row, known: now))
        return SessionID(string: row.key)
    }

    func readSession(_ sessionID: SessionID, for request: Request) async throws -> SessionData? {
        guard sessionID.string.count <= 100 else { return nil }
        let now = request.clock.now()
        let kept = request.application.sessionRows
        var found = kept.row(sessionID.string, now: now)
        if found == nil, let stored = try await WebSession.query(on: request.db).filter(\.$key == sessionID.string).first() {
            found = SessionRow(stored, known: now)
            kept.keep(SessionRow(stored, known: now))
        }
        guard let row = found else { return nil }
        if row.isExpired(at: now) {
            kept.forget(row.key)
            try await WebSession.query(on: request.db).filter(\.$key == row.key).delete()
            return nil
        }
        let data = try JSONDecoder().decode(SessionData.self, from: Data(row.data.utf8))
        request.storage[Loaded.self] = (row, data)
        return data
    }

    func updateSession(_ sessionID: SessionID, to data: SessionData, for request: Request) async throws -> SessionID {
        let now = request.clock.now()
        guard let (row, before) = request.storage[Loaded.self], row.key == sessionID.string else {
            // Not read in this request (a new id chosen at sign-in, say): store it as new.
            return try await createSession(data, for: request)
        }
        if before == data && now.timeIntervalSince(row.seenAt) < WebSession.seenResolution { return sessionID }
        let person = data["person"].flatMap(UUID.init(uuidString:))
        let encoded = try Self.encode(data)
        try await WebSession.query(on: request.db).filter(\.$key == row.key).set(\.$personID, to: person)
            .set(\.$data, to: encoded).set(\.$seenAt, to: now).update()
        let stored = WebSession()
        stored.key = row.key
        stored.personID = person
        stored.data = encoded
        stored.createdAt = row.createdAt
        stored.seenAt = now
        request.application.sessionRows.keep(SessionRow(stored, known: now))
        return sessionID
    }

    func deleteSession(_ sessionID: SessionID, for request: Request) async throws {
        request.application.sessionRows.forget(sessionID.string)
        try await WebSession.query(on: request.db).filter(\.$key == sessionID.string).delete()
    }

    private static func encode(_ data: SessionData) throws -> String {
        String(decoding: try JSONEncoder().encode(data), as: UTF8.self)
    }

    private static func newKey() -> String {
        Data([UInt8].random(count: 32)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

extension Request {
    /// Starts a fresh session for a sign-in: the id the browser had before is thrown away, so a
    /// session id planted before sign-in (fixation) never becomes a signed-in one.
    func renewSession(signingIn personID: UUID) async throws {
        if let old = session.id {
            application.sessionRows.forget(old.string)
            try await WebSession.query(on: db).filter(\.$key == old.string).delete()
        }
        let carried = session.data.snapshot.filter { $0.key != "person" && $0.key != "csrf" }
        session.id = nil
        session.data = SessionData(initialData: carried)
        session.data["person"] = personID.uuidString
    }
}
