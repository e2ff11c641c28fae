import Fluent
import LinliCore
import Vapor

extension IdentityAPI {
    @Sendable static func createToken(_ req: Request) async throws -> some AsyncResponseEncodable {
        let input = try req.decode(TokenRequest.self)
        let person = try await LoginService.authenticate(phone: input.phone, password: input.password, on: req)
        let (token, row) = UserToken.issue(for: try person.requireID(), now: req.clock.now())
        try await row.create(on: req.db)
        return TokenResponse(token: token, expiresAt: row.expiresAt)
    }

    @Sendable static func completePasswordReset(_ req: Request) async throws -> some AsyncResponseEncodable {
        let input = try req.decode(ResetCompletion.self)
        let person = try await Credentials.completeReset(
            phone: input.phone, code: input.code, newPassword: input.newPassword, on: req)
        let (token, row) = UserToken.issue(for: try person.requireID(), now: req.clock.now())
        try await row.create(on: req.db)
        return TokenResponse(token: token, expiresAt: row.expiresAt)
    }

    @Sendable static func revokeToken(_ req: Request) async throws -> some AsyncResponseEncodable {
        let user = try req.user()
        if let id = req.storage[CurrentTokenKey.self] {
            try await UserToken.query(on: req.db).filter(\.$id == id).delete()
            req.principalChanged(user.principal.personID)
        }
        return NoContent()
    }

    @Sendable static func getMe(_ req: Request) async throws -> some AsyncResponseEncodable {
        try await me(req)
    }

    @Sendable static func updateMe(_ req: Request) async throws -> some AsyncResponseEncodable {
        let input = try req.decode(MeUpdate.self)
        try await update(try req.user().person, input, on: req)
        return try await me(req)
    }
}
