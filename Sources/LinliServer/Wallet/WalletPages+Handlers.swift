import Fluent
import Foundation
import LinliCore
import Vapor

extension WalletPages {
    @Sendable static func myWalletPage(_ req: Request) async throws -> Response {
        let user = try req.user()
        let homesNamed = try await RegistryAPI.myHomes(req)
        var homes: [Home] = []
        for (household, name) in homesNamed {
            let id = try household.requireID()
            let wallet = try await WalletAPI.wallet(household, on: req)
            let entries = try await WalletAPI.entries(household, on: req).items
            homes.append(
                Home(
                    id: id, home: name, balance: MoneyText.yuan(wallet.balanceFen),
                    totals: wallet.recycling.map {
                        req.t("recycling.box.\($0.box)") + " · " + String(format: "%.1f kg", Double($0.netGrams) / 1000)
                            + " · " + MoneyText.yuan($0.creditedFen)
                    },
                    entries: entries.map {
                        ConsolePages.time($0.at, req) + " · " + req.t("wallet.kind.\($0.kind)") + " · "
                            + ($0.fen > 0 ? "+" : "") + MoneyText.yuan($0.fen) + " · " + req.t("wallet.balanceAfter")
                            + " " + MoneyText.yuan($0.balanceFen)
                    }, withdraw: WalletRoute.withdraw(id).path, canWithdraw: wallet.balanceFen >= Withdrawals.minimumFen,
                    requestKey: RequestKey.make()))
        }
        let pinSet = try await RecyclingPin.query(on: req.db).filter(\.$personID == user.principal.personID).count() > 0
        return try await req.render(
            "wallet/wallet", title: req.t("wallet.title"),
            MyPage(homes: homes, pinSet: pinSet, minimum: MoneyText.yuan(Withdrawals.minimumFen)))
    }

    @Sendable static func postWithdraw(_ req: Request) async throws -> Response {
        let household = try req.scope.home()
        let form = try req.content.decode(MoneyForm.self)
        let fen = try form.fen()
        let done = try await Withdrawals.withdraw(household, WithdrawalInput(amountFen: fen, requestKey: form.requestKey), on: req)
        req.flash(req.t("wallet.withdrawn.\(done.status)", ["amount": MoneyText.yuan(done.amountFen)]), error: done.status == "failed")
        return req.redirect(to: WalletRoute.myWallet.path)
    }

    @Sendable static func postPin(_ req: Request) async throws -> Response {
        struct Form: Content { var pin: String? }
        try await WalletAPI.setPIN(RecyclingPinInput(pin: try req.content.decode(Form.self).pin), on: req)
        req.flash(req.t("wallet.pinSaved"))
        return req.redirect(to: WalletRoute.myWallet.path)
    }

    @Sendable static func kioskPage(_ req: Request) async throws -> Response {
        guard let bin = await bin(req) else { return try await kiosk(req, empty("setup")) }
        let prices = try await Recycling.prices(bin.communityID, at: req.clock.now(), on: req.db)
        return try await kiosk(
            req, KioskPage(step: "signIn", prices: boxes(prices, req), maskedName: "", sessionID: "", chosen: nil, error: nil))
    }

    @Sendable static func postKioskSetup(_ req: Request) async throws -> Response {
        struct Form: Content { var token: String? }
        let token = (try req.content.decode(Form.self).token ?? "").trimmingCharacters(in: .whitespaces)
        guard token.count <= 200, let device = try? await req.deviceHub.authenticate(token), device.type == "recycling_bin"
        else { return try await kiosk(req, empty("setup", error: req.t("kiosk.badToken")), status: .unauthorized) }
        let response = req.redirect(to: WalletRoute.kiosk.path)
        response.cookies[binCookie] = HTTPCookies.Value(
            string: token, maxAge: 365 * 86_400, path: "/kiosk", isSecure: req.url.scheme == "https", isHTTPOnly: true,
            sameSite: .strict)
        return response
    }

    @Sendable static func postKioskSignIn(_ req: Request) async throws -> Response {
        guard let bin = await bin(req) else { return try await kiosk(req, empty("setup")) }
        let input = try req.content.decode(RecyclingSignInInput.self)
        let prices = boxes(try await Recycling.prices(bin.communityID, at: req.clock.now(), on: req.db), req)
        do {
            let session = try await Recycling.signIn(input, at: bin, on: req)
            return try await kiosk(
                req,
                KioskPage(
                    step: "boxes", prices: boxes(session.prices, req), maskedName: session.maskedName,
                    sessionID: session.sessionID.uuidString, chosen: nil, error: nil))
        } catch let error as LinliError {
            // Said on the bin's screen, in the bin's words: which of phone or PIN was wrong is not told.
            let message =
                switch error.code {
                case .invalidCredentials: req.t("kiosk.wrong")
                case .tooManyRequests, .loginLocked: req.t("kiosk.locked")
                case .pinLocked: req.t("kiosk.pinLocked")
                default: req.t("kiosk.invalid")
                }
            return try await kiosk(
                req, KioskPage(step: "signIn", prices: prices, maskedName: "", sessionID: "", chosen: nil, error: message),
                status: error.code.status)
        }
    }

    @Sendable static func postKioskOpen(_ req: Request) async throws -> Response {
        struct Form: Content {
            var sessionID: UUID?
            var box: String?
        }
        guard let bin = await bin(req) else { return try await kiosk(req, empty("setup")) }
        let form = try req.content.decode(Form.self)
        let now = req.clock.now()
        guard let id = form.sessionID, let session = try await RecyclingSession.find(id, on: req.db),
            session.deviceID == bin.id, session.expiresAt > now
        else { return try await kiosk(req, empty("signIn", error: req.t("kiosk.expired")), status: .unprocessableEntity) }
        let prices = boxes(try await Recycling.prices(bin.communityID, at: now, on: req.db), req)
        guard let chosen = prices.first(where: { $0.box == form.box }) else {
            throw LinliError.invalid("box", "unknown_box")
        }
        let person = try await Person.find(session.personID, on: req.db)
        return try await kiosk(
            req,
            KioskPage(
                step: "open", prices: prices, maskedName: MaskedName.of(person?.name ?? ""), sessionID: id.uuidString,
                chosen: chosen, error: nil))
    }
}
