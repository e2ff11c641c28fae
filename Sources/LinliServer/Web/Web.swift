import Fluent
import LinliCore
import Vapor

/// The server-rendered web shell: sign-in, resident home, profile, operator console.
enum Web {
    /// The shell every feature's pages live in: sign-in and account pages, the console frame.
    static func register(_ app: Application) {
        let links = app.pageLinks
        for (name, route) in [
            ("home", SiteRoute.home), ("login", .login), ("logout", .logout), ("display", .display),
            ("profile", .profile), ("console", .console), ("consoleCommunities", .consoleCommunities),
            ("reset", .resetPassword), ("notificationPreferences", .notificationPreferences),
        ] { links.add(name, route) }
        app.homeTiles.add("console", order: 110, label: "home.toConsole", staffOnly: true, SiteRoute.console)
        _ = app.homePages  // made before serving, with its subscription
        AccountPages.register(app.pages)
        ConsolePages.register(app.pages)
    }

    /// A page: its typed route, who may open it (checked before the handler, as for an API endpoint;
    /// kept in the route's `userInfo["authority"]` for the generated tests), and its named handler.
    static func route(
        _ routes: any RoutesBuilder, _ method: HTTPMethod, _ make: (UUID, UUID, UUID) -> some PageRoute,
        authority: Authority, maxBody: ByteCount = "5mb", _ handler: @escaping @Sendable (Request) async throws -> Response
    ) {
        let route = routes.on(
            method, SiteRoute.pattern(make).map { PathComponent(stringLiteral: $0) }, body: .collect(maxSize: maxBody)
        ) { req in
            try await authority.check(req)
            return try await handler(req)
        }
        route.userInfo["authority"] = authority
    }
}

/// Sign-in, sign-out, display toggles, the resident home and profile.
enum AccountPages {
    struct LoginForm: Content {
        var phone: String
        var password: String
        var next: String?
    }

    struct LoginPage: Encodable {
        let phone: String
        let next: String
        let error: String?
    }

    struct ProfilePage: Encodable {
        let name: String
        let phone: String
        let language: String
        let elder: Bool
        let contrast: Bool
        let textSize: Int
        let roles: [String]
        /// The person's channels per notification topic (``NotificationTopics``).
        let topics: [TopicChoice]
    }

    /// One topic's row of the notification form: a box per channel (a safety topic's app box cannot be
    /// cleared).
    struct TopicChoice: Encodable {
        struct Channel: Encodable {
            let field: String
            let label: String
            let checked: Bool
            let locked: Bool
        }

        let name: String
        let label: String
        let safety: Bool
        let channels: [Channel]
    }

    struct ResetForm: Content {
        var phone: String
        var code: String
        var newPassword: String
    }

    struct ResetPage: Encodable {
        let phone: String
        let error: String?
    }

    struct DisplayForm: Content {
        var action: String
        var back: String?
    }

    struct ProfileForm: Content {
        var language: String?
        var textSize: Int?
        var elderMode: String?
        var highContrast: String?
        var currentPassword: String?
        var newPassword: String?
    }

    static func register(_ web: any RoutesBuilder) {
        web.get("login", use: loginPage)
        web.post("login", use: postLogin)
        web.get("reset", use: resetPage)
        web.post("reset", use: postReset)
        web.post("logout", use: postLogout)
        web.post("display", use: postDisplay)
        web.get(use: homePage)
        web.get("me", use: mePage)
        web.post("me", use: postMe)
        Web.route(web, .POST, { _, _, _ in SiteRoute.notificationPreferences }, authority: .signedIn, postNotificationPreferences)
    }

    /// Display choices made before signing in (elder mode on the login page, say) carry over to the account.
    static func adoptDisplayChoices(of req: Request, into person: Person) async throws {
        let before = req.displaySettings
        var changed = false
        if before.elderMode && !person.elderMode { person.elderMode = true; changed = true }
        if before.highContrast && !person.highContrast { person.highContrast = true; changed = true }
        if before.textSize > person.textSize { person.textSize = before.textSize; changed = true }
        if person.language == nil, let language = before.language {
            person.language = language.rawValue; changed = true
        }
        if changed, let id = person.id {
            try await person.save(on: req.db)
            req.principalChanged(id)
        }
    }

    /// Only same-site paths, so a crafted `next` cannot send people elsewhere.
    static func safeNext(_ next: String?) -> String {
        LocalPath.validated(next) ?? SiteRoute.home.path
    }
}
