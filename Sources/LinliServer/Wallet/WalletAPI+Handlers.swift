import Fluent
import Foundation
import LinliCore
import Vapor

extension WalletAPI {
    @Sendable static func signInAtRecyclingBin(_ req: Request) async throws -> some AsyncResponseEncodable {
        let bin = try await Recycling.bin(req)
        return Created(value: try await Recycling.signIn(try req.decode(RecyclingSignInInput.self), at: bin, on: req))
    }

    @Sendable static func reportRecyclingWeighing(_ req: Request) async throws -> some AsyncResponseEncodable {
        let bin = try await Recycling.bin(req)
        return try await Recycling.weigh(try req.decode(WeighingInput.self), at: bin, on: req)
    }

    @Sendable static func setRecyclingPin(_ req: Request) async throws -> some AsyncResponseEncodable {
        try await setPIN(try req.decode(RecyclingPinInput.self), on: req)
        return NoContent()
    }

    @Sendable static func getWallet(_ req: Request) async throws -> some AsyncResponseEncodable {
        try await wallet(try req.scope.home(), on: req)
    }

    @Sendable static func listWalletEntries(_ req: Request) async throws -> some AsyncResponseEncodable {
        try await entries(try req.scope.home(), on: req)
    }

    @Sendable static func withdrawFromWallet(_ req: Request) async throws -> some AsyncResponseEncodable {
        Created(value: try await Withdrawals.withdraw(try req.scope.home(), try req.decode(WithdrawalInput.self), on: req))
    }

    @Sendable static func listRecyclingReconciliations(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        return try await RecyclingReconciliation.query(on: req.db).filter(\.$communityID == id)
            .page(try req.listOptions(.reconciliations), map: Reconciliation.read)
    }

    @Sendable static func getRecyclingPrices(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        return try await priceList(id, now: req.clock.now(), on: req.db)
    }

    @Sendable static func setRecyclingPrices(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        return Created(value: try await setPrices(id, try req.decode(PriceListInput.self), on: req))
    }
}
