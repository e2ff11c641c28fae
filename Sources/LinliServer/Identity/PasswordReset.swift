import Fluent
import Foundation
import LinliCore
import SQLKit
import Vapor

/// A one-time code an operator starts for a person who forgot their password, handed over in person.
/// Only its SHA-256 is stored; the code is shown once, in the answer that created it.
final class PasswordReset: Model, @unchecked Sendable {
    static let schema = "password_resets"
    static let lifetime: TimeInterval = 24 * 3600

    // managed
    @ID(key: .id) var id: UUID?

    // data
    @Field(key: "person_id") var personID: UUID
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "code_hash") var codeHash: String
    @Field(key: "created_by") var createdBy: UUID
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "used_at") var usedAt: Date?

    init() {}
}

/// Who may change a person's credentials and shared facts, and the changes themselves.
enum Credentials {
    /// Where the person belongs today, for `AccessRequest.changePerson`.
    static func ties(of person: Person, on req: Request) async throws -> PersonTies {
        let id = try person.requireID()
        let today = req.today
        let memberships = try await Membership.query(on: req.db).filter(\.$personID == id).all()
            .filter { $0.isCurrent(on: today) || ($0.movedIn > today && $0.movedOut == nil) }
        let roles = try await StaffAssignment.query(on: req.db).filter(\.$personID == id).all()
        return PersonTies(
            personID: id, isAdmin: person.isAdmin,
            communities: Set(memberships.map(\.communityID)).union(roles.map(\.communityID)),
            operatorIn: Set(roles.filter { $0.role == .operator_ }.map(\.communityID)), createdIn: person.createdIn)
    }

    /// 403 `person_shared` unless the caller has authority over everything the person belongs to.
    static func authorizeChange(
        of person: Person, on req: Request, _ request: (PersonTies) -> AccessRequest = { .changePerson($0) }
    ) async throws -> PersonTies {
        let ties = try await ties(of: person, on: req)
        switch AccessPolicy.decide(request(ties), for: try req.user().principal) {
        case .allow: return ties
        case .forbidden: throw LinliError(.personShared)
        case .hidden: throw LinliError(.notFound)
        }
    }

    /// Starts a reset: the old password stops working, every token and session of the person ends, and
    /// the code (shown once, valid 24 h) lets them choose a new password at their next sign-in.
    static func startReset(for person: Person, in community: UUID, on req: Request) async throws -> (String, Date) {
        try req.authorize(.manageRegistry(community))
        let ties = try await authorizeChange(of: person, on: req) { .resetPassword($0) }
        let personID = try person.requireID()
        let code = Secret.resetCode()
        let now = req.clock.now()
        let row = PasswordReset()
        row.personID = personID
        row.communityID = community
        row.codeHash = Secret.hash(Secret.normalisedResetCode(code))
        row.createdBy = try req.user().principal.personID
        row.createdAt = now
        row.expiresAt = now.addingTimeInterval(PasswordReset.lifetime)
        let communities = ties.communities.union([community])
        try await req.db.writeTransaction { db in
            try await PasswordReset.query(on: db).filter(\.$personID == personID).filter(\.$usedAt == nil)
                .set(\.$usedAt, to: now).update()
            try await row.create(on: db)
            try await Person.query(on: db).filter(\.$id == personID).set(\.$passwordHash, to: nil).update()
            try await revokeSignIns(of: personID, keeping: nil, on: db)
            try await Audit.recordForPerson(
                .passwordReset, personID, communities: communities, by: req, on: db)
        }
        person.passwordHash = nil
        req.principalChanged(personID)
        return (code, row.expiresAt)
    }

    /// Uses a reset code once: sets the new password and answers the person it was for.
    /// A wrong, used or expired code counts as a failed sign-in of that phone.
    static func completeReset(phone rawPhone: String, code: String, newPassword: String, on req: Request)
        async throws -> Person
    {
        guard (8...200).contains(newPassword.count) else { throw LinliError.invalid("newPassword", "weak_password") }
        return try await LoginService.withThrottle(phone: rawPhone, on: req) { phone in
            let now = req.clock.now()
            let hash = Secret.hash(Secret.normalisedResetCode(code))
            guard code.count <= 64, let person = try await Person.query(on: req.db).filter(\.$phone == phone).first(),
                let personID = person.id,
                let reset = try await PasswordReset.query(on: req.db).filter(\.$codeHash == hash)
                    .filter(\.$personID == personID).filter(\.$usedAt == nil).first(),
                reset.expiresAt > now
            else { return nil }
            let newHash = try await req.password.async.hash(newPassword)
            let communities = try await ties(of: person, on: req).communities.union([reset.communityID])
            let used = try await req.db.writeTransaction { db -> Bool in
                // The conditional write makes the code single-use even under parallel attempts.
                let resetID = try reset.requireID()
                let changed = try await db.conditionalUpdate(PasswordReset.schema) {
                    $0.set("used_at", to: now).where("id", .equal, resetID).where("used_at", .is, SQLLiteral.null)
                }
                guard changed == 1 else { return false }
                try await Person.query(on: db).filter(\.$id == personID).set(\.$passwordHash, to: newHash).update()
                try await revokeSignIns(of: personID, keeping: nil, on: db)
                try await Audit.recordForPerson(.passwordChange, personID, communities: communities, by: req, on: db)
                return true
            }
            guard used else { return nil }
            req.principalChanged(personID)
            person.passwordHash = newHash
            return person
        }
    }

    /// The person changes their own password (the current one is checked by the caller): every other
    /// token and session of theirs ends.
    static func changeOwnPassword(_ person: Person, to newPassword: String, on req: Request) async throws {
        let personID = try person.requireID()
        let hash = try await req.password.async.hash(newPassword)
        let communities = try await ties(of: person, on: req).communities
        let keepToken = req.storage[CurrentTokenKey.self]
        let keepSession = req.hasSession ? req.session.id?.string : nil
        try await req.db.writeTransaction { db in
            try await Person.query(on: db).filter(\.$id == personID).set(\.$passwordHash, to: hash).update()
            try await revokeSignIns(of: personID, keeping: (keepToken, keepSession), on: db)
            try await Audit.recordForPerson(.passwordChange, personID, communities: communities, by: req, on: db)
        }
        person.passwordHash = hash
        req.principalChanged(personID)
    }

    /// Ends every API token and web session of the person, except the ones of the request making the change.
    static func revokeSignIns(of personID: UUID, keeping: (token: UUID?, session: String?)?, on db: any Database)
        async throws
    {
        var tokens = UserToken.query(on: db).filter(\.$personID == personID)
        if let token = keeping?.token { tokens = tokens.filter(\.$id != token) }
        try await tokens.delete()
        var sessions = WebSession.query(on: db).filter(\.$personID == personID)
        if let session = keeping?.session { sessions = sessions.filter(\.$key != session) }
        try await sessions.delete()
    }
}

extension Secret {
    /// A reset code to read out or write down: 12 characters without look-alikes, in groups of four.
    static func resetCode() -> String {
        let letters = Array("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        let raw = (0..<12).map { _ in letters.randomElement(using: &generator) ?? "A" }
        return stride(from: 0, to: 12, by: 4).map { String(raw[$0..<$0 + 4]) }.joined(separator: "-")
    }

    /// The code as typed (any case, with or without dashes and spaces) in the form its hash is of.
    static func normalisedResetCode(_ text: String) -> String {
        String(text.uppercased().filter { $0.isLetter || $0.isNumber })
    }
}

extension Credentials {
    /// Deletes what can no longer sign anyone in: expired tokens, sessions past their idle or absolute
    /// limit, failed-sign-in counts past their window and lock, reset codes a day after they ended.
    /// Run by the background sweep.
    static func purge(now: Date, on db: any Database) async throws {
        try await UserToken.query(on: db).filter(\.$expiresAt <= now).delete()
        try await WebSession.query(on: db).group(.or) {
            $0.filter(\.$seenAt < now.addingTimeInterval(-WebSession.idleLimit))
                .filter(\.$createdAt < now.addingTimeInterval(-WebSession.absoluteLimit))
        }.delete()
        let window = max(LoginService.throttle.window, LoginService.addressThrottle.window)
        try await LoginAttempt.query(on: db).filter(\.$firstFailure < now.addingTimeInterval(-window))
            .group(.or) { $0.filter(\.$lockedUntil == nil).filter(\.$lockedUntil <= now) }.delete()
        try await PasswordReset.query(on: db).filter(\.$expiresAt < now.addingTimeInterval(-24 * 3600)).delete()
    }
}
