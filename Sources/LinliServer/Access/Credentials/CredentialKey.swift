import Crypto
import Fluent
import Foundation
import SQLKit

/// A community's secret for card, PIN and pass hashes: what is stored and what terminals sync is
/// `HMAC-SHA256(key, sha256hex(value))`, so neither the database nor a copy of the sync feed lets
/// anyone try the million 6-digit PINs without the key. Terminals fetch the key on its own
/// (`GET /api/v1/devices/access/credential-key`), never inside the feed.
final class CredentialKey: Model, @unchecked Sendable {
    static let schema = "access_credential_keys"

    // managed
    @ID(key: .id) var id: UUID?

    // data
    @Field(key: "community_id") var communityID: UUID
    /// 32 random bytes, base64.
    @Field(key: "secret") var secret: String

    init() {}

    struct Value: Sendable {
        let key: SymmetricKey
        let base64: String

        /// The stored form of a card number, PIN or pass code.
        func hash(_ value: String) -> String { hash(sha256: Secret.hash(value)) }

        /// The keyed form of an already SHA-256-hashed value (how older rows are re-keyed).
        func hash(sha256 text: String) -> String {
            let mac = HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: key)
            return mac.map { String(format: "%02x", $0) }.joined()
        }
    }

    /// The community's key, created once (a parallel creator's row wins by the unique index).
    static func of(_ community: UUID, on db: any Database) async throws -> Value {
        if let row = try await CredentialKey.query(on: db).filter(\.$communityID == community).first(),
            let value = row.value
        {
            return value
        }
        let secret = Data([UInt8].random(count: 32)).base64EncodedString()
        if let sql = db as? any SQLDatabase {
            try await sql.insert(into: schema).columns("id", "community_id", "secret")
                .values(SQLBind(UUID()), SQLBind(community), SQLBind(secret))
                .ignoringConflicts(with: ["community_id"]).run()
        }
        guard let row = try await CredentialKey.query(on: db).filter(\.$communityID == community).first(),
            let value = row.value
        else { throw LinliError(.unavailable) }
        return value
    }

    var value: Value? {
        guard let bytes = Data(base64Encoded: secret), bytes.count == 32 else { return nil }
        return Value(key: SymmetricKey(data: bytes), base64: secret)
    }
}
