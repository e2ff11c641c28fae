import Fluent
import LinliCore
import NIOConcurrencyHelpers
import Vapor

/// One capability of Linli. `configure` sets up the infrastructure, then asks every feature of
/// ``Features/all`` to register what it has — migrations (`app.migrations`), API routes (`app.api`),
/// pages (`app.pages`), jobs (`app.jobs`), OpenAPI components (`app.openAPIComponents`), departures
/// hooks — through the registries `App/` offers. `App/` names no feature; adding one is its own folder
/// plus one line in ``Features/all``.
protocol Feature {
    static func register(_ app: Application) throws
    /// The feature's user-facing strings (`<Feature>+zhCN.swift`, `+en.swift` in its folder).
    static var strings: (any LocalizedStrings.Type)? { get }
    /// The feature's part of the living demo (`linli demo`), in the transaction that seeds the registry.
    static func seedDemo(_ world: DemoWorld, on db: any Database) async throws
    /// The device types the feature adds to the catalogue (`LinliCore`'s `<Feature>Devices.types`).
    static var deviceTypes: [DeviceType] { get }
    /// The feature's devices in the demo community, each with its fixed token number (`demo-device-N`).
    static var demoDevices: [DemoDevices.Spec] { get }
    /// The feature's commands of `linli` (`linli care-replay`), by name.
    static var commands: [(name: String, command: any AnyAsyncCommand)] { get }
    /// The feature's style rules, beside its templates (`access/access.css` under `Resources/Views`).
    static var css: String? { get }
}

extension Feature {
    static var strings: (any LocalizedStrings.Type)? { nil }
    static var deviceTypes: [DeviceType] { [] }
    static var demoDevices: [DemoDevices.Spec] { [] }
    static var commands: [(name: String, command: any AnyAsyncCommand)] { [] }
    static var css: String? { nil }
    static func seedDemo(_ world: DemoWorld, on db: any Database) async throws {}
}

/// What the demo registry seeded — its communities' buildings, households, memberships and staff — for
/// each feature's own demo data.
struct DemoWorld: Sendable {
    /// The demo community (礼嘉智慧小区); the second one only has its registry.
    let community: UUID
    let buildings: [Building]
    let households: [Household]
    let memberships: [Membership]
    let staff: [StaffAssignment]
    /// The demo password's hash, for people a feature adds.
    let passwordHash: String
    let now: Date

    var communityBuildings: [Building] { buildings.filter { $0.communityID == community } }
    var communityHouseholds: [Household] { households.filter { $0.communityID == community } }
    var communityMemberships: [Membership] { memberships.filter { $0.communityID == community } }
    func staffMember(_ role: StaffRole) -> UUID { staff.first { $0.role == role }?.personID ?? UUID() }
}

/// The OpenAPI components (schemas) features add for `/openapi.json`.
final class OpenAPIComponents: Sendable {
    private let components = NIOLockedValueBox([(String, JSONValue)]())

    func add(_ schemas: [(String, JSONValue)]) { components.withLockedValue { $0 += schemas } }

    var all: [(String, JSONValue)] { components.withLockedValue { $0 } }
}

extension Application {
    private struct OpenAPIComponentsKey: StorageKey { typealias Value = OpenAPIComponents }

    var openAPIComponents: OpenAPIComponents {
        if let registry = storage[OpenAPIComponentsKey.self] { return registry }
        let registry = OpenAPIComponents()
        storage[OpenAPIComponentsKey.self] = registry
        return registry
    }

    /// The web pages: sessions (a terminal's ending when idle), the signed-in person, page errors and CSRF
    /// around every route.
    var pages: any RoutesBuilder {
        grouped(sessions.middleware, TerminalSessionMiddleware(), SessionUserAuthenticator(), WebErrorMiddleware(), CSRFMiddleware())
    }

    /// Live feeds (WebSockets) under the API: an app signs in with its bearer token, the console's page
    /// with its session — only from a page of this site (`Request.requireSameOrigin`), so another site
    /// cannot open a guard's feed with the guard's cookie.
    var liveFeeds: any RoutesBuilder {
        grouped(sessions.middleware, SessionUserAuthenticator(), BearerUserAuthenticator())
    }
}

extension Application {
    /// A community's live feed (WebSocket) at `path`: the caller must hold `authority` in the community of
    /// the path, a session must come from this site, and the request must be an upgrade; `follow` then
    /// keeps the socket.
    func registerCommunityFeed(
        path: String, operationID: String, summary: String, tag: String,
        authority: @escaping @Sendable (UUID) -> AccessRequest,
        follow: @escaping @Sendable (Request, WebSocket, UUID) -> Void
    ) {
        liveFeeds.register(
            .init(
                method: .GET, path: path, operationID: operationID, summary: summary, tag: tag,
                authority: .community(authority)), in: self
        ) { req -> Response in
            try req.requireSameOrigin()
            let id = try req.scope.communityID()
            try req.requireWebSocketUpgrade()
            return req.webSocket { req, ws in follow(req, ws, id) }
        }
    }
}

extension Request {
    /// A WebSocket opened with a session cookie must come from a page of this site: browsers always
    /// name the page's origin, and its host must be this one. A bearer token is never sent by a browser on
    /// its own, so it needs no such check.
    func requireSameOrigin() throws {
        guard headers.bearerAuthorization == nil, let origin = headers.first(name: .origin) else { return }
        // The host's name, without the port: a proxy may pass on `Host` without it.
        let host = (headers.first(name: .host) ?? "").split(separator: ":").first.map(String.init) ?? ""
        guard let originHost = URL(string: origin)?.host, originHost.lowercased() == host.lowercased() else {
            throw LinliError(.forbidden)
        }
    }

    /// A live feed's route answers only a WebSocket upgrade; a plain GET is told why (400).
    func requireWebSocketUpgrade() throws {
        guard headers[.upgrade].contains(where: { $0.lowercased() == "websocket" }) else {
            throw LinliError(.badRequest, ["reason": "Upgrade: websocket"])
        }
    }
}

/// A tab of a community's console, added by the feature whose page it opens: shown to whoever may
/// `shown` in the community, in `order` (registry 10–40, devices 50–80, access 90–100, property
/// 110–130, registry tools 140–150); its label is the string `console.tab.<name>`.
struct ConsoleTab: Sendable {
    let name: String
    let order: Int
    let shown: @Sendable (UUID) -> AccessRequest
    let route: @Sendable (UUID) -> any PageRoute
}

/// The console's tabs, from every feature.
final class ConsoleTabs: Sendable {
    private let tabs = NIOLockedValueBox([ConsoleTab]())

    func add(_ name: String, order: Int, shown: @escaping @Sendable (UUID) -> AccessRequest,
             _ route: @escaping @Sendable (UUID) -> any PageRoute)
    {
        tabs.withLockedValue { $0.append(ConsoleTab(name: name, order: order, shown: shown, route: route)) }
    }

    var all: [ConsoleTab] { tabs.withLockedValue { $0 }.sorted { $0.order < $1.order } }
}

extension Application {
    private struct ConsoleTabsKey: StorageKey { typealias Value = ConsoleTabs }

    /// The console's tabs (see ``ConsoleTabs``).
    var consoleTabs: ConsoleTabs {
        if let tabs = storage[ConsoleTabsKey.self] { return tabs }
        let tabs = ConsoleTabs()
        storage[ConsoleTabsKey.self] = tabs
        return tabs
    }
}

/// The pages without an id (`/access`, `/requests`, `/login` …) by name, for templates: every link a
/// template writes comes from a route value, `#(layout.links.access)`. Each feature adds its own.
final class PageLinks: Sendable {
    private let links = NIOLockedValueBox([String: String]())

    func add(_ name: String, _ route: some PageRoute) {
        let path = route.path
        links.withLockedValue { $0[name] = path }
    }

    var all: [String: String] { links.withLockedValue { $0 } }
}

extension Application {
    private struct PageLinksKey: StorageKey { typealias Value = PageLinks }

    /// Named links to the pages without an id (see ``PageLinks``).
    var pageLinks: PageLinks {
        if let links = storage[PageLinksKey.self] { return links }
        let links = PageLinks()
        storage[PageLinksKey.self] = links
        return links
    }
}
