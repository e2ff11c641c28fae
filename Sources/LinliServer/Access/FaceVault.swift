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
/// and updated in place on enrolment and withdrawal.
actor FaceGalleries {
    private struct Key: Hashable {
        let community: UUID
        let model: String
    }

    private var galleries: [Key: FaceGallery<UUID>] = [:]
    /// Vector id → person.
    private var owners: [UUID: UUID] = [:]
    private var loaded: Set<UUID> = []
    private let vault: FaceVault

    init(vault: FaceVault) { self.vault = vault }

    private func load(_ community: UUID, on db: any Database) async throws {
        guard !loaded.contains(community) else { return }
        for row in try await FaceVector.query(on: db).filter(\.$communityID == community).all() {
            try insert(row, vector: try vault.open(row.sealed))
        }
        loaded.insert(community)
    }

    private func insert(_ row: FaceVector, vector: [Float]) throws {
        let key = Key(community: row.communityID, model: row.model)
        let gallery = try galleries[key] ?? FaceGallery<UUID>(model: row.model, dimension: row.dimension)
        galleries[key] = gallery
        try gallery.upsert(try row.requireID(), vector)
        owners[try row.requireID()] = row.personID
    }

    func add(_ row: FaceVector, vector: [Float], on db: any Database) async throws {
        try await load(row.communityID, on: db)
        try insert(row, vector: vector)
    }

    func remove(vectors: [FaceVector]) {
        for row in vectors {
            guard let id = row.id else { continue }
            galleries[Key(community: row.communityID, model: row.model)]?.remove(id)
            owners.removeValue(forKey: id)
        }
    }

    /// The dimension enrolled for a model in a community, if any.
    func dimension(community: UUID, model: String, on db: any Database) async throws -> Int? {
        try await load(community, on: db)
        return galleries[Key(community: community, model: model)]?.dimension
    }

    /// The best match: person and cosine score.
    func best(community: UUID, model: String, probe: [Float], on db: any Database) async throws -> (UUID, Double)? {
        try await load(community, on: db)
        guard let gallery = galleries[Key(community: community, model: model)],
            let match = try gallery.best(probe), let person = owners[match.key]
        else { return nil }
        return (person, match.score)
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
