import Fluent
import Foundation
import LinliCore
import NIOCore
import Vapor

/// Client, shared and server attributes, stored as JSON object text on the device row.
enum DeviceAttributes {
    enum Side { case client, shared, server }

    static func object(_ text: String) -> [String: JSON] {
        if case .object(let values)? = JSON.parse(text) { return values }
        return [:]
    }

    /// Merges values into one side of a device's attributes (a null value removes the key).
    static func merge(_ values: [String: JSON], into device: UUID, side: Side, on db: any Database) async throws {
        try await db.writeTransaction { tx in
            guard let row = try await Device.find(device, on: tx) else { throw LinliError(.notFound) }
            let current: String
            switch side {
            case .client: current = row.clientAttributes
            case .shared: current = row.sharedAttributes
            case .server: current = row.attributes
            }
            var merged = object(current)
            for (key, value) in values {
                guard !key.isEmpty, key.utf8.count <= 64 else { throw LinliError.invalid(key, "invalid_key") }
                if value == .null { merged.removeValue(forKey: key) } else { merged[key] = value }
            }
            let text = JSON.object(merged).text
            guard text.utf8.count <= 65_536 else { throw LinliError(.payloadTooLarge, ["limit": "64 KB"]) }
            switch side {
            case .client: row.clientAttributes = text
            case .shared: row.sharedAttributes = text
            case .server: row.attributes = text
            }
            try await row.save(on: tx)
        }
    }
}

/// The device WebSocket: commands are pushed as they are queued; the device acknowledges
/// (`{"id": n, "ack": true}`) or answers (`{"id": n, "result": …}` / `{"id": n, "error": …}`).
enum DeviceSocket {
    static func run(_ req: Request, _ ws: WebSocket, _ device: DeviceRef) {
        let hub = req.deviceHub
        let db = req.db
        ws.onText { ws, text in
            guard let message = JSON.parse(text), case .number(let number)? = message["id"] else { return }
            let id = Int(number)
            Task {
                try? await hub.seen(device, on: db)
                if message["result"] != nil || message["error"] != nil {
                    let reply: JSON = message["error"].map { .object(["error": $0]) } ?? (message["result"] ?? .null)
                    _ = try? await CommandQueue.reply(device: device.id, id: id, response: reply, now: hub.now, on: db)
                } else if message["ack"] != nil {
                    try? await CommandQueue.delivered(id, device: device.id, now: hub.now, on: db)
                }
            }
        }
        Task {
            try? await hub.seen(device, on: db)
            while !ws.isClosed {
                let version = await hub.signals.version(device.id, .commands)
                if let command = try? await CommandQueue.claim(device: device.id, now: hub.now, on: db),
                    let data = try? DeviceAPI.message(command)
                {
                    try? await ws.send(String(decoding: data, as: UTF8.self))
                    continue
                }
                _ = await hub.signals.wait(device.id, .commands, after: version, timeout: 20)
            }
        }
    }
}
