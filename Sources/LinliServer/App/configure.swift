import Fluent
import LinliCore
import Leaf
import LeafKit
import NIOCore
import Vapor

/// Sets up the infrastructure and asks each feature to register itself.
public func configure(_ app: Application, database: DatabaseChoice, clock: (any LinliClock)? = nil) async throws {
    if let clock { app.clock = clock }
    ContentConfiguration.global.use(encoder: JSONEncoder.linli, for: .json)
    ContentConfiguration.global.use(decoder: JSONDecoder.linli, for: .json)
    app.routes.defaultMaxBodySize = "1mb"
    app.routes.caseInsensitive = false

    try database.configure(app)
    app.storage[DatabaseChoiceKey.self] = database
    if case .postgres(let url, let schema) = database {
        app.lifecycle.use(PostgresEventChannel(url: url, schema: schema))
    }
    try await database.prepare(app.db)
    app.passwords.use(.bcrypt(cost: app.environment == .testing ? 4 : 12))

    app.sessions.use { _ in WebSessionDriver() }
    app.sessions.configuration.cookieName = "linli_session"
    // `Max-Age`, not `Expires`: the same 30 days without formatting a date on every answer (that
    // formatting was a sixth of a page's cost).
    app.sessions.configuration.cookieFactory = { id in
        HTTPCookies.Value(
            string: id.string, expires: nil, maxAge: Int(WebSession.absoluteLimit), domain: nil,
            path: "/", isSecure: false, isHTTPOnly: true, sameSite: .lax)
    }
    let sessionRows = SessionRows(isOn: !database.isShared)
    app.sessionRows = sessionRows
    app.events.on(PersonChanged.self) { sessionRows.forget(person: $0.person) }
    app.events.on(PeopleChanged.self) { _ in sessionRows.forgetAll() }
    app.migrations.add(SessionRecord.migration)
    app.migrations.add(CreateMoneyMovement())
    app.migrations.add(CreateJobs())
    app.lifecycle.use(JobWorker(poll: app.environment == .testing ? 0 : 0.25))
    app.jobs.every("jobs.prune", seconds: 86_400) { app, job in try await Jobs.prune(now: job.now, on: app.db) }
    // Money whose provider answer was lost (a crash, a timeout) is settled with the same key.
    app.jobs.every("money.reconcile", seconds: 60) { app, job in
        _ = try await MoneyMovements.reconcile(provider: app.payments, now: job.now, on: app.db)
    }

    if let root = Environment.get("LINLI_ROOT") {
        app.directory = DirectoryConfiguration(workingDirectory: root.hasSuffix("/") ? root : root + "/")
    }
    // Templates are parsed once, whatever the environment: Leaf's own provider switches its cache off in
    // `development` (which `linli serve` and `linli demo` run in) each time it makes a renderer, so every
    // page re-read and re-lexed its templates. This one does not; `LINLI_TEMPLATES_LIVE=1` reads them on
    // every request, for editing templates.
    app.leaf.cache.isEnabled = Environment.get("LINLI_TEMPLATES_LIVE") != "1"
    app.renderedPages = RenderedPages(isOn: app.leaf.cache.isEnabled)
    app.views.use { app in
        var userInfo = app.leaf.userInfo
        userInfo["application"] = app
        return LeafRenderer(
            configuration: app.leaf.configuration, tags: app.leaf.tags, cache: app.leaf.cache,
            sources: app.leaf.sources, eventLoop: app.eventLoopGroup.next(), userInfo: userInfo)
    }
    app.leaf.tags["t"] = TranslateTag()

    let registry = Operations.registry(app)
    app.middleware = Middlewares()
    app.middleware.use(SecurityHeadersMiddleware(app: app))
    app.middleware.use(RequestMetricsMiddleware(registry: registry))
    app.middleware.use(ProblemMiddleware())
    app.middleware.use(FileMiddleware(publicDirectory: app.directory.publicDirectory, defaultFile: nil))

    Operations.register(app, poolSize: database.poolSize)
    for feature in Features.all { DeviceCatalog.add(feature.deviceTypes) }
    for feature in Features.all { try feature.register(app) }
    // The staff's task list and the notifier are the platform's; their first tables were made by the
    // device hub's first migration, so what they add comes after every feature's.
    app.migrations.add(AddStaffTaskPerson())
    app.migrations.add(CreateNotifier())
    app.migrations.add(app.operationsFigures.dayIndexes)
    Notifications.register(app)
    app.bodyShapes = BodyShapes(app.endpoints, components: app.schemaComponents)
    app.get("openapi.json", use: OpenAPI.serve)
}

/// The database the application was configured with (a second instance of a test joins the same one).
struct DatabaseChoiceKey: StorageKey { typealias Value = DatabaseChoice }

extension Application {
    /// The JSON API: open routes (sign-in) and routes that require a bearer token.
    var api: (open: any RoutesBuilder, authenticated: any RoutesBuilder) {
        (routes, routes.grouped(BearerUserAuthenticator()))
    }
}

