import Fluent
import Vapor

/// Identity: people sign in, hold tokens and sessions.
enum Identity: Feature {
    static func register(_ app: Application) {
        app.stampWithClock(UserToken.self)
        app.migrations.add(CreateUserToken())
        app.migrations.add(CreateLoginAttempt())
        app.migrations.add(CreatePasswordReset())
        app.migrations.add(AddPersonCreatedIn())
        app.migrations.add(CreateWebSession())
        _ = app.principals  // made before serving, with its subscription
        // Expired sessions, tokens, sign-in attempts and reset codes.
        app.jobs.every("identity.purge", seconds: 3600) { app, job in try await Credentials.purge(now: job.now, on: app.db) }
        IdentityAPI.register(app, public: app.api.open, app.api.authenticated)
        app.openAPIComponents.add(IdentitySchemas.all)
    }
}
