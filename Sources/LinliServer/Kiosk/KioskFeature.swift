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
        app.openAPIComponents.add([
            (
                "TerminalAction",
                Schema.object(
                    [
                        ("id", Schema.uuid), ("deviceID", Schema.uuid), ("personID", Schema.nullable(Schema.uuid)),
                        ("action", Schema.string()), ("status", Schema.integer()), ("at", Schema.dateTime),
                    ], required: ["id", "deviceID", "action", "status", "at"])
            )
        ])
        app.api.authenticated.register(
            .init(
                method: .GET, path: RegistryAPI.c + "/terminal-actions", operationID: "listTerminalActions",
                summary: "What was done at the community's kiosks (oldest first; `sort=-at` newest first): sign-ins and refusals, each request, sign-outs; `device=` one kiosk",
                tag: "devices", authority: .community { .viewDevices($0) }, response: Schema.page(of: "TerminalAction"),
                query: Endpoint.listQuery(.terminalActions) + [.init(name: "device", schema: Schema.uuid)]), in: app, listActions)
    }

    struct ActionRead: Content {
        let id: UUID
        let deviceID: UUID
        let personID: UUID?
        let action: String
        let status: Int
        let at: Date
    }

    @Sendable static func listActions(_ req: Request) async throws -> some AsyncResponseEncodable {
        let options = try req.listOptions(.terminalActions)
        var query = TerminalAction.query(on: req.db).filter(\.$communityID == (try req.scope.communityID()))
        if let raw = req.query[String.self, at: "device"] {
            guard let device = UUID(uuidString: raw) else { throw LinliError.invalid("device", "invalid_value") }
            query = query.filter(\.$deviceID == device)
        }
        return try await query.page(options) {
            ActionRead(id: try $0.requireID(), deviceID: $0.deviceID, personID: $0.personID, action: $0.action, status: $0.status, at: $0.at)
        }
    }
}

extension Sorting {
    static let terminalActions = Sorting(keys: ["at"], defaultSort: "at")
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
