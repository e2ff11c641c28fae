import Fluent
import Foundation
import LinliCore
import NIOCore
import Vapor

/// The device-facing API, compatible with ThingsBoard's HTTP device API: the access token is the
/// second path segment, bodies are plain JSON (any content type), a bad token is 401, a malformed
/// body 400, a long poll with nothing to hand out 408.
enum DeviceAPI {
    static let t = "/api/v1/{deviceToken}"
    static let token: [String: JSONValue] = ["deviceToken": Schema.string(min: 1, max: 128)]
    static let timeoutQuery = [
        Endpoint.Parameter(
            name: "timeout", schema: Schema.integer(min: 0, max: 600_000),
            description: "Milliseconds to wait (default 10000, at most 60000)")
    ]

    static func register(_ app: Application) {
        let api = app.api.open
        api.register(
            .init(
                method: .POST, path: t + "/telemetry", operationID: "postTelemetry",
                summary: "Device: publish telemetry ({k:v}, {ts, values} or an array of them)", tag: "device-api", authority: .device,
                body: Schema.ref("TelemetryPayload"), response: Schema.ref("TelemetryAnswer"),
                pathSchemas: token), in: app, postTelemetry)
        api.register(
            .init(
                method: .POST, path: t + "/attributes", operationID: "postClientAttributes",
                summary: "Device: publish client-side attributes", tag: "device-api", authority: .device,
                body: Schema.ref("AttributeValues"), response: Schema.ref("AttributeValues"), pathSchemas: token),
            in: app, postClientAttributes)
        api.register(
            .init(
                method: .GET, path: t + "/attributes", operationID: "getDeviceAttributes",
                summary: "Device: read client-side and shared attributes", tag: "device-api", authority: .device,
                response: Schema.ref("DeviceAttributeSet"),
                query: [
                    .init(name: "clientKeys", schema: Schema.string(max: 2000)),
                    .init(name: "sharedKeys", schema: Schema.string(max: 2000)),
                ], pathSchemas: token), in: app, getDeviceAttributes)
        api.register(
            .init(
                method: .GET, path: t + "/attributes/updates", operationID: "waitSharedAttributes",
                summary: "Device: long poll for shared-attribute changes (408 when none arrive)", tag: "device-api", authority: .device,
                response: Schema.ref("AttributeValues"), query: timeoutQuery, pathSchemas: token),
            in: app, waitSharedAttributes)
        api.register(
            .init(
                method: .GET, path: t + "/rpc", operationID: "waitCommand",
                summary: "Device: long poll for a command ({id, method, params}; 408 when none arrive)",
                tag: "device-api", authority: .device,
                response: Schema.ref("DeviceCommandMessage"), query: timeoutQuery,
                pathSchemas: token), in: app, waitCommand)
        api.register(
            .init(
                method: .POST, path: t + "/rpc/{commandID}", operationID: "replyCommand",
                summary: "Device: reply to a command ({\"error\": …} marks it failed)", tag: "device-api", authority: .device,
                body: .object([]), response: Schema.ref("AttributeValues"),
                pathSchemas: token.merging(["commandID": Schema.integer(min: 1)]) { a, _ in a }), in: app, replyCommand)
        api.register(
            .init(
                method: .POST, path: t + "/rpc", operationID: "deviceRequest",
                summary:
                    "Device: ask the server (getCurrentTime, getSharedAttributes, getCommands; an alarm keypad: armSecurity, disarmSecurity)",
                tag: "device-api", authority: .device,
                body: Schema.ref("DeviceRequest"), response: Schema.ref("AttributeValues"),
                pathSchemas: token), in: app, deviceRequest)
        api.register(
            .init(
                method: .GET, path: t + "/ws", operationID: "deviceWebSocket",
                summary:
                    "Device: WebSocket for commands (server sends {id, method, params}; device answers {id, ack} or {id, result|error})",
                tag: "device-api", authority: .device, pathSchemas: token), in: app, deviceWebSocket)
        api.register(
            .init(
                method: .POST, path: "/api/v1/provision", operationID: "provisionDevice",
                summary: "Device: register itself with a community's provision key and secret", tag: "device-api", authority: .device,
                body: Schema.ref("ProvisionRequest"), response: Schema.ref("ProvisionAnswer")),
            in: app, provisionDevice)
    }

    static func telemetry(_ req: Request) async throws -> TelemetryAnswer {
        let hub = req.deviceHub
        let device = try await hub.authenticate(try req.parameters.require("deviceToken"))
        let payload = try req.deviceJSON()
        let now = hub.nowMs
        let parsed: (readings: [Reading], refused: [Refusal])
        do {
            parsed = try TelemetryParser.parse(payload, type: device.catalogue, now: now)
        } catch TelemetryPayloadError.tooMany(let limit) {
            throw LinliError(.payloadTooLarge, ["limit": String(limit)])
        } catch {
            throw LinliError(
                .invalidBody, ["field": ""], issues: [FieldIssue(field: "", reason: "malformed_telemetry")])
        }
        if parsed.readings.isEmpty, !parsed.refused.isEmpty {
            throw LinliError(
                .telemetryRefused,
                issues: parsed.refused.map { FieldIssue(field: $0.key, reason: $0.reason.rawValue) })
        }
        if !parsed.readings.isEmpty {
            try await hub.writer.write(TelemetryBatch(device: device, readings: parsed.readings, receivedAt: now))
        } else {
            try await hub.seen(device, on: req.db)
        }
        return TelemetryAnswer(
            accepted: parsed.readings.count,
            refused: parsed.refused.map {
                RefusedReading(
                    key: $0.key, ts: $0.ts, reason: $0.reason.rawValue, expected: $0.expected,
                    message: req.t("reason.\($0.reason.rawValue)"))
            })
    }

    /// Hands out the next command, waiting up to the poll timeout. The command counts as delivered
    /// only once the response has been written to the device's connection.
    static func poll(_ req: Request) async throws -> Response {
        let hub = req.deviceHub
        let device = try await hub.authenticate(try req.parameters.require("deviceToken"))
        let deadline = Date().addingTimeInterval(try req.pollTimeout())
        try await hub.seen(device, on: req.db)
        while true {
            let version = await hub.signals.version(device.id, .commands)
            if let command = try await CommandQueue.claim(device: device.id, now: hub.now, on: req.db) {
                return try deliver(command, req)
            }
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { throw LinliError(.requestTimeout) }
            _ = await hub.signals.wait(device.id, .commands, after: version, timeout: remaining)
        }
    }

    static func message(_ command: DeviceCommand) throws -> Data {
        try JSONEncoder.linli.encode(
            CommandMessage(
                id: command.id ?? 0, method: command.method, params: JSON.parse(command.params) ?? .object([:])))
    }

    private static func deliver(_ command: DeviceCommand, _ req: Request) throws -> Response {
        let body = try message(command)
        let id = command.id ?? 0
        let db = req.db
        let hub = req.deviceHub
        let response = Response(
            status: .ok,
            body: .init(
                asyncStream: { writer in
                    do {
                        try await writer.write(.buffer(ByteBuffer(data: body)))
                        try await writer.write(.end)
                        try await CommandQueue.delivered(id, device: command.deviceID, now: hub.now, on: db)
                    } catch {
                        try? await CommandQueue.undelivered(id, on: db)
                        throw error
                    }
                }, count: body.count))
        response.headers.contentType = .json
        return response
    }
}

/// The message a device receives for a command.
struct CommandMessage: Content {
    let id: Int
    let method: String
    let params: JSON
}

struct TelemetryAnswer: Content {
    let accepted: Int
    let refused: [RefusedReading]
}

struct RefusedReading: Content {
    let key: String
    let ts: Int64?
    let reason: String
    let expected: String?
    let message: String
}

extension JSON: Content {}

extension Request {
    /// The JSON body of a device request, whatever content type the firmware sent.
    func deviceJSON() throws -> JSON {
        guard let buffer = body.data, buffer.readableBytes > 0 else {
            throw LinliError(.invalidBody, ["field": ""], issues: [FieldIssue(field: "", reason: "malformed_json")])
        }
        try buffer.withUnsafeReadableBytes { try Request.checkJSONLimits($0) }
        do {
            return try JSONDecoder().decode(JSON.self, from: Data(buffer: buffer))
        } catch {
            throw LinliError(.invalidBody, ["field": ""], issues: [FieldIssue(field: "", reason: "malformed_json")])
        }
    }

    /// A comma-separated key list (`clientKeys=a,b`); ThingsBoard's Python SDK sends `client_keys=a&client_keys=b`.
    func keyList(_ name: String, _ alias: String) -> String? {
        if let text = query[String.self, at: name] { return text }
        if let list = try? query.get([String].self, at: alias) { return list.joined(separator: ",") }
        return query[String.self, at: alias]
    }

    /// The `timeout` query of a long poll, in seconds (milliseconds in the query, as ThingsBoard).
    func pollTimeout() throws -> TimeInterval {
        guard let text = query[String.self, at: "timeout"] else { return 10 }
        guard let ms = Int(text), ms >= 0 else {
            throw LinliError(
                .invalidListQuery, ["field": "timeout"], issues: [FieldIssue(field: "timeout", reason: "wrong_type")])
        }
        return min(Double(ms), 60_000) / 1000
    }
}
