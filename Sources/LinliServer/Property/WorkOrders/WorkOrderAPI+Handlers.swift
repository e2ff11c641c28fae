import Fluent
import Foundation
import LinliCore
import Vapor

extension WorkOrderAPI {
    @Sendable static func fileWorkOrder(_ req: Request) async throws -> some AsyncResponseEncodable {
        let order = try await WorkOrderService.file(try req.decode(WorkOrderInput.self), channel: "app", on: req)
        return Created(value: try await WorkOrderService.reads([order], now: req.clock.now(), on: req.db)[0])
    }

    @Sendable static func fileWorkOrderForResident(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        let input = try req.decode(WorkOrderInput.self)
        _ = try await Household.find(input.householdID, in: id, on: req.db)
        let order = try await WorkOrderService.file(input, channel: "phone", on: req)
        return Created(value: try await WorkOrderService.reads([order], now: req.clock.now(), on: req.db)[0])
    }

    @Sendable static func listWorkOrders(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        let options = try req.listOptions(.workOrders)
        let now = req.clock.now()
        let page = try await filtered(WorkOrder.scoped(to: id, on: req.db), req, now: now).page(options) { $0 }
        return ListPage(
            items: try await WorkOrderService.reads(page.items, now: now, on: req.db), metadata: page.metadata)
    }

    @Sendable static func getWorkOrder(_ req: Request) async throws -> some AsyncResponseEncodable {
        let order = try await WorkOrderService.order(req)
        return try await WorkOrderService.reads([order], now: req.clock.now(), detail: true, on: req.db)[0]
    }

    @Sendable static func actOnWorkOrder(_ req: Request) async throws -> some AsyncResponseEncodable {
        let order = try await WorkOrderService.order(req)
        try await WorkOrderService.act(order, try req.decode(WorkActionInput.self), on: req)
        return try await WorkOrderService.reads([order], now: req.clock.now(), detail: true, on: req.db)[0]
    }

    @Sendable static func assignWorkOrder(_ req: Request) async throws -> some AsyncResponseEncodable {
        let order = try await WorkOrderService.order(req)
        try await WorkOrderService.assign(order, to: try req.decode(WorkAssignInput.self).assigneeID, on: req)
        return try await WorkOrderService.reads([order], now: req.clock.now(), detail: true, on: req.db)[0]
    }

    @Sendable static func rateWorkOrder(_ req: Request) async throws -> some AsyncResponseEncodable {
        let order = try await WorkOrderService.order(req)
        try await WorkOrderService.rate(order, try req.decode(WorkRatingInput.self), on: req)
        return try await WorkOrderService.reads([order], now: req.clock.now(), detail: true, on: req.db)[0]
    }

    @Sendable static func addWorkOrderPhoto(_ req: Request) async throws -> some AsyncResponseEncodable {
        let order = try await WorkOrderService.order(req)
        let id = try await WorkOrderService.addPhoto(order, on: req)
        return Created(value: ["id": id.uuidString])
    }

    @Sendable static func setWorkOrderThumbnail(_ req: Request) async throws -> some AsyncResponseEncodable {
        let order = try await WorkOrderService.order(req)
        try await WorkOrderService.setThumbnail(
            order, photo: try req.id("photoID"), req.body.data.map { Data(buffer: $0) } ?? Data(), on: req)
        return NoContent()
    }

    @Sendable static func getWorkOrderPhoto(_ req: Request) async throws -> some AsyncResponseEncodable {
        try await photoResponse(req) 
    }
}
