import Fluent
import Foundation
import LinliCore
import SQLKit
import Vapor

extension BillingAPI {
    @Sendable static func addTariffVersion(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        return Created(value: try await addTariff(id, try req.decode(TariffInput.self), on: req))
    }

    @Sendable static func listTariffVersions(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        return try await TariffRow.query(on: req.db).filter(\.$communityID == id)
            .page(try req.listOptions(.tariffs), map: read)
    }

    @Sendable static func issueBills(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        let input = try req.decode(IssueInput.self)
        guard let period = input.period else { throw LinliError.invalid("period", "missing_value") }
        return ["issued": try await Billing.issue(id, period: period, now: req.clock.now(), on: req.db)]
    }

    @Sendable static func listMyBills(_ req: Request) async throws -> some AsyncResponseEncodable {
        let household = try req.scope.home()
        let id = try household.requireID()
        let since = try req.user().principal.residentSince[id] ?? .distantPast
        let page = try await Bill.query(on: req.db).filter(\.$householdID == id).filter(\.$issuedAt >= since)
            .page(try req.listOptions(.bills), map: { $0 })
        return ListPage(items: try await reads(page.items, on: req.db), metadata: page.metadata)
    }

    @Sendable static func payBillFromWallet(_ req: Request) async throws -> some AsyncResponseEncodable {
        let household = try req.scope.home()
        return Created(
            value: try await payFromWallet(
                household, billID: try req.id("billID"), try req.decode(WalletBillPaymentInput.self), on: req))
    }

    @Sendable static func payBillOnline(_ req: Request) async throws -> some AsyncResponseEncodable {
        let household = try req.scope.home()
        return Created(
            value: try await OnlinePayments.pay(
                household, billID: try req.id("billID"), try req.decode(WalletBillPaymentInput.self), on: req))
    }

    @Sendable static func recordDeskPayment(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        return Created(value: try await pay(try req.id("billID"), in: id, try req.decode(DeskPaymentInput.self), on: req))
    }
}
