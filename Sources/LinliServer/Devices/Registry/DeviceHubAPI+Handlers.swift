import Fluent
import FluentSQL
import LinliCore
import Vapor

extension DeviceHubAPI {
    @Sendable static func listDeviceTypes(_ req: Request) async throws -> some AsyncResponseEncodable {
        try req.page(DeviceCatalog.all.map(DeviceTypeRead.init), .deviceTypes) 
    }

    @Sendable static func listDevices(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        let options = try req.listOptions(.devices)
        var query = Device.scoped(to: id, on: req.db)
        if let q = options.query { query = query.group(.or) { $0.filter(\.$name ~~ q).filter(\.$serial ~~ q) } }
        if let type = req.query[String.self, at: "type"] { query = query.filter(\.$type == type) }
        let page = try await query.page(options, map: { $0 })
        return ListPage(items: try await reads(page.items, on: req), metadata: page.metadata)
    }

    @Sendable static func createDevice(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        let (device, token) = try await DeviceRegistry.create(in: id, try req.decode(DeviceCreate.self), by: req)
        return Created(
            value: DeviceCredentials(
                device: try DeviceRead(device, lastSeen: nil, now: req.clock.now()), token: token))
    }

    @Sendable static func importDevices(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        guard let buffer = req.body.data else { throw LinliError.invalid("", "missing_value") }
        return Created(
            value: try await DeviceImporter.run(
                String(decoding: Data(buffer: buffer), as: UTF8.self), in: id, on: req))
    }

    @Sendable static func getDevice(_ req: Request) async throws -> some AsyncResponseEncodable {
        try await reads([try await device(req)], on: req)[0] 
    }

    @Sendable static func updateDevice(_ req: Request) async throws -> some AsyncResponseEncodable {
        let device = try await device(req)
        try await DeviceRegistry.update(device, try req.decode(DeviceUpdate.self), by: req)
        return try await reads([device], on: req)[0]
    }

    @Sendable static func deleteDevice(_ req: Request) async throws -> some AsyncResponseEncodable {
        try await DeviceRegistry.delete(try await device(req), by: req)
        return NoContent()
    }

    @Sendable static func rotateDeviceToken(_ req: Request) async throws -> some AsyncResponseEncodable {
        let device = try await device(req)
        let token = try await DeviceRegistry.rotateToken(device, by: req)
        return DeviceCredentials(device: try await reads([device], on: req)[0], token: token)
    }

    @Sendable static func setSharedAttributes(_ req: Request) async throws -> some AsyncResponseEncodable {
        let device = try await device(req)
        guard case .object(let values) = try req.decode(JSON.self) else {
            throw LinliError.invalid("", "expected_object")
        }
        try await DeviceRegistry.share(values, with: device, by: req)
        return try await reads([try await Device.find(device.id, on: req.db) ?? device], on: req)[0]
    }

    @Sendable static func getProvisioning(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        let row = try await DeviceProvisioning.query(on: req.db).filter(\.$communityID == id).first()
        return row.map(ProvisioningRead.init)
            ?? ProvisioningRead(enabled: false, key: nil, defaultType: DeviceCatalog.genericKey)
    }

    @Sendable static func setProvisioning(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        let row = try await DeviceRegistry.setProvisioning(try req.decode(ProvisioningUpdate.self), in: id, by: req)
        return ProvisioningRead(row)
    }

    @Sendable static func getDeviceHealth(_ req: Request) async throws -> some AsyncResponseEncodable {
        try await healthReport(try req.scope.communityID(), on: req)
    }
}
