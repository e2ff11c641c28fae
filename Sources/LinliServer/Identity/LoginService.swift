import Fluent
import LinliCore
import Vapor

/// Checks a phone and password, slowing and then locking repeated failures for one phone.
/// The one login path for both the web form and the token API.
enum LoginService {
    static let throttle = LoginThrottle()
    /// Verified against when the phone is unknown, so timing does not tell which phones exist.
    private static let decoyHash = (try? Bcrypt.hash("linli-decoy", cost: 10)) ?? ""

    static func authenticate(phone rawPhone: String, password: String, on request: Request) async throws -> Person {
        guard let phone = PhoneNumber(rawPhone)?.digits, !password.isEmpty, password.count <= 200 else {
            throw LinliError(.invalidCredentials)
        }
        let now = request.clock.now()
        let attempt = try await LoginAttempt.query(on: request.db).filter(\.$phone == phone).first()
        let state = LoginThrottle.State(
            failures: attempt?.failures ?? 0, firstFailure: attempt?.firstFailure, lockedUntil: attempt?.lockedUntil)
        switch throttle.verdict(for: state, now: now) {
        case .locked(let until):
            let minutes = max(1, Int((until.timeIntervalSince(now) / 60).rounded(.up)))
            throw LinliError(
                .loginLocked, ["minutes": "\(minutes)"],
                headers: ["Retry-After": "\(Int(until.timeIntervalSince(now).rounded(.up)))"])
        case .proceed(let delay):
            if delay > 0 { try await request.clock.sleep(seconds: delay) }
        }
        let person = try await Person.query(on: request.db).filter(\.$phone == phone).first()
        let hash = person?.passwordHash ?? decoyHash
        let matches = (try? await request.password.async.verify(password, created: hash)) ?? false
        guard let person, person.passwordHash != nil, matches else {
            let next = throttle.recordingFailure(state, now: now)
            let row = attempt ?? LoginAttempt(phone: phone)
            row.failures = next.failures
            row.firstFailure = next.firstFailure
            row.lockedUntil = next.lockedUntil
            try await row.save(on: request.db)
            if let until = next.lockedUntil {
                let minutes = max(1, Int((until.timeIntervalSince(now) / 60).rounded(.up)))
                throw LinliError(.loginLocked, ["minutes": "\(minutes)"])
            }
            throw LinliError(.invalidCredentials)
        }
        if let attempt { try await attempt.delete(on: request.db) }
        return person
    }
}
