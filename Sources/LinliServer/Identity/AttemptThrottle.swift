import Fluent
import LinliCore
import SQLKit
import Vapor

/// Counts failed attempts at a secret (a password, a reset code, a provisioning secret) per key — a
/// phone, a source address, a provisioning key — in `login_attempts`, slowing and then locking.
///
/// The failure is counted *before* the check, by one atomic upsert per key, so parallel guesses each
/// see their own number and the ones past the limit are refused without being checked; a success
/// clears the first key's count and takes back its own count from the others (an office signing in
/// all day behind one address is not locked out).
enum AttemptThrottle {
    static func guarded(
        _ keys: [(String, LoginThrottle)], failure: LinliError, on request: Request, _ check: () async throws -> Bool
    ) async throws {
        let now = request.clock.now()
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
        guard try await check() else {
            for (key, rules) in keys {
                if let until = try await lockIfReached(key, rules, now: now, on: request.db) {
                    throw locked(until: until, now: now)
                }
            }
            throw failure
        }
        if let first = keys.first {
            try await LoginAttempt.query(on: request.db).filter(\.$phone == first.0).delete()
        }
        if keys.count > 1, let sql = request.db as? any SQLDatabase {
            try await sql.update(LoginAttempt.schema).set(SQLIdentifier("failures"), to: SQLRaw("failures - 1"))
                .where("phone", .in, keys.dropFirst().map(\.0)).where("failures", .greaterThan, 0).run()
        }
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
}
