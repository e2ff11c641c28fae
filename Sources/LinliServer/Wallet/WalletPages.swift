import Fluent
import Foundation
import LinliCore
import Vapor

/// The wallet's pages: the resident's (`/wallet`: balance, what the recycling bins earned, history,
/// withdrawals and the bin PIN) and the recycling bin's own screen (`/kiosk/recycling`), which works
/// with the bin's keypad alone: digits, Enter, the arrow keys between boxes.
enum WalletRoute: PageRoute {
    /// The name of the id after each collection segment of these pages (`req.id("householdID")`).
    static let parameterNames: [String: String] = ["households": "householdID"]

    case myWallet
    case withdraw(UUID)
    case pin
    case kiosk
    case kioskSetup
    case kioskSignIn
    case kioskOpen

    var path: String {
        switch self {
        case .myWallet: "/wallet"
        case .withdraw(let h): "/wallet/households/\(h)/withdrawals"
        case .pin: "/wallet/pin"
        case .kiosk: "/kiosk/recycling"
        case .kioskSetup: "/kiosk/recycling/setup"
        case .kioskSignIn: "/kiosk/recycling/sign-in"
        case .kioskOpen: "/kiosk/recycling/open"
        }
    }
}

enum WalletPages {
    struct Home: Encodable {
        let id: UUID
        let home: String
        let balance: String
        let totals: [String]
        let entries: [String]
        let withdraw: String
        let canWithdraw: Bool
        let requestKey: String
    }

    struct MyPage: Encodable {
        let homes: [Home]
        let pinSet: Bool
        let minimum: String
    }

    struct Box: Encodable {
        let box: String
        let name: String
        let price: String
        let first: Bool
    }

    struct KioskPage: Encodable {
        /// setup, signIn, boxes, open
        let step: String
        let prices: [Box]
        let maskedName: String
        let sessionID: String
        let chosen: Box?
        let error: String?
    }

    static let binCookie = "linli_bin"

    static func register(_ web: any RoutesBuilder) {
        Web.route(web, .GET, { _, _, _ in WalletRoute.myWallet }, authority: .signedIn, myWalletPage)
        Web.route(web, .POST, { h, _, _ in WalletRoute.withdraw(h) }, authority: .resident, postWithdraw)
        Web.route(web, .POST, { _, _, _ in WalletRoute.pin }, authority: .signedIn, postPin)
        registerKiosk(web)
    }

    // MARK: The bin's screen

    /// The bin whose token this screen was set up with; nil when none (or no longer valid).
    static func bin(_ req: Request) async -> DeviceRef? {
        guard let token = req.cookies[binCookie]?.string, !token.isEmpty,
            let device = try? await req.deviceHub.authenticate(token), device.type == "recycling_bin"
        else { return nil }
        return device
    }

    static func kiosk(_ req: Request, _ page: KioskPage, status: HTTPStatus = .ok) async throws -> Response {
        let response = try await req.render("wallet/kiosk", title: req.t("kiosk.title"), page, status: status)
        response.headers.cacheControl = .init(noStore: true)
        return response
    }

    static func boxes(_ prices: [RecyclingBoxPrice], _ req: Request) -> [Box] {
        prices.enumerated().map { index, p in
            Box(
                box: p.box, name: req.t("recycling.box.\(p.box)"),
                price: p.pricePerKgFen == 0 ? req.t("kiosk.free") : req.t("kiosk.perKg", ["price": MoneyText.yuan(p.pricePerKgFen)]),
                first: index == 0)
        }
    }

    static func empty(_ step: String, error: String? = nil) -> KioskPage {
        KioskPage(step: step, prices: [], maskedName: "", sessionID: "", chosen: nil, error: error)
    }

    static func registerKiosk(_ web: any RoutesBuilder) {
        Web.route(web, .GET, { _, _, _ in WalletRoute.kiosk }, authority: .anyone, kioskPage)
        Web.route(web, .POST, { _, _, _ in WalletRoute.kioskSetup }, authority: .anyone, postKioskSetup)
        Web.route(web, .POST, { _, _, _ in WalletRoute.kioskSignIn }, authority: .anyone, postKioskSignIn)
        Web.route(web, .POST, { _, _, _ in WalletRoute.kioskOpen }, authority: .anyone, postKioskOpen)
    }
}
