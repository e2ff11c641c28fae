import Fluent
import Foundation
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

/// Vapor's session store for `WebSession` rows.
struct WebSessionDriver: AsyncSessionDriver {
    private struct Loaded: StorageKey { typealias Value = (row: WebSession, data: SessionData) }

    func createSession(_ data: SessionData, for request: Request) async throws -> SessionID {
        let now = request.clock.now()
        let row = WebSession()
        row.key = Self.newKey()
        row.personID = data["person"].flatMap(UUID.init(uuidString:))
        row.data = try Self.encode(data)
        row.createdAt = now
        row.seenAt = now
        try await row.create(on: request.db)
        return SessionID(string: row.key)
    }

    func readSession(_ sessionID: SessionID, for request: Request) async throws -> SessionData? {
        guard sessionID.string.count <= 100,
            let row = try await WebSession.query(on: request.db).filter(\.$key == sessionID.string).first()
        else { return nil }
        if row.isExpired(at: request.clock.now()) {
            try await row.delete(on: request.db)
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
        row.personID = data["person"].flatMap(UUID.init(uuidString:))
        row.data = try Self.encode(data)
        row.seenAt = now
        try await row.save(on: request.db)
        return sessionID
    }

    func deleteSession(_ sessionID: SessionID, for request: Request) async throws {
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
            try await WebSession.query(on: db).filter(\.$key == old.string).delete()
        }
        let carried = session.data.snapshot.filter { $0.key != "person" && $0.key != "csrf" }
        session.id = nil
        session.data = SessionData(initialData: carried)
        session.data["person"] = personID.uuidString
    }
}
