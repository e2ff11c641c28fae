import Fluent
import LinliCore
import Vapor

extension AccountPages {
    @Sendable static func loginPage(_ req: Request) async throws -> Response {
        if req.auth.has(CurrentUser.self) { return req.redirect(to: SiteRoute.home.path) }
        return try await req.render(
            "login", title: req.t("login.title"),
            LoginPage(phone: "", next: safeNext(req.query[String.self, at: "next"]), error: nil))
    }

    @Sendable static func postLogin(_ req: Request) async throws -> Response {
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

    @Sendable static func resetPage(_ req: Request) async throws -> Response {
        try await req.render("reset", title: req.t("reset.title"), ResetPage(phone: "", error: nil))
    }

    @Sendable static func postReset(_ req: Request) async throws -> Response {
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

    @Sendable static func postLogout(_ req: Request) async throws -> Response {
        req.session.destroy()
        req.auth.logout(CurrentUser.self)
        return req.redirect(to: SiteRoute.login.path)
    }

    @Sendable static func postDisplay(_ req: Request) async throws -> Response {
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

    @Sendable static func mePage(_ req: Request) async throws -> Response {
        let user = try req.user()
        let me = try await IdentityAPI.me(req)
        let topics = try await Notifications.listNotificationPreferences(req).map { row in
            let topic = req.application.notificationTopics.named(row.topic)
            return TopicChoice(
                name: row.topic, label: row.label, safety: row.safety,
                channels: NotificationChannel.allCases.map { channel in
                    TopicChoice.Channel(
                        field: "\(row.topic).\(channel.rawValue)", label: req.t("notify.channel.\(channel.rawValue)"),
                        checked: row.channels.contains(channel.rawValue),
                        locked: topic?.allowed([]).contains(channel) ?? false)
                })
        }
        return try await req.render(
            "profile", title: req.t("profile.title"),
            ProfilePage(
                name: user.person.name, phone: user.person.phone, language: req.language.rawValue,
                elder: user.person.elderMode, contrast: user.person.highContrast, textSize: user.person.textSize,
                roles: me.roles.map { "\($0.communityName) · \(req.t("role.\($0.role.rawValue)"))" }, topics: topics))
    }

    /// The notification form: every topic's boxes at once (a box not sent is a channel turned off).
    @Sendable static func postNotificationPreferences(_ req: Request) async throws -> Response {
        let person = try req.user().principal.personID
        let form = try req.content.decode([String: String].self)
        for topic in req.application.notificationTopics.all {
            let channels = NotificationChannel.allCases.filter { form["\(topic.name).\($0.rawValue)"] != nil }
            try await Notifications.choose(Set(channels), for: topic, person: person, on: req)
        }
        req.application.events.publish(PersonChanged(person: person))
        req.flash(req.t("profile.notificationsSaved"))
        return req.redirect(to: SiteRoute.profile.path + "#notifications")
    }

    @Sendable static func postMe(_ req: Request) async throws -> Response {
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

    /// `/`: the resident's home (sign-in first).
    @Sendable static func homePage(_ req: Request) async throws -> Response {
        guard let user = req.auth.get(CurrentUser.self) else { return req.redirect(to: SiteRoute.login.path) }
        return try await req.render("home", title: req.t("home.title"), try await HomePages.page(user, req))
    }
}
