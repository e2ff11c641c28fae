import Crypto
import Fluent
import Foundation
import Vapor

/// An API token. Only its SHA-256 is stored, so a database leak reveals no usable token.
final class UserToken: Model, @unchecked Sendable {
    static let schema = "user_tokens"
    static let lifetime: TimeInterval = 30 * 24 * 3600

    // managed
    @ID(key: .id) var id: UUID?
    @OptionalField(key: "created_at") var createdAt: Date?

    // data
    @Field(key: "person_id") var personID: UUID
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "expires_at") var expiresAt: Date

    init() {}

    init(personID: UUID, tokenHash: String, expiresAt: Date) {
        self.personID = personID
        self.tokenHash = tokenHash
        self.expiresAt = expiresAt
    }

    /// A new random token (256 bits, URL-safe) and the row that stores its hash.
    static func issue(for personID: UUID, now: Date) -> (token: String, row: UserToken) {
        let bytes = [UInt8].random(count: 32)
        let token =
            "lt_"
            + Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return (
            token, UserToken(personID: personID, tokenHash: hash(token), expiresAt: now.addingTimeInterval(lifetime))
        )
    }

    static func hash(_ token: String) -> String {
        Secret.hash(token)
    }
}

/// Failed logins of one phone, for slowing and locking (see `LoginThrottle`).
final class LoginAttempt: Model, @unchecked Sendable {
    static let schema = "login_attempts"

    // managed
    @ID(key: .id) var id: UUID?

    // data
    @Field(key: "phone") var phone: String
    @Field(key: "failures") var failures: Int
    @OptionalField(key: "first_failure") var firstFailure: Date?
    @OptionalField(key: "locked_until") var lockedUntil: Date?

    init() {}

    init(phone: String) {
        self.phone = phone
        self.failures = 0
    }
}
