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
    ///
    /// The failure is counted *before* the check, by one atomic upsert per key, so parallel guesses each
    /// see their own number and the ones past the limit are refused without being checked; a success
    /// clears the phone's count.
    static func withThrottle(
        phone rawPhone: String, on request: Request, _ check: (String) async throws -> Person?
    ) async throws -> Person {
        guard let phone = PhoneNumber(rawPhone)?.digits else { throw LinliError(.invalidCredentials) }
        let now = request.clock.now()
        var keys = [("phone:" + phone, throttle)]
        if let address = request.remoteAddress?.ipAddress { keys.append(("ip:" + address, addressThrottle)) }
        var delay: TimeInterval = 0
        for (key, rules) in keys {
            let state = try await countAttempt(key, rules, now: now, on: request.db)
            switch rules.verdict(afterCounting: state, now: now) {
            case .locked(let until):
                throw locked(until: try await lockIfReached(key, rules, now: now, on: request.db) ?? until, now: now)
            case .proceed(let wait): delay = max(delay, wait)
            }
        }
        if delay > 0 { try await request.clock.sleep(seconds: delay) }
        guard let person = try await check(phone) else {
            for (key, rules) in keys {
                if let until = try await lockIfReached(key, rules, now: now, on: request.db) {
                    throw locked(until: until, now: now)
                }
            }
            throw LinliError(.invalidCredentials)
        }
        try await LoginAttempt.query(on: request.db).filter(\.$phone == "phone:" + phone).delete()
        if keys.count > 1, let sql = request.db as? any SQLDatabase {
            // A success takes back its address's count: an office signing in all day is not locked out.
            try await sql.update(LoginAttempt.schema).set(SQLIdentifier("failures"), to: SQLRaw("failures - 1"))
                .where("phone", .equal, keys[1].0).where("failures", .greaterThan, 0).run()
        }
        return person
    }

    private static func locked(until: Date, now: Date) -> LinliError {
        let seconds = max(1, Int(until.timeIntervalSince(now).rounded(.up)))
        return LinliError(
            .loginLocked, ["minutes": "\(max(1, (seconds + 59) / 60))"], headers: ["Retry-After": "\(seconds)"])
    }

    /// Adds one to the key's failures (starting over when the window or a lock has passed) and answers
    /// the state after it, in one statement.
    private static func countAttempt(_ key: String, _ rules: LoginThrottle, now: Date, on db: any Database)
        async throws -> LoginThrottle.State
    {
        guard let sql = db as? any SQLDatabase else { return .init() }
        let windowStart = now.addingTimeInterval(-rules.window)
        let table = SQLIdentifier(LoginAttempt.schema)
        let fresh: SQLQueryString =
            "(\(table).first_failure IS NULL OR \(table).first_failure < \(bind: windowStart) OR (\(table).locked_until IS NOT NULL AND \(table).locked_until <= \(bind: now)))"
        let row = try await sql.raw(
            """
            INSERT INTO \(table) (id, phone, failures, first_failure) VALUES (\(bind: UUID()), \(bind: key), 1, \(bind: now))
            ON CONFLICT (phone) DO UPDATE SET
              failures = CASE WHEN \(fresh) THEN 1 ELSE \(table).failures + 1 END,
              locked_until = CASE WHEN \(fresh) THEN NULL ELSE \(table).locked_until END,
              first_failure = CASE WHEN \(fresh) THEN \(bind: now) ELSE \(table).first_failure END
            RETURNING failures, first_failure, locked_until
            """
        ).first()
        guard let row else { return .init() }
        return LoginThrottle.State(
            failures: try row.decode(column: "failures", as: Int.self),
            firstFailure: try row.decode(column: "first_failure", as: Date?.self),
            lockedUntil: try row.decode(column: "locked_until", as: Date?.self))
    }

    /// After a wrong answer: locks the key once its count reached the limit; answers the lock's end.
    private static func lockIfReached(_ key: String, _ rules: LoginThrottle, now: Date, on db: any Database)
        async throws -> Date?
    {
        guard let row = try await LoginAttempt.query(on: db).filter(\.$phone == key).first(),
            row.failures >= rules.lockAfter
        else { return nil }
        if let until = row.lockedUntil, until > now { return until }
        let until = now.addingTimeInterval(rules.lockDuration)
        row.lockedUntil = until
        try await row.save(on: db)
        return until
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
