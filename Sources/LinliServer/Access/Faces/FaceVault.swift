import Crypto
import Fluent
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import LinliCore
import NIOConcurrencyHelpers
import Vapor

/// Seals face vectors with AES-GCM. The key comes from `LINLI_FACE_KEY` (32 bytes, base64); without it
/// a key file (`LINLI_FACE_KEY_FILE`, default `./linli-face.key`, mode 0600) is created once and reused.
struct FaceVault: Sendable {
    let key: SymmetricKey

    /// A key that is set but cannot be read stops the server with a clear message instead of quietly
    /// making a new key (every stored vector would be lost); an existing key file is never overwritten.
    static func fromEnvironment(_ app: Application) throws -> FaceVault {
        if Environment.get("LINLI_FACE_KEY") == nil, app.environment == .testing || app.printsHelpOnly {
            return FaceVault(key: SymmetricKey(data: Data(repeating: 7, count: 32)))
        }
        return try load(keyText: Environment.get("LINLI_FACE_KEY"), path: Environment.get("LINLI_FACE_KEY_FILE") ?? "linli-face.key")
    }

    /// The key from `keyText` (base64) when given, else from the file at `path`, made there once.
    static func load(keyText: String?, path: String) throws -> FaceVault {
        if let text = keyText {
            guard let data = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)),
                data.count == 32
            else { throw KeyProblem("LINLI_FACE_KEY is set but is not 32 bytes of base64") }
            return FaceVault(key: SymmetricKey(data: data))
        }
        if FileManager.default.fileExists(atPath: path) {
            guard let data = FileManager.default.contents(atPath: path), data.count == 32 else {
                throw KeyProblem("the face key file \(path) exists but cannot be read as a 32-byte key; it was left as it is")
            }
            return FaceVault(key: SymmetricKey(data: data))
        }
        let key = SymmetricKey(size: .bits256)
        let data = key.withUnsafeBytes { Data($0) }
        // O_EXCL: if another process created the file meanwhile, this fails instead of replacing it.
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw KeyProblem("the face key file \(path) could not be created") }
        defer { Glibc.close(fd) }
        let written = data.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard written == data.count, fsync(fd) == 0 else {
            throw KeyProblem("the face key file \(path) could not be written")
        }
        return FaceVault(key: key)
    }

    /// Why the face key could not be used; the server does not start.
    struct KeyProblem: Error, CustomStringConvertible {
        let description: String
        init(_ text: String) { description = "Face data key: " + text }
    }

    func seal(_ vector: [Float]) throws -> Data {
        let plain = vector.withUnsafeBufferPointer { Data(buffer: $0) }
        guard let combined = try AES.GCM.seal(plain, using: key).combined else { throw LinliError(.internalError) }
        return combined
    }

    func open(_ sealed: Data) throws -> [Float] {
        let plain = try AES.GCM.open(try AES.GCM.SealedBox(combined: sealed), using: key)
        return plain.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }
}

/// The in-memory galleries of every community and model, loaded from the sealed vectors on first use
/// and updated in place after enrolment and withdrawal are committed. Decisions scan under a read lock,
/// so they run in parallel; a community loading while its faces change loads again.
final class FaceGalleries: Sendable {
    private struct Key: Hashable {
        let community: UUID
        let model: String
    }

    private struct State {
        var galleries: [Key: FaceGallery<UUID>] = [:]
        /// Vector id → person.
        var owners: [UUID: UUID] = [:]
        var loaded: Set<UUID> = []
        /// Bumped by every change of a community's faces, so a load that raced one starts over.
        var changes: [UUID: Int] = [:]

        mutating func insert(_ row: FaceVector, vector: [Float]) throws {
            let key = Key(community: row.communityID, model: row.model)
            let gallery = try galleries[key] ?? FaceGallery<UUID>(model: row.model, dimension: row.dimension)
            galleries[key] = gallery
            try gallery.upsert(try row.requireID(), vector)
            owners[try row.requireID()] = row.personID
        }
    }

    private let state = ReadWriteLock(State())
    private let vault: FaceVault
    /// Told about vectors left out of a gallery (logged, and an alarm for the operators).
    private let onBadVectors: @Sendable (UUID, [FaceVector]) async -> Void
    /// Told about every change of a community's faces made here (the other servers load it again).
    private let onChange: @Sendable (UUID) -> Void

    init(
        vault: FaceVault, onBadVectors: @escaping @Sendable (UUID, [FaceVector]) async -> Void = { _, _ in },
        onChange: @escaping @Sendable (UUID) -> Void = { _ in }
    ) {
        self.vault = vault
        self.onBadVectors = onBadVectors
        self.onChange = onChange
    }

    /// After a consent to server matching was given or withdrawn: the community loads again.
    func reload(_ community: UUID) {
        forget(community)
        onChange(community)
    }

    /// Another server changed the community's faces: they are loaded again at the next decision.
    func forget(_ community: UUID) {
        state.write { state in
            state.changes[community, default: 0] += 1
            state.loaded.remove(community)
            state.galleries = state.galleries.filter { $0.key.community != community }
        }
    }

    private func load(_ community: UUID, on db: any Database) async throws {
        while true {
            let before: Int? = state.read { $0.loaded.contains(community) ? nil : $0.changes[community, default: 0] }
            guard let before else { return }
            // Only people who gave the further consent to matching on the server are matched here.
            let consenting = Set(
                try await FaceConsent.query(on: db).filter(\.$communityID == community).filter(\.$withdrawnAt == nil)
                    .filter(\.$serverMatching == true).all(\.$personID))
            let rows = try await FaceVector.query(on: db).filter(\.$communityID == community).all()
                .filter { consenting.contains($0.personID) }
            var opened: [(FaceVector, [Float])] = []
            var bad: [FaceVector] = []
            for row in rows {
                // One vector that cannot be opened, or of the wrong size, is left out; the rest still match.
                if let vector = try? vault.open(row.sealed), vector.count == row.dimension {
                    opened.append((row, vector))
                } else {
                    bad.append(row)
                }
            }
            let done = state.write { state -> Bool in
                if state.loaded.contains(community) { return true }
                guard state.changes[community, default: 0] == before else { return false }
                for (row, vector) in opened where (try? state.insert(row, vector: vector)) == nil { bad.append(row) }
                state.loaded.insert(community)
                return true
            }
            if !bad.isEmpty { await onBadVectors(community, bad) }
            if done { return }
        }
    }

    /// After an enrolment is committed; matched on the server only with that consent.
    func add(_ row: FaceVector, vector: [Float], serverMatching: Bool) throws {
        try state.write { state in
            state.changes[row.communityID, default: 0] += 1
            if serverMatching, state.loaded.contains(row.communityID) { try state.insert(row, vector: vector) }
        }
        onChange(row.communityID)
    }

    /// After a withdrawal is committed.
    func remove(vectors: [FaceVector]) {
        state.write { state in
            for row in vectors {
                state.changes[row.communityID, default: 0] += 1
                guard let id = row.id else { continue }
                state.galleries[Key(community: row.communityID, model: row.model)]?.remove(id)
                state.owners.removeValue(forKey: id)
            }
        }
        for community in Set(vectors.map(\.communityID)) { onChange(community) }
    }

    /// The dimension enrolled for a model in a community, if any.
    func dimension(community: UUID, model: String, on db: any Database) async throws -> Int? {
        try await load(community, on: db)
        return state.read { $0.galleries[Key(community: community, model: model)]?.dimension }
    }

    /// The best match: person and cosine score.
    func best(community: UUID, model: String, probe: [Float], on db: any Database) async throws -> (UUID, Double)? {
        try await load(community, on: db)
        return try state.read { state in
            guard let gallery = state.galleries[Key(community: community, model: model)],
                let match = try gallery.best(probe), let person = state.owners[match.key]
            else { return nil }
            return (person, match.score)
        }
    }
}

extension Application {
    private struct GalleriesKey: StorageKey { typealias Value = FaceGalleries }
    private struct VaultKey: StorageKey { typealias Value = FaceVault }

    /// Set up once at start (`Access.register`), before any request can race for it.
    func prepareFaces() throws {
        let vault = try FaceVault.fromEnvironment(self)
        storage[VaultKey.self] = vault
        let logger = logger
        let db = db
        let events = events
        let app = self
        let galleries = FaceGalleries(
            vault: vault,
            onBadVectors: { community, bad in
                logger.error(
                    "face vectors left out of matching", metadata: ["community": "\(community)", "count": "\(bad.count)"])
                await FaceAlarm.badVectors(
                    community, count: bad.count, at: app.clock.now(), on: db, events: events, logger: logger)
            }, onChange: { events.publish(GalleryChanged(community: $0)) })
        storage[GalleriesKey.self] = galleries
        events.on(GalleryChanged.self, elsewhereOnly: true) { galleries.forget($0.community) }
    }

    var faceVault: FaceVault {
        get throws {
            guard let vault = storage[VaultKey.self] else { throw LinliError(.unavailable) }
            return vault
        }
    }

    var faceGalleries: FaceGalleries {
        get throws {
            guard let galleries = storage[GalleriesKey.self] else { throw LinliError(.unavailable) }
            return galleries
        }
    }
}

/// Tells a community's operators that face vectors could not be used (a wrong key, a damaged row).
enum FaceAlarm {
    static func badVectors(
        _ community: UUID, count: Int, at now: Date, on db: any Database, events: LinliEvents, logger: Logger
    ) async {
        do {
            try await Notifier.send(
                L10n.text("face.badVectors", .zhCN, ["count": "\(count)"]), .access, to: .role(.operator_),
                community: community, now: now, on: db)
            events.publish(NotificationsChanged(community: community))
        } catch { logger.report(error: error) }
    }
}
