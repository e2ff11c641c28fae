import Fluent
import Foundation
import LinliCore
import Vapor

/// The TV's pages: set-up, the pairing code of an unbound box, home with its numbered tiles, each
/// feature's screens and what their items post, and the live feed the screen polls.
enum TVPages {
    static let tiles = 8

    struct Tile: Encodable {
        let number: Int
        let name: String
        let label: String
        let href: String
        let id: String
    }

    /// What `tv/tv.leaf` draws: `step` is `setup`, `pair`, `home` or `screen`.
    struct View: Encodable {
        let step: String
        var error: String? = nil
        var code: String? = nil
        var codeMinutes: Int = 0
        var place: String = ""
        var tiles: [Tile] = []
        var screen: TVScreen? = nil
        var alerts: [TVAlert] = []
        var status: [String] = []
        var today: String = ""
        var back: String = TVRoute.home.path
        var focus: String? = nil
        var key: String = UUID().uuidString
    }

    static func page(_ req: Request, _ view: View, status: HTTPStatus = .ok) async throws -> Response {
        let title = view.screen?.title ?? req.t("tv.title")
        let response = try await req.render("tv/tv", title: title, view, status: status, keep: false)
        response.headers.cacheControl = .init(noStore: true)
        return response
    }

    /// The box and whom it acts for; without both, the answer to show instead (set-up or pairing).
    static func viewer(_ req: Request) async throws -> (TVViewer?, Response?) {
        guard let device = await TVViewers.device(req) else { return (nil, try await page(req, View(step: "setup"))) }
        guard let viewer = try await TVViewers.viewer(device, req) else {
            let code = try await TVPairing.issue(device, req)
            return (nil, try await page(req, View(step: "pair", code: code, codeMinutes: Int(TVPairing.lifetime / 60))))
        }
        return (viewer, nil)
    }

    /// Fills in what every screen shows: the alerts, the place, the date, the focus asked for.
    static func frame(_ view: inout View, _ viewer: TVViewer, _ req: Request) async throws {
        view.alerts = try await req.application.tvScreens.alerts(req, viewer)
        view.place = try req.user().person.name
        view.today = today(req)
        if let focus = req.query[String.self, at: "focus"], focus.count <= 80,
            focus.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") })
        {
            view.focus = focus
        }
    }

    @Sendable static func home(_ req: Request) async throws -> Response {
        let (found, other) = try await viewer(req)
        guard let viewer = found else { return other! }
        var view = View(step: "home")
        view.tiles = req.application.tvScreens.all.prefix(tiles).enumerated().map { index, spec in
            Tile(
                number: index + 1, name: spec.name, label: req.t("tv.tile.\(spec.name)"),
                href: TVRoute.screen(spec.name).path, id: "tile-\(spec.name)")
        }
        view.status = try await req.application.tvScreens.status(req, viewer)
        try await frame(&view, viewer, req)
        try await count(viewer, "home", req)
        return try await page(req, view)
    }

    @Sendable static func postSetup(_ req: Request) async throws -> Response {
        struct Form: Content { var token: String? }
        let token = (try req.content.decode(Form.self).token ?? "").trimmingCharacters(in: .whitespaces)
        guard token.count <= 200, let device = try? await req.deviceHub.authenticate(token), device.type == "tv_box", !device.disabled else {
            return try await page(req, View(step: "setup", error: req.t("tv.badToken")), status: .unprocessableEntity)
        }
        let response = req.redirect(to: TVRoute.home.path)
        response.cookies[TVViewers.cookie] = HTTPCookies.Value(
            string: token, maxAge: 10 * 365 * 86_400, path: "/tv", isSecure: req.url.scheme == "https", isHTTPOnly: true,
            sameSite: .strict)
        return response
    }

    @Sendable static func show(_ name: String, item: String?, _ req: Request) async throws -> Response {
        let (found, other) = try await viewer(req)
        guard let viewer = found else { return other ?? req.redirect(to: TVRoute.home.path) }
        guard let spec = req.application.tvScreens.named(name) else { throw LinliError(.notFound) }
        var view = View(step: "screen")
        var screen: TVScreen
        var status = HTTPStatus.ok
        do {
            screen = try await spec.show(req, viewer, item)
        } catch let error as LinliError where error.code != .internalError {
            // Gone or never there (a notice withdrawn, another home's bill): said on a TV screen, with Back.
            status = error.code.status
            screen = TVScreen(name: name, title: req.t("tv.tile.\(name)"), message: message(error, req), tone: "error")
        }
        screen.back = screen.back ?? TVRoute.home.path
        screen.backFocus = screen.backFocus ?? "tile-\(name)"
        number(&screen)
        view.screen = screen
        view.back = link(screen.back!, focus: screen.backFocus)
        try await frame(&view, viewer, req)
        try await count(viewer, item == nil ? name : "\(name).item", status: Int(status.code), req)
        return try await page(req, view, status: status)
    }

    /// An item's post: the feature does it and says what to show; a refusal (a wrong PIN, a slot just
    /// taken) is the screen again with its reason, never an error page.
    @Sendable static func act(_ name: String, item: String?, _ req: Request) async throws -> Response {
        let (found, other) = try await viewer(req)
        guard let viewer = found else { return other ?? req.redirect(to: TVRoute.home.path) }
        guard let spec = req.application.tvScreens.named(name), let act = spec.act else { throw LinliError(.notFound) }
        let form = try req.content.decode(TVForm.self)
        var screen: TVScreen
        var status = HTTPStatus.ok
        do {
            screen = try await act(req, viewer, item, form)
        } catch let error as LinliError where error.code != .internalError {
            status = error.code.status
            screen = try await spec.show(req, viewer, item)
            screen.message = message(error, req)
            screen.tone = "error"
        }
        screen.back = screen.back ?? TVRoute.home.path
        screen.backFocus = screen.backFocus ?? "tile-\(name)"
        number(&screen)
        var view = View(step: "screen", screen: screen)
        view.back = link(screen.back!, focus: screen.backFocus)
        try await frame(&view, viewer, req)
        try await count(viewer, "\(name).\(form.do ?? "post")", status: Int(status.code), req)
        return try await page(req, view, status: status)
    }

    /// What the screen polls every few seconds: whether it is still bound, and the alerts.
    @Sendable static func live(_ req: Request) async throws -> Response {
        struct Live: Content {
            let state: String
            var alerts: [TVAlert] = []
        }
        var answer = Live(state: "setup")
        if let device = await TVViewers.device(req) {
            if let viewer = try await TVViewers.viewer(device, req) {
                answer = Live(state: "bound", alerts: try await req.application.tvScreens.alerts(req, viewer))
            } else {
                answer = Live(state: "unbound")
            }
        }
        let response = try await answer.encodeResponse(for: req)
        response.headers.cacheControl = .init(noStore: true)
        return response
    }

    /// The day as the home's header says it (`12月5日 星期六`).
    static func today(_ req: Request) -> String {
        let formatter = DateFormatter()
        formatter.timeZone = Calendar.china.timeZone
        formatter.locale = Locale(identifier: req.language == .zhCN ? "zh_CN" : "en_GB")
        formatter.dateFormat = req.language == .zhCN ? "M月d日 EEEE" : "EEEE d MMMM"
        return formatter.string(from: req.clock.now())
    }

    /// The first nine items that do something get their digit.
    static func number(_ screen: inout TVScreen) {
        var next = 1
        for index in screen.items.indices where next <= 9 && (screen.items[index].href != nil || screen.items[index].post != nil) {
            screen.items[index].number = next
            next += 1
        }
    }

    static func link(_ path: String, focus: String?) -> String {
        guard let focus else { return path }
        return path + (path.contains("?") ? "&" : "?") + "focus=" + focus
    }

    static func message(_ error: LinliError, _ req: Request) -> String {
        let reasons = error.issues.compactMap { req.reasonText($0, error.arguments) }
        return reasons.isEmpty ? req.t("error.\(error.code.rawValue).detail", error.arguments) : reasons.joined(separator: " ")
    }

    /// Which screen was used, when, on which box: the operations' figures of the elderly's engagement.
    static func count(_ viewer: TVViewer, _ what: String, status: Int = 200, _ req: Request) async throws {
        try await TerminalSessions.log(
            device: viewer.device, community: viewer.community, person: viewer.person, "tv.\(what)", status: status,
            at: req.clock.now(), on: req.db)
    }
}
