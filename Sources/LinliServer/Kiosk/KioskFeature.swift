import Fluent
import Foundation
import LinliCore
import Vapor

/// The strings of this feature (`KioskStrings` tables beside it).
enum KioskStrings: LocalizedStrings {}

/// The 24-hour self-service terminal (自助机) in the property office's hall: set up once with its device
/// token, it signs residents in by access card, by the app's rotating QR code or by phone and PIN — no
/// phone needed — and offers the resident pages (ask, notices, bills and the wallet, services, events,
/// applications, requests) in big text, printing through the browser; a minute without input signs them
/// out after a visible ten-second countdown, and every request is logged with the kiosk's device.
enum SelfService: Feature {
    static var strings: (any LocalizedStrings.Type)? { KioskStrings.self }
    static var css: String? { "kiosk/kiosk.css" }

    static func register(_ app: Application) {
        let web = app.pages
        for (name, route) in [
            ("selfService", KioskRoute.home), ("selfServiceSetup", .setup), ("selfServiceSignIn", .signIn),
            ("selfServiceSignOut", .signOut), ("selfServiceAlive", .alive),
        ] { app.pageLinks.add(name, route) }
        Web.route(web, .GET, { _, _, _ in KioskRoute.home }, authority: .anyone, KioskPages.home)
        Web.route(web, .POST, { _, _, _ in KioskRoute.setup }, authority: .anyone, KioskPages.postSetup)
        Web.route(web, .POST, { _, _, _ in KioskRoute.signIn }, authority: .anyone, KioskPages.postSignIn)
        Web.route(web, .POST, { _, _, _ in KioskRoute.signOut }, authority: .anyone, KioskPages.postSignOut)
        Web.route(web, .GET, { _, _, _ in KioskRoute.alive }, authority: .anyone, KioskPages.alive)
    }
}

enum KioskRoute: PageRoute {
    static let parameterNames: [String: String] = [:]

    case home
    case setup
    case signIn
    case signOut
    case alive

    var path: String {
        switch self {
        case .home: "/kiosk"
        case .setup: "/kiosk/setup"
        case .signIn: "/kiosk/sign-in"
        case .signOut: "/kiosk/sign-out"
        case .alive: "/kiosk/alive"
        }
    }
}
