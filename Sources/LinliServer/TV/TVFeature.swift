import Fluent
import Foundation
import LinliCore
import Vapor

/// The strings of this feature (`TVStrings` tables beside it).
enum TVStrings: LocalizedStrings {}

/// The elderly TV channel (`/tv`): the TV box's browser, set up once with its device token and bound to
/// a household (by an operator on the device, or by family with the pairing code the TV shows), offers
/// the household's services as at most eight numbered tiles, driven by the remote alone — arrows, Enter,
/// Back, digits, and 0 to read aloud. Each screen is a feature's (``TVScreens``); this feature draws
/// them, decides who the box acts for (``TVViewer``), takes the household PIN on a number pad, keeps the
/// emergency banner and reminders live, and counts which screens are used.
enum TVChannel: Feature {
    static var strings: (any LocalizedStrings.Type)? { TVStrings.self }
    static var css: String? { "tv/tv.css" }

    static func register(_ app: Application) {
        app.migrations.add(CreateTVPairings())
        TerminalFigures.register(app)
        let web = app.pages
        for (name, route) in [("tv", TVRoute.home), ("tvSetup", .setup), ("tvLive", .live), ("tvPair", .pair)] {
            app.pageLinks.add(name, route)
        }
        Web.route(web, .GET, { _, _, _ in TVRoute.home }, authority: .anyone, TVPages.home)
        Web.route(web, .POST, { _, _, _ in TVRoute.setup }, authority: .anyone, maxBody: "4kb", TVPages.postSetup)
        Web.route(web, .GET, { _, _, _ in TVRoute.live }, authority: .anyone, TVPages.live)
        Web.route(web, .GET, { _, _, _ in TVRoute.pair }, authority: .signedIn, TVPairing.pairPage)
        Web.route(web, .POST, { _, _, _ in TVRoute.pair }, authority: .signedIn, maxBody: "4kb", TVPairing.postPair)
        for spec in app.tvScreens.all {
            let name = spec.name
            Web.route(web, .GET, { _, _, _ in TVRoute.screen(name) }, authority: .anyone) { try await TVPages.show(name, item: nil, $0) }
            Web.route(web, .GET, { a, _, _ in TVRoute.item(name, a) }, authority: .anyone) {
                try await TVPages.show(name, item: try $0.id("itemID").uuidString, $0)
            }
            Web.route(web, .POST, { _, _, _ in TVRoute.screen(name) }, authority: .anyone, maxBody: "4kb") {
                try await TVPages.act(name, item: nil, $0)
            }
            Web.route(web, .POST, { a, _, _ in TVRoute.item(name, a) }, authority: .anyone, maxBody: "4kb") {
                try await TVPages.act(name, item: try $0.id("itemID").uuidString, $0)
            }
        }
    }

    /// 李秀英's family put ¥300 into her home's wallet, so her TV can pay a bill with the PIN.
    static func seedDemo(_ world: DemoWorld, on db: any Database) async throws {
        guard let building = world.communityBuildings.first(where: { $0.name == "2栋" })?.id,
            let home = world.communityHouseholds.first(where: { $0.buildingID == building && $0.room == "302" })?.id
        else { return }
        try await Books.post(
            .transfer(30_000, from: Books.provider(world.community), to: Books.wallet(home), cause: "demo-family-top-up:\(home)"),
            community: world.community, at: world.now.addingTimeInterval(-3 * 86_400), on: db)
    }

    static var demoDevices: [DemoDevices.Spec] {
        // 李秀英's TV, bound to her home.
        [DemoDevices.Spec(33, "2栋302电视盒子", "tv_box", building: "2栋", room: "302")]
    }
}

enum TVRoute: PageRoute {
    static let parameterNames: [String: String] = ["item": "itemID"]

    case home
    case setup
    case live
    /// `/me`'s form for the pairing code a TV shows.
    case pair
    case screen(String)
    case item(String, UUID)

    var path: String {
        switch self {
        case .home: "/tv"
        case .setup: "/tv/setup"
        case .live: "/tv/live"
        case .pair: "/me/tv"
        case .screen(let name): TVPaths.screen(name)
        case .item(let name, let id): TVPaths.item(name, id)
        }
    }
}

/// The pairing code an unbound TV shows: kept as a keyed hash, one per box (a new one replaces it),
/// valid for `TVPairing.lifetime`.
final class TVPairingCode: Model, @unchecked Sendable {
    static let schema = "tv_pairings"

    @ID(key: .id) var id: UUID?
    @Field(key: "device_id") var deviceID: UUID
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "code_hash") var codeHash: String
    @Field(key: "expires_at") var expiresAt: Date

    init() {}
}

struct CreateTVPairings: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(TVPairingCode.schema).id()
            .field("device_id", .uuid, .required).field("community_id", .uuid, .required)
            .field("code_hash", .string, .required).field("expires_at", .datetime, .required)
            .unique(on: "device_id").unique(on: "code_hash").create()
    }

    func revert(on database: any Database) async throws { try await database.schema(TVPairingCode.schema).delete() }
}
