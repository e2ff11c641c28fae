import Fluent
import LinliCore
import SQLKit
import Vapor

/// Checks a phone and password, slowing and then locking repeated failures per phone and per
/// source address. The one sign-in path for the web form, the token API and reset codes.
enum LoginService {
    static let throttle = LoginThrottle()
    /// A source address (a whole office behind one NAT) may fail more often than one phone.
    static let addressThrottle: LoginThrottle = {
        var throttle = LoginThrottle()
        throttle.slowAfter = 10
        throttle.lockAfter = 30
        return throttle
    }()

    static func authenticate(phone rawPhone: String, password: String, on request: Request) async throws -> Person {
        guard !password.isEmpty, password.count <= 200 else { throw LinliError(.invalidCredentials) }
        return try await withThrottle(phone: rawPhone, on: request) { phone in
            let person = try await Person.query(on: request.db).filter(\.$phone == phone).first()
            // Unknown phones and people without a password are checked against a hash of the same
            // cost, so the answer's timing does not tell which phones exist.
            let hash = try await decoyHash(request)
            let matches =
                (try? await request.password.async.verify(password, created: person?.passwordHash ?? hash)) ?? false
            guard let person, person.passwordHash != nil, matches else { return nil }
            return person
        }
    }

    /// Runs `check` (nil: the credentials were wrong) counted against the phone and the source address.
    static func withThrottle(
        phone rawPhone: String, on request: Request, _ check: (String) async throws -> Person?
    ) async throws -> Person {
        guard let phone = PhoneNumber(rawPhone)?.digits else { throw LinliError(.invalidCredentials) }
        var keys = [("phone:" + phone, throttle)]
        if let address = request.remoteAddress?.ipAddress { keys.append(("ip:" + address, addressThrottle)) }
        var found: Person?
        try await AttemptThrottle.guarded(keys, failure: LinliError(.invalidCredentials), on: request) {
            found = try await check(phone)
            return found != nil
        }
        guard let found else { throw LinliError(.invalidCredentials) }
        return found
    }

    private struct DecoyKey: StorageKey { typealias Value = String }

    /// The decoy hash, once made (tests compare its cost with the application's).
    static func storedDecoy(_ app: Application) -> String? { app.storage[DecoyKey.self] }

    /// A bcrypt hash made with the application's own cost, once.
    private static func decoyHash(_ request: Request) async throws -> String {
        if let hash = request.application.storage[DecoyKey.self] { return hash }
        let hash = try await request.password.async.hash("linli-decoy-" + Secret.alphanumeric(16))
        request.application.storage[DecoyKey.self] = hash
        return hash
    }
}
