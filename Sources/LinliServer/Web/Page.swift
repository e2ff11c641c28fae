import Vapor

/// What every page's layout needs: language, display modes, CSRF token, who is signed in, the flash.
struct Layout: Encodable {
    struct Link: Encodable {
        let href: String
        let label: String
        let current: Bool
    }

    let title: String
    let lang: String
    let otherLang: String
    let elder: Bool
    let contrast: Bool
    let textSize: Int
    let csrf: String
    let path: String
    let userName: String?
    let nav: [Link]
    let flash: String?
    let flashIsError: Bool
    /// Unread emergency notices: a banner on every page until they are read.
    let emergencies: [Link]
    /// The pages without an id, by name (`PageLinks`).
    let links: [String: String]
    /// Someone signed in at a shared terminal (a kiosk): big text and targets, its own header, and the
    /// idle countdown that signs them out.
    var terminal = false
}

/// A page: the layout plus the page's own context.
struct Page<Context: Encodable>: Encodable {
    let layout: Layout
    let page: Context
}

extension Request {
    /// Renders `template` inside the shared layout.
    /// `keep: false` for a page nobody may see twice (a secret shown once): it is not kept rendered.
    func render<Context: Encodable>(
        _ template: String, title: String, _ context: Context, status: HTTPStatus = .ok, keep: Bool = true
    ) async throws -> Response {
        let user = auth.get(CurrentUser.self)
        let display = displaySettings
        let terminal = isTerminalScreen || (user != nil && TerminalSessions.current(self) != nil)
        var nav: [Layout.Link] = []
        if user != nil {
            nav.append(.init(href: SiteRoute.home.path, label: t("nav.home"), current: url.path == "/"))
            nav.append(.init(href: SiteRoute.profile.path, label: t("nav.profile"), current: url.path == "/me"))
            if can(.openConsole) {
                nav.append(
                    .init(
                        href: SiteRoute.console.path, label: t("nav.console"), current: url.path.hasPrefix("/console")))
            }
        }
        let flash = session.data["flash"]
        let flashIsError = session.data["flashError"] == "1"
        if flash != nil {
            session.data["flash"] = nil
            session.data["flashError"] = nil
        }
        var emergencies: [Layout.Link] = []
        if let user {
            emergencies = try await Notices.unreadEmergencies(user.principal, now: clock.now(), on: self).map {
                Layout.Link(href: PropertyRoute.notice($0.id ?? UUID()).path, label: $0.title, current: false)
            }
        }
        let layout = Layout(
            title: title, lang: language.rawValue, otherLang: language == .zhCN ? "en" : "zh-CN",
            elder: display.elderMode || terminal, contrast: display.highContrast, textSize: display.textSize, csrf: csrfToken,
            path: url.path + (url.query.map { "?" + $0 } ?? ""), userName: user?.person.name, nav: nav,
            flash: flash, flashIsError: flashIsError, emergencies: emergencies, links: application.pageLinks.all,
            terminal: terminal)
        let page = Page(layout: layout, page: context)
        let rendered = application.renderedPages
        let key = rendered.isOn && keep ? try RenderedPages.key(template, layout, context) : nil
        let html: ByteBuffer
        if let key, let kept = rendered.html(key) {
            html = kept
        } else {
            html = try await self.view.render(template, page).data
            if let key { rendered.keep(html, for: key) }
        }
        let response = Response(status: status, body: .init(buffer: html))
        response.headers.contentType = .html
        response.headers.replaceOrAdd(name: .contentLanguage, value: language.rawValue)
        return response
    }

    /// Display settings: the signed-in person's, else the browser's cookies.
    var displaySettings: DisplaySettings {
        if let person = auth.get(CurrentUser.self)?.person { return person.displaySettings }
        let size = cookies["linli_size"].flatMap { Int($0.string) } ?? 1
        return DisplaySettings(
            language: Language(setting: cookies["lang"]?.string), elderMode: cookies["linli_elder"]?.string == "1",
            highContrast: cookies["linli_contrast"]?.string == "1", textSize: min(4, max(1, size)))
    }

    /// The text size of a chart on this page (``BarChart``): 18 px in elder mode and at a terminal.
    var chartFontSize: Double {
        displaySettings.elderMode || isTerminalScreen || (auth.has(CurrentUser.self) && TerminalSessions.current(self) != nil) ? 18 : 14
    }

    /// The session's CSRF token, created on first use.
    var csrfToken: String {
        if let token = session.data["csrf"] { return token }
        let token = [UInt8].random(count: 24).map { String(format: "%02x", $0) }.joined()
        session.data["csrf"] = token
        return token
    }

    func flash(_ message: String, error: Bool = false) {
        session.data["flash"] = message
        session.data["flashError"] = error ? "1" : nil
    }
}

/// A secret (a device token, a visitor PIN, a lock code, a reset code) shown once to whoever made it.
struct SecretPage: Encodable {
    let heading: String
    let message: String
    let secret: String
    let back: String
}

extension Request {
    /// Renders the secret straight into the answer of the form that made it: never a flash message
    /// (stored in the session) or a redirect, and never cached, so it is shown this once only.
    func renderSecret(heading: String, message: String, secret: String, back: String) async throws -> Response {
        let response = try await render(
            "secret", title: heading, SecretPage(heading: heading, message: message, secret: secret, back: back),
            status: .created, keep: false)
        response.headers.cacheControl = .init(noStore: true)
        return response
    }
}

/// Rejects form posts whose `_csrf` field does not match the session's token.
struct CSRFMiddleware: AsyncMiddleware {
    /// The largest form anyone not signed in may post (sign-in, reset, display settings).
    static let anonymousLimit = 16 * 1024
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if request.method == .POST {
            // A large form (a photo) is still streaming here: collect it (up to the largest web upload
            // for people signed in, a small form for anyone else) so the token can be read; the route
            // then finds the body already collected.
            let limit = request.auth.has(CurrentUser.self) ? 6 * 1024 * 1024 : Self.anonymousLimit
            if let length = request.headers.first(name: .contentLength).flatMap(Int.init), length > limit {
                throw LinliError(.payloadTooLarge)
            }
            if let body = request.body.data {
                guard body.readableBytes <= limit else { throw LinliError(.payloadTooLarge) }
            } else {
                do {
                    _ = try await request.body.collect(max: limit).get()
                } catch {
                    throw LinliError(.payloadTooLarge)
                }
            }
            let sent = try? request.content.get(String.self, at: "_csrf")
            guard let expected = request.session.data["csrf"], let sent, !sent.isEmpty,
                sent.utf8.count == expected.utf8.count,
                zip(sent.utf8, expected.utf8).reduce(0, { $0 | ($1.0 ^ $1.1) }) == 0
            else { throw LinliError(.csrfFailed) }
        }
        return try await next.respond(to: request)
    }
}

/// Shows errors on web routes as a page (or back on the form with a message), never as JSON.
struct WebErrorMiddleware: AsyncMiddleware {
    struct ErrorPage: Encodable {
        let status: Int
        let message: String
        let issues: [String]
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            let problem = ProblemMiddleware.classify(error, request: request)
            if problem.code == .internalError { request.logger.report(error: error) }
            if problem.code == .unauthorized {
                return request.redirect(
                    to: SiteRoute.login.path + "?next="
                        + (request.url.path.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"))
            }
            let message = request.t("error.\(problem.code.rawValue).detail", problem.arguments)
            let issues = problem.issues.map { issue -> String in
                let reason = request.reasonText(issue, problem.arguments) ?? issue.reason
                let prefix = issue.line.map { request.t("import.line", ["line": "\($0)"]) + " " } ?? ""
                let field = issue.field.map { request.fieldName($0) + ": " } ?? ""
                return prefix + field + reason
            }
            if request.method == .POST, problem.code != .csrfFailed, let back = request.headers.first(name: .referer),
                let url = URI(string: back).path.nilIfEmpty, url.hasPrefix("/")
            {
                request.flash(([message] + issues).joined(separator: " · "), error: true)
                return request.redirect(to: url + (URI(string: back).query.map { "?" + $0 } ?? ""))
            }
            return try await request.render(
                "error", title: request.t("error.\(problem.code.rawValue).title"),
                ErrorPage(status: Int(problem.code.status.code), message: message, issues: issues),
                status: problem.code.status)
        }
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
