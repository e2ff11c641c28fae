import Fluent
import Vapor

/// Identity: people sign in, hold tokens and sessions.
enum Identity: Feature {
    static func register(_ app: Application) {
        app.stampWithClock(UserToken.self)
        app.migrations.add(CreateUserToken())
        app.migrations.add(CreateLoginAttempt())
        app.migrations.add(CreatePasswordReset())
        app.migrations.add(CreateTerminalActions())
        app.migrations.add(AddPersonCreatedIn())
        app.migrations.add(CreateWebSession())
        _ = app.principals  // made before serving, with its subscription
        // Using the app or a kiosk (a sign-in, a page seen) is a sign of life.
        app.activity.addLastSeen("sign_in") { person, db in
            let web = try await WebSession.query(on: db).filter(\.$personID == person).sort(\.$seenAt, .descending)
                .first()?.seenAt
            let token = try await UserToken.query(on: db).filter(\.$personID == person).sort(\.$createdAt, .descending)
                .first()?.createdAt
            return [web, token].compactMap { $0 }.max()
        }
        // Expired sessions, tokens, sign-in attempts and reset codes.
        app.jobs.every("identity.purge", seconds: 3600) { app, job in try await Credentials.purge(now: job.now, on: app.db) }
        IdentityAPI.register(app, public: app.api.open, app.api.authenticated)
        app.openAPIComponents.add(IdentitySchemas.all)
    }
}
