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
            ("reset", .resetPassword),
        ] { links.add(name, route) }
        _ = app.homePages  // made before serving, with its subscription
        AccountPages.register(app.pages)
        ConsolePages.register(app.pages)
    }

    static func route(
        _ routes: any RoutesBuilder, _ method: HTTPMethod, _ make: (UUID, UUID, UUID) -> some PageRoute,
        maxBody: ByteCount = "5mb", _ handler: @escaping @Sendable (Request) async throws -> Response
    ) {
        routes.on(
            method, SiteRoute.pattern(make).map { PathComponent(stringLiteral: $0) }, body: .collect(maxSize: maxBody),
            use: handler)
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
        web.get("login") { req -> Response in
            if req.auth.has(CurrentUser.self) { return req.redirect(to: SiteRoute.home.path) }
            return try await req.render(
                "login", title: req.t("login.title"),
                LoginPage(phone: "", next: safeNext(req.query[String.self, at: "next"]), error: nil))
        }
        web.post("login") { req -> Response in
            let form = try req.content.decode(LoginForm.self)
            do {
                let person = try await LoginService.authenticate(phone: form.phone, password: form.password, on: req)
                try await adoptDisplayChoices(of: req, into: person)
                try await req.renewSession(signingIn: try person.requireID())
                req.auth.login(try await CurrentUser.load(person, on: req.db, today: req.today))
                req.resetLanguage()
                return req.redirect(to: safeNext(form.next))
            } catch let error as LinliError {
                return try await req.render(
                    "login", title: req.t("login.title"),
                    LoginPage(
                        phone: form.phone, next: safeNext(form.next),
                        error: req.t("error.\(error.code.rawValue).detail", error.arguments)),
                    status: error.code.status)
            }
        }
        web.get("reset") { req -> Response in
            try await req.render("reset", title: req.t("reset.title"), ResetPage(phone: "", error: nil))
        }
        web.post("reset") { req -> Response in
            let form = try req.content.decode(ResetForm.self)
            do {
                let person = try await Credentials.completeReset(
                    phone: form.phone, code: form.code, newPassword: form.newPassword, on: req)
                try await req.renewSession(signingIn: try person.requireID())
                req.auth.login(try await CurrentUser.load(person, on: req.db, today: req.today))
                req.flash(req.t("reset.done"))
                return req.redirect(to: SiteRoute.home.path)
            } catch let error as LinliError {
                let message = error.issues.first.flatMap { req.reasonText($0) }
                return try await req.render(
                    "reset", title: req.t("reset.title"),
                    ResetPage(
                        phone: form.phone,
                        error: message ?? req.t("error.\(error.code.rawValue).detail", error.arguments)),
                    status: error.code.status)
            }
        }
        web.post("logout") { req -> Response in
            req.session.destroy()
            req.auth.logout(CurrentUser.self)
            return req.redirect(to: SiteRoute.login.path)
        }
        web.post("display") { req -> Response in
            let form = try req.content.decode(DisplayForm.self)
            var settings = req.displaySettings
            switch form.action {
            case "elder": settings.elderMode.toggle()
            case "contrast": settings.highContrast.toggle()
            case "bigger": settings.textSize = min(4, settings.textSize + 1)
            case "smaller": settings.textSize = max(1, settings.textSize - 1)
            case "zh-CN", "en": settings.language = Language(setting: form.action)
            default: throw LinliError.invalid("action", "invalid_value")
            }
            if let person = req.auth.get(CurrentUser.self)?.person {
                person.elderMode = settings.elderMode
                person.highContrast = settings.highContrast
                person.textSize = settings.textSize
                if let language = settings.language { person.language = language.rawValue }
                try await person.save(on: req.db)
                if let id = person.id { req.principalChanged(id) }
            }
            let response = req.redirect(to: safeNext(form.back))
            func remember(_ name: String, _ value: String) {
                response.cookies[name] = HTTPCookies.Value(
                    string: value, expires: Date(timeIntervalSinceNow: 365 * 24 * 3600), path: "/",
                    isHTTPOnly: true, sameSite: .lax)
            }
            remember("linli_elder", settings.elderMode ? "1" : "0")
            remember("linli_contrast", settings.highContrast ? "1" : "0")
            remember("linli_size", "\(settings.textSize)")
            if let language = settings.language { remember("lang", language.rawValue) }
            return response
        }
        web.get { req -> Response in
            guard let user = req.auth.get(CurrentUser.self) else { return req.redirect(to: SiteRoute.login.path) }
            return try await req.render("home", title: req.t("home.title"), try await HomePages.page(user, req))
        }
        web.get("me") { req -> Response in
            let user = try req.user()
            let me = try await IdentityAPI.me(req)
            return try await req.render(
                "profile", title: req.t("profile.title"),
                ProfilePage(
                    name: user.person.name, phone: user.person.phone, language: req.language.rawValue,
                    elder: user.person.elderMode, contrast: user.person.highContrast, textSize: user.person.textSize,
                    roles: me.roles.map { "\($0.communityName) · \(req.t("role.\($0.role.rawValue)"))" }))
        }
        web.post("me") { req -> Response in
            let user = try req.user()
            let form = try req.content.decode(ProfileForm.self)
            let input = MeUpdate(
                language: Language(setting: form.language), elderMode: form.elderMode != nil,
                highContrast: form.highContrast != nil, textSize: form.textSize,
                currentPassword: form.currentPassword?.nilIfEmpty, newPassword: form.newPassword?.nilIfEmpty)
            try await IdentityAPI.update(user.person, input, on: req)
            req.flash(req.t("profile.saved"))
            let response = req.redirect(to: SiteRoute.profile.path)
            response.cookies["lang"] = HTTPCookies.Value(
                string: req.language.rawValue, path: "/", isHTTPOnly: true, sameSite: .lax)
            return response
        }
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
