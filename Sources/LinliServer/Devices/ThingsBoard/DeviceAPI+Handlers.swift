import Fluent
import Foundation
import LinliCore
import NIOCore
import Vapor

extension DeviceAPI {
    @Sendable static func postTelemetry(_ req: Request) async throws -> some AsyncResponseEncodable {
        try await telemetry(req) 
    }

    @Sendable static func postClientAttributes(_ req: Request) async throws -> some AsyncResponseEncodable {
        let device = try await req.deviceHub.authenticate(try req.parameters.require("deviceToken"))
        guard case .object(let values) = try req.deviceJSON() else {
            throw LinliError.invalid("", "expected_object")
        }
        try await DeviceAttributes.merge(values, into: device.id, side: .client, on: req.db)
        try await req.deviceHub.seen(device, on: req.db)
        return JSON.object(values)
    }

    @Sendable static func getDeviceAttributes(_ req: Request) async throws -> some AsyncResponseEncodable {
        let device = try await req.deviceHub.authenticate(try req.parameters.require("deviceToken"))
        guard let row = try await Device.find(device.id, on: req.db) else { throw LinliError(.invalidDeviceToken) }
        func pick(_ text: String, _ keys: String?) -> JSON {
            let all = DeviceAttributes.object(text)
            guard let keys else { return .object(all) }
            let wanted = Set(keys.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            return .object(all.filter { wanted.contains($0.key) })
        }
        let clientKeys = req.keyList("clientKeys", "client_keys")
        let sharedKeys = req.keyList("sharedKeys", "shared_keys")
        var result: [String: JSON] = [:]
        if clientKeys != nil || sharedKeys == nil { result["client"] = pick(row.clientAttributes, clientKeys) }
        if sharedKeys != nil || clientKeys == nil { result["shared"] = pick(row.sharedAttributes, sharedKeys) }
        return JSON.object(result)
    }

    @Sendable static func waitSharedAttributes(_ req: Request) async throws -> some AsyncResponseEncodable {
        let hub = req.deviceHub
        let device = try await hub.authenticate(try req.parameters.require("deviceToken"))
        let version = await hub.signals.version(device.id, .attributes)
        try await hub.seen(device, on: req.db)
        guard
            let delta = await hub.signals.wait(
                device.id, .attributes, after: version, timeout: try req.pollTimeout())
        else { throw LinliError(.requestTimeout) }
        return delta
    }

    @Sendable static func waitCommand(_ req: Request) async throws -> some AsyncResponseEncodable {
        try await poll(req) 
    }

    @Sendable static func replyCommand(_ req: Request) async throws -> some AsyncResponseEncodable {
        let hub = req.deviceHub
        let device = try await hub.authenticate(try req.parameters.require("deviceToken"))
        guard let id = req.parameters.get("commandID", as: Int.self) else { throw LinliError(.notFound) }
        let response = try req.deviceJSON()
        guard try await CommandQueue.reply(device: device.id, id: id, response: response, now: hub.now, on: req.db)
        else { throw LinliError(.notFound) }
        try await hub.seen(device, on: req.db)
        return JSON.object([:])
    }

    @Sendable static func deviceRequest(_ req: Request) async throws -> some AsyncResponseEncodable {
        let hub = req.deviceHub
        let device = try await hub.authenticate(try req.parameters.require("deviceToken"))
        let body = try req.deviceJSON()
        guard case .string(let method)? = body["method"] else {
            throw LinliError.invalid("method", "missing_value")
        }
        try await hub.seen(device, on: req.db)
        switch method {
        case "getCurrentTime":
            return JSON.object(["time": .number(Double(hub.nowMs))])
        case "getSharedAttributes":
            let row = try await Device.find(device.id, on: req.db)
            return JSON.object(DeviceAttributes.object(row?.sharedAttributes ?? "{}"))
        case "getCommands":
            return JSON.object(["commands": .array(device.catalogue.commands.map { .string($0.method) })])
        default:
            guard let handler = hub.requests.handler(method) else {
                throw LinliError.invalid("method", "unknown_method")
            }
            return try await handler(device, body["params"] ?? .object([:]), req)
        }
    }

    @Sendable static func deviceWebSocket(_ req: Request) async throws -> Response {
        try req.requireWebSocketUpgrade()
        let device = try await req.deviceHub.authenticate(try req.parameters.require("deviceToken"))
        return req.webSocket { req, ws in DeviceSocket.run(req, ws, device) }
    }

    @Sendable static func provisionDevice(_ req: Request) async throws -> some AsyncResponseEncodable {
        try await Provisioning.provision(req) 
    }
}
