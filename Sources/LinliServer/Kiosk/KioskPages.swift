import Fluent
import Foundation
import LinliCore
import Vapor

/// The kiosk's screens: setting it up with its device token, signing a resident in (card or QR code on
/// the reader, or phone and PIN), the big buttons of what it offers, and signing out.
enum KioskPages {
    static let cookie = "linli_kiosk"

    struct Tile: Encodable {
        let href: String
        let label: String
        let hint: String
    }

    struct Screen: Encodable {
        /// `setup`, `signIn`, `home`.
        let step: String
        var error: String? = nil
        var name: String? = nil
        var tiles: [Tile] = []
        var phone: String = ""
    }

    /// The kiosk this browser was set up as; nil when none (or its token no longer valid, or disabled).
    static func device(_ req: Request) async -> DeviceRef? {
        guard let token = req.cookies[cookie]?.string, !token.isEmpty, token.count <= 200,
            let device = try? await req.deviceHub.authenticate(token), device.type == "kiosk", !device.disabled
        else { return nil }
        return device
    }

    static func screen(_ req: Request, _ screen: Screen, status: HTTPStatus = .ok) async throws -> Response {
        req.isTerminalScreen = true
        let response = try await req.render("kiosk/kiosk", title: req.t("selfService.title"), screen, status: status, keep: false)
        response.headers.cacheControl = .init(noStore: true)
        return response
    }

    @Sendable static func home(_ req: Request) async throws -> Response {
        guard let device = await device(req) else { return try await screen(req, Screen(step: "setup")) }
        guard let session = TerminalSessions.current(req), session.device == device.id, let user = req.auth.get(CurrentUser.self) else {
            return try await screen(req, Screen(step: "signIn"))
        }
        let links = req.application.pageLinks.all
        let tiles = ["ask", "notices", "bills", "services", "events", "applications", "requests"].compactMap { name -> Tile? in
            guard let href = links[name] else { return nil }
            return Tile(href: href, label: req.t("selfService.tile.\(name)"), hint: req.t("selfService.hint.\(name)"))
        }
        return try await screen(req, Screen(step: "home", name: MaskedName.of(user.person.name), tiles: tiles))
    }

    @Sendable static func postSetup(_ req: Request) async throws -> Response {
        struct Form: Content { var token: String? }
        let token = (try req.content.decode(Form.self).token ?? "").trimmingCharacters(in: .whitespaces)
        guard token.count <= 200, let device = try? await req.deviceHub.authenticate(token), device.type == "kiosk", !device.disabled else {
            return try await screen(req, Screen(step: "setup", error: req.t("selfService.badToken")), status: .unauthorized)
        }
        let response = req.redirect(to: KioskRoute.home.path)
        response.cookies[cookie] = HTTPCookies.Value(
            string: token, maxAge: 365 * 86_400, path: "/kiosk", isSecure: req.url.scheme == "https", isHTTPOnly: true, sameSite: .strict)
        return response
    }

    /// A card or a QR code from the reader (`code`), or `phone` and `pin`. Whoever is not a current
    /// resident of the kiosk's community is refused like a wrong card; wrong tries are throttled per
    /// kiosk (someone going through card numbers) and per phone.
    @Sendable static func postSignIn(_ req: Request) async throws -> Response {
        struct Form: Content {
            var code: String?
            var phone: String?
            var pin: String?
        }
        guard let device = await device(req) else { return try await screen(req, Screen(step: "setup"), status: .unauthorized) }
        let form = try req.content.decode(Form.self)
        let community = device.communityID
        let code = (form.code ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let phone = form.phone.flatMap(PhoneNumber.init)
        var how = "pin"
        var keys: [(String, LoginThrottle)] = []
        var perKiosk = LoginThrottle()
        perKiosk.slowAfter = 10
        perKiosk.lockAfter = 20
        keys.append(("kiosk:\(device.id)", perKiosk))
        if code.isEmpty {
            guard let phone, let pin = form.pin, (4...6).contains(pin.count), pin.allSatisfy(\.isASCIIDigit) else {
                return try await screen(req, Screen(step: "signIn", error: req.t("selfService.invalid"), phone: form.phone ?? ""), status: .unprocessableEntity)
            }
            var perPhone = LoginThrottle()
            perPhone.slowAfter = 2
            perPhone.lockAfter = 3
            keys.insert(("kiosk:\(community):\(phone.digits)", perPhone), at: 0)
        } else {
            how = code.hasPrefix("L1:") ? "qr" : "card"
        }
        var person: UUID?
        do {
            try await AttemptThrottle.guarded(keys, failure: LinliError(.invalidCredentials), on: req) {
                let found: UUID?
                switch how {
                case "qr": found = try await req.application.terminalCredentials.holder(ofCode: code, in: community, now: req.clock.now(), on: req.db)
                case "card": found = code.count <= 128 ? try await req.application.cardHolders.holder(of: code, in: community, on: req.db) : nil
                default: found = try await req.application.terminalCredentials.holder(ofPhone: phone?.digits ?? "", pin: form.pin ?? "", on: req)
                }
                guard let found else { return false }
                let lives = try await Membership.query(on: req.db).filter(\.$personID == found).filter(\.$communityID == community).all()
                    .contains { $0.isCurrent(on: req.today) }
                person = lives ? found : nil
                return lives
            }
        } catch let error as LinliError {
            try await TerminalSessions.log(device: device.id, community: community, person: nil, "sign_in.refused.\(how)", status: Int(error.code.status.code), at: req.clock.now(), on: req.db)
            let message: String =
                switch error.code {
                case .invalidCredentials: req.t("selfService.wrong.\(how)")
                case .tooManyRequests, .loginLocked: req.t("selfService.locked")
                case .pinLocked: req.t("selfService.pinLocked")
                default: req.t("selfService.invalid")
                }
            return try await screen(req, Screen(step: "signIn", error: message, phone: how == "pin" ? form.phone ?? "" : ""), status: error.code.status)
        }
        guard let person else { return try await screen(req, Screen(step: "signIn", error: req.t("selfService.invalid")), status: .unauthorized) }
        try await TerminalSessions.begin(req, person: person, device: device.id, community: community, how: how)
        return req.redirect(to: KioskRoute.home.path)
    }

    @Sendable static func postSignOut(_ req: Request) async throws -> Response {
        struct Form: Content { var idle: String? }
        let form = try? req.content.decode(Form.self)
        try await TerminalSessions.end(req, idle: form?.idle == "1")
        return req.redirect(to: KioskRoute.home.path)
    }

    /// Activity on the screen without a request (reading, typing): keeps the session (the middleware
    /// noted the time); an ended one is not revived.
    @Sendable static func alive(_ req: Request) async throws -> Response {
        let response = Response(status: .noContent)
        response.headers.cacheControl = .init(noStore: true)
        return response
    }
}

extension Request {
    private struct TerminalScreenKey: StorageKey { typealias Value = Bool }

    /// The page is a shared terminal's own screen (before anyone signs in too): big text, its own header.
    var isTerminalScreen: Bool {
        get { storage[TerminalScreenKey.self] ?? false }
        set { storage[TerminalScreenKey.self] = newValue }
    }
}
