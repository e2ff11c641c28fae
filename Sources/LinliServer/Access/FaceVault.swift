import Crypto
import Fluent
import Foundation
import LinliCore
import NIOConcurrencyHelpers
import Vapor

/// Seals face vectors with AES-GCM. The key comes from `LINLI_FACE_KEY` (32 bytes, base64); without it
/// a key file (`LINLI_FACE_KEY_FILE`, default `./linli-face.key`, mode 0600) is created once and reused.
struct FaceVault: Sendable {
    let key: SymmetricKey

    static func fromEnvironment(_ app: Application) throws -> FaceVault {
        if let text = Environment.get("LINLI_FACE_KEY"), let data = Data(base64Encoded: text), data.count == 32 {
            return FaceVault(key: SymmetricKey(data: data))
        }
        if app.environment == .testing { return FaceVault(key: SymmetricKey(data: Data(repeating: 7, count: 32))) }
        let path = Environment.get("LINLI_FACE_KEY_FILE") ?? "linli-face.key"
        if let data = FileManager.default.contents(atPath: path), data.count == 32 {
            return FaceVault(key: SymmetricKey(data: data))
        }
        let key = SymmetricKey(size: .bits256)
        let data = key.withUnsafeBytes { Data($0) }
        guard FileManager.default.createFile(atPath: path, contents: data, attributes: [.posixPermissions: 0o600])
        else {
            throw LinliError(.unavailable)
        }
        return FaceVault(key: key)
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

    init(vault: FaceVault) { self.vault = vault }

    private func load(_ community: UUID, on db: any Database) async throws {
        while true {
            let before: Int? = state.read { $0.loaded.contains(community) ? nil : $0.changes[community, default: 0] }
            guard let before else { return }
            let rows = try await FaceVector.query(on: db).filter(\.$communityID == community).all()
            let opened = try rows.map { ($0, try vault.open($0.sealed)) }
            let done = try state.write { state -> Bool in
                if state.loaded.contains(community) { return true }
                guard state.changes[community, default: 0] == before else { return false }
                for (row, vector) in opened { try state.insert(row, vector: vector) }
                state.loaded.insert(community)
                return true
            }
            if done { return }
        }
    }

    /// After an enrolment is committed.
    func add(_ row: FaceVector, vector: [Float]) throws {
        try state.write { state in
            state.changes[row.communityID, default: 0] += 1
            if state.loaded.contains(row.communityID) { try state.insert(row, vector: vector) }
        }
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
        storage[GalleriesKey.self] = FaceGalleries(vault: vault)
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
