import Fluent
import Foundation
import SQLKit
import LinliCore
import Vapor

/// The durable command queue (ThingsBoard's persistent RPC): QUEUED → SENT → DELIVERED →
/// SUCCESSFUL, or FAILED / TIMEOUT / EXPIRED. Every state is a row, so a restart keeps it; the
/// device sees the same integer id on every redelivery and can de-duplicate on it.
enum CommandQueue {
    static func enqueue(
        device: Device, method: String, params: JSON, twoWay: Bool, expiresIn: TimeInterval, maxRetries: Int,
        replyTimeout: TimeInterval, by person: UUID?, rule: UUID?, now: Date, hub: DeviceHub, on db: any Database,
        announce: Bool = true
    ) async throws -> DeviceCommand {
        let command = DeviceCommand()
        command.communityID = device.communityID
        command.deviceID = try device.requireID()
        command.method = method
        command.params = params.text
        command.twoWay = twoWay
        command.status = .queued
        command.createdAt = now
        command.expiresAt = now.addingTimeInterval(expiresIn)
        command.retries = 0
        command.maxRetries = maxRetries
        command.replyTimeout = replyTimeout
        command.createdBy = person
        command.ruleID = rule
        try await command.create(on: db)
        if announce { await hub.signals.post(command.deviceID, .commands) }
        return command
    }

    /// Queues a command inside the caller's transaction (with the record it belongs to: a lock code,
    /// its audit row) and wakes the device's poll once that transaction has committed.
    static func enqueue(
        _ device: Device, method: String, params: JSON, twoWay: Bool, expiresIn: TimeInterval, maxRetries: Int,
        replyTimeout: TimeInterval, by person: UUID?, now: Date, on req: Request,
        with record: @escaping @Sendable (DeviceCommand, any Database) async throws -> Void
    ) async throws -> DeviceCommand {
        let hub = req.deviceHub
        let command = try await req.db.writeTransaction { db in
            let command = try await enqueue(
                device: device, method: method, params: params, twoWay: twoWay, expiresIn: expiresIn,
                maxRetries: maxRetries, replyTimeout: replyTimeout, by: person, rule: nil, now: now, hub: hub, on: db,
                announce: false)
            try await record(command, db)
            return command
        }
        await hub.signals.post(command.deviceID, .commands)
        return command
    }

    /// Takes the oldest deliverable command of the device and marks it SENT (a conditional update,
    /// so two polls of the same device never take the same command).
    static func claim(device: UUID, now: Date, on db: any Database) async throws -> DeviceCommand? {
        while true {
            guard
                let next = try await DeviceCommand.query(on: db).filter(\.$deviceID == device)
                    .filter(\.$status == .queued).sort(\.$id).first()
            else { return nil }
            if next.expiresAt <= now {
                next.status = .expired
                next.completedAt = now
                try await next.save(on: db)
                continue
            }
            guard let sql = db as? any SQLDatabase, let id = next.id else { return nil }
            let taken = try await sql.update(DeviceCommand.schema)
                .set("status", to: CommandStatus.sent.rawValue).set("sent_at", to: now)
                .where("id", .equal, id).where("status", .equal, CommandStatus.queued.rawValue)
                .returning("id").all()
            if !taken.isEmpty {
                next.status = .sent
                next.sentAt = now
                return next
            }
        }
    }

    /// The device received the command (the response was written to its connection, or it
    /// acknowledged it on the WebSocket). One-way commands are then done. Only the command's own
    /// device can say so, and only while it is `SENT` (one conditional write: a repeat changes nothing).
    static func delivered(_ id: Int, device: UUID, now: Date, on db: any Database) async throws {
        guard let command = try await DeviceCommand.find(id, on: db), command.deviceID == device else { return }
        let status: CommandStatus = command.twoWay ? .delivered : .successful
        _ = try await db.conditionalUpdate(DeviceCommand.schema) {
            var update = $0.set("status", to: status.rawValue).set("delivered_at", to: now)
            if !command.twoWay {
                update = update.set("completed_at", to: now)
                    .set("params", to: CommandSecrets.redacted(command.method, command.params))
            }
            return update.where("id", .equal, id).where("device_id", .equal, device)
                .where("status", .equal, CommandStatus.sent.rawValue)
        }
    }

    /// The response could not be written: hand the command out again on the next poll.
    static func undelivered(_ id: Int, on db: any Database) async throws {
        try await DeviceCommand.query(on: db).filter(\.$id == id).filter(\.$status == .sent)
            .set(\.$status, to: .queued).update()
    }

    /// The device's reply. Returns false when the command is not this device's or is already final.
    /// A conditional write: of parallel replies, one completes the command.
    static func reply(device: UUID, id: Int, response: JSON, now: Date, on db: any Database) async throws -> Bool {
        guard let command = try await DeviceCommand.find(id, on: db), command.deviceID == device else { return false }
        guard !command.status.isFinal || command.status == .timeout else { return command.status == .successful }
        var status = CommandStatus.successful
        if case .object(let object) = response, object["error"] != nil { status = .failed }
        let open = [CommandStatus.queued, .sent, .delivered, .timeout].map(\.rawValue)
        let changed = try await db.conditionalUpdate(DeviceCommand.schema) {
            $0.set("status", to: status.rawValue).set("response", to: response.text).set("completed_at", to: now)
                .set("params", to: CommandSecrets.redacted(command.method, command.params))
                .set(SQLIdentifier("delivered_at"), to: SQLFunction("COALESCE", args: SQLIdentifier("delivered_at"), SQLBind(now)))
                .where("id", .equal, id).where("device_id", .equal, device).where("status", .in, open)
        }
        if changed == 1 { return true }
        return try await DeviceCommand.find(id, on: db)?.status == .successful
    }

    /// Expires, requeues and times out commands as time passes.
    static func sweep(now: Date, hub: DeviceHub, on db: any Database) async throws {
        let open = try await DeviceCommand.query(on: db)
            .filter(\.$status ~~ [CommandStatus.queued, .sent, .delivered]).all()
        for command in open {
            guard
                let next = CommandPolicy.sweep(
                    status: command.status, now: now, expiresAt: command.expiresAt, sentAt: command.sentAt,
                    deliveredAt: command.deliveredAt, retries: command.retries, maxRetries: command.maxRetries,
                    replyTimeout: command.replyTimeout)
            else { continue }
            if command.status == .sent && next == .queued { command.retries += 1 }
            command.status = next
            if next.isFinal { command.completedAt = now }
            try await command.save(on: db)
            if next == .queued { await hub.signals.post(command.deviceID, .commands) }
        }
    }
}
