import Fluent
import Foundation
import LinliCore
import Vapor

extension IrrigationAPI {
    @Sendable static func createIrrigationZone(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        let zone = try await save(nil, try req.decode(ZoneInput.self), community: id, on: req)
        return Created(value: try await reads([zone], now: req.clock.now(), app: req.application)[0])
    }

    @Sendable static func listIrrigationZones(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        let page = try await IrrigationZone.scoped(to: id, on: req.db).page(try req.listOptions(.zones), map: { $0 })
        return ListPage(
            items: try await reads(page.items, now: req.clock.now(), app: req.application), metadata: page.metadata)
    }

    @Sendable static func getIrrigationZone(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        let zone = try await IrrigationZone.find(try req.id("zoneID"), in: id, on: req.db)
        return try await reads([zone], now: req.clock.now(), app: req.application)[0]
    }

    @Sendable static func updateIrrigationZone(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        let zone = try await IrrigationZone.find(try req.id("zoneID"), in: id, on: req.db)
        let saved = try await save(zone, try req.decode(ZoneInput.self), community: id, on: req)
        return try await reads([saved], now: req.clock.now(), app: req.application)[0]
    }

    @Sendable static func listIrrigationRuns(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        let zone = try await IrrigationZone.find(try req.id("zoneID"), in: id, on: req.db)
        return try await IrrigationRun.scoped(to: id, on: req.db).filter(\.$zoneID == zone.requireID())
            .page(try req.listOptions(.irrigationRuns), map: RunRead.init)
    }
}
