import Fluent
import LinliCore
import Vapor

/// Tokens and `/api/v1/me`.
enum IdentityAPI {
    static func register(_ app: Application, public open: any RoutesBuilder, _ api: any RoutesBuilder) {
        open.register(
            .init(
                method: .POST, path: "/api/v1/auth/token", operationID: "createToken",
                summary: "Sign in with phone and password; returns a bearer token", tag: "identity", authority: .anyone,
                body: Schema.ref("TokenRequest"),
                response: Schema.ref("Token")), in: app, createToken)
        open.register(
            .init(
                method: .POST, path: "/api/v1/auth/password-reset", operationID: "completePasswordReset",
                summary: "Choose a new password with the reset code an operator handed over; returns a bearer token",
                tag: "identity", authority: .anyone, body: Schema.ref("ResetCompletion"),
                response: Schema.ref("Token")), in: app, completePasswordReset)
        api.register(
            .init(
                method: .DELETE, path: "/api/v1/auth/token", operationID: "revokeToken",
                summary: "Revoke the token of this request", tag: "identity", authority: .signedIn, status: .noContent), in: app, revokeToken)
        api.register(
            .init(
                method: .GET, path: "/api/v1/me", operationID: "getMe",
                summary: "The signed-in person, roles and households", tag: "identity", authority: .signedIn,
                response: Schema.ref("Me")), in: app, getMe)
        api.register(
            .init(
                method: .PATCH, path: "/api/v1/me", operationID: "updateMe",
                summary: "Change own language, display settings or password", tag: "identity", authority: .signedIn,
                body: Schema.ref("MeUpdate"), response: Schema.ref("Me")), in: app, updateMe)
    }

    static func update(_ person: Person, _ input: MeUpdate, on req: Request) async throws {
        var v = Validation()
        v.range(input.textSize, "textSize", 1...4)
        if let new = input.newPassword {
            if !(8...200).contains(new.count) { v.fail("newPassword", "weak_password") }
            let current = input.currentPassword ?? ""
            var right = false
            if let hash = person.passwordHash, current.count <= 200 {
                right = (try? await req.password.async.verify(current, created: hash)) ?? false
            }
            if !right { v.fail("currentPassword", "wrong_password") }
        }
        try v.check()
        if let language = input.language { person.language = language.rawValue }
        if let flag = input.elderMode { person.elderMode = flag }
        if let flag = input.highContrast { person.highContrast = flag }
        if let size = input.textSize { person.textSize = size }
        try await person.save(on: req.db)
        req.principalChanged(try person.requireID())
        if let new = input.newPassword { try await Credentials.changeOwnPassword(person, to: new, on: req) }
        req.resetLanguage()
    }

    /// The signed-in person as the principal was loaded (no query of its own).
    static func me(_ req: Request) async throws -> MeRead {
        let user = try req.user()
        return MeRead(
            person: try PersonRead(user.person), isAdmin: user.person.isAdmin, settings: user.person.displaySettings,
            roles: user.roles, households: user.homes)
    }
}

extension Person {
    var displaySettings: DisplaySettings {
        DisplaySettings(
            language: Language(setting: language), elderMode: elderMode, highContrast: highContrast, textSize: textSize)
    }
}
