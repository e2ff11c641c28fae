import Crypto
import Fluent
import Foundation
import SQLKit

/// Re-keys the bare SHA-256 card and PIN hashes stored before `CredentialKey` existed.
struct KeyAccessCredentialHashes: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let rows = try await AccessCredential.query(on: database).all()
        var keys: [UUID: CredentialKey.Value] = [:]
        for row in rows {
            let key: CredentialKey.Value
            if let known = keys[row.communityID] {
                key = known
            } else {
                key = try await CredentialKey.of(row.communityID, on: database)
                keys[row.communityID] = key
            }
            row.valueHash = key.hash(sha256: row.valueHash)
            try await row.save(on: database)
        }
    }

    func revert(on database: any Database) async throws {}
}
