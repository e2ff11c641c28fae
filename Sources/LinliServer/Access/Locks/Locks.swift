import Fluent
import SQLKit
import Foundation
import LinliCore
import Vapor

struct LockRead: Content {
    let id: UUID
    let name: String
    let householdID: UUID
    let online: Bool
    /// The lock's own report (`locked` telemetry), nil before its first one.
    let locked: Bool?
    let lastCommand: CommandRead?
}

struct LockCodeInput: Content {
    let label: String
    let hours: Int
    let oneTime: Bool
}

struct LockCodeCreated: Content {
    /// Shown once; the lock checks it itself, also when it is offline.
    let code: String
    let id: UUID
    let command: CommandRead
}

/// A code of a lock, without the code itself.
struct LockCodeRead: Content {
    let id: UUID
    let label: String
    let oneTime: Bool
    let validUntil: Date
    let createdAt: Date
    /// The set_code command: SUCCESSFUL once the lock has the code.
    let setStatus: CommandStatus
    let revokedAt: Date?
    /// The delete_code command after a revocation: SUCCESSFUL once the lock dropped it.
    let deleteStatus: CommandStatus?
}

/// Household smart locks: unlock from the app through a persistent two-way command (the answer shows
/// whether the lock confirmed), and guest or cleaner codes the lock enforces itself.
enum Locks {
    /// A lock of one of the caller's current households, or a 404.
    static func lock(_ req: Request) async throws -> Device {
        _ = try req.user()
        guard let device = try await Device.find(try req.id("deviceID"), on: req.db), device.type == "door_lock",
            let household = device.householdID, req.can(.actForHousehold(household))
        else { throw LinliError(.notFound) }
        return device
    }

    /// Since when the caller may see the lock's history: the day they moved into its household.
    static func historySince(_ device: Device, _ req: Request) throws -> Date {
        try device.householdID.flatMap { try req.user().principal.residentSince[$0] } ?? .distantPast
    }

    /// The lock devices of the caller's current households.
    static func devices(_ req: Request) async throws -> [Device] {
        let households = Array(try req.user().principal.households.keys)
        return try await Device.query(on: req.db).filter(\.$type == "door_lock").filter(\.$householdID ~~ households)
            .sort(\.$name).all()
    }

    /// The locks of the caller's current households.
    static func mine(_ req: Request) async throws -> [LockRead] {
        var reads: [LockRead] = []
        for device in try await devices(req) { reads.append(try await read(device, on: req)) }
        return reads
    }

    static func read(_ device: Device, on req: Request) async throws -> LockRead {
        let id = try device.requireID()
        let latest = try await TelemetryStore.latest(id, on: req.db)
        let status = try await DeviceHealth.status(community: device.communityID, only: [id], on: req.db)[id]
        let last = try await DeviceCommand.query(on: req.db).filter(\.$deviceID == id)
            .filter(\.$createdAt >= historySince(device, req)).sort(\.$id, .descending).first()
        var locked: Bool?
        if case .bool(let value)? = latest.first(where: { $0.key == "locked" })?.value { locked = value }
        return LockRead(
            id: id, name: device.name, householdID: device.householdID ?? id,
            online: DeviceCatalog.isOnline(
                type: device.type, lastSeen: status?.last, now: Int64(req.clock.now().timeIntervalSince1970 * 1000)),
            locked: locked,
            lastCommand: try last.map(CommandRead.init))
    }

    static func unlock(_ device: Device, on req: Request) async throws -> DeviceCommand {
        try await CommandQueue.enqueue(
            device, method: "unlock", params: .object([:]), twoWay: true, expiresIn: 60, maxRetries: 2,
            replyTimeout: 20, by: try req.user().principal.personID, now: req.clock.now(), on: req
        ) { command, db in
            try await Audit.record(
                .command, "lock_unlock", id: device.id, community: device.communityID, after: try CommandRead(command),
                by: req, on: db)
        }
    }

    static func createCode(_ device: Device, _ input: LockCodeInput, on req: Request) async throws -> LockCodeCreated {
        var v = Validation()
        let label = v.text(input.label, "label", max: 30) ?? ""
        v.range(input.hours, "hours", 1...720)
        try v.check()
        let code = String(format: "%06d", Int.random(in: 0..<1_000_000))
        let now = req.clock.now()
        let row = LockCode()
        row.id = UUID()
        row.communityID = device.communityID
        row.deviceID = try device.requireID()
        row.householdID = device.householdID ?? row.deviceID
        row.label = label
        row.oneTime = input.oneTime
        row.validUntil = now.addingTimeInterval(Double(input.hours) * 3600)
        row.createdBy = try req.user().principal.personID
        row.createdAt = now
        // The code row, the command that carries the code and the audit row: all or none.
        let command = try await CommandQueue.enqueue(
            device, method: "set_code",
            params: .object([
                "codeId": .string(try row.requireID().uuidString), "code": .string(code), "label": .string(label),
                "oneTime": .bool(input.oneTime),
                "validUntil": .number((row.validUntil.timeIntervalSince1970 * 1000).rounded()),
            ]), twoWay: true, expiresIn: 24 * 3600, maxRetries: 5, replyTimeout: 60, by: row.createdBy, now: now,
            on: req
        ) { command, db in
            row.setCommandID = try command.requireID()
            try await row.create(on: db)
            try await Audit.record(
                .command, "lock_code", id: device.id, community: device.communityID, after: label, by: req, on: db)
        }
        return LockCodeCreated(code: code, id: try row.requireID(), command: try CommandRead(command))
    }

    /// Codes of a lock that are still valid or were revoked less than a day ago, newest first.
    static func codes(_ device: Device, on req: Request) async throws -> [LockCodeRead] {
        let now = req.clock.now()
        let rows = try await LockCode.query(on: req.db).filter(\.$deviceID == device.requireID())
            .filter(\.$createdAt >= historySince(device, req)).filter(\.$validUntil > now).sort(\.$createdAt, .descending).all()
            .filter { ($0.revokedAt ?? now) > now.addingTimeInterval(-86_400) }
        let ids = rows.flatMap { [$0.setCommandID] + ($0.deleteCommandID.map { [$0] } ?? []) }
        let commands = Dictionary(
            uniqueKeysWithValues: try await DeviceCommand.query(on: req.db).filter(\.$id ~~ ids).all().compactMap { c in
                c.id.map { ($0, c.status) }
            })
        return try rows.map { row in
            LockCodeRead(
                id: try row.requireID(), label: row.label, oneTime: row.oneTime, validUntil: row.validUntil,
                createdAt: row.createdAt, setStatus: commands[row.setCommandID] ?? .expired, revokedAt: row.revokedAt,
                deleteStatus: row.deleteCommandID.flatMap { commands[$0] })
        }
    }

    /// Revokes a code: recorded at once, and a `delete_code` command tells the lock to drop it.
    static func revokeCode(_ device: Device, _ id: UUID, on req: Request) async throws -> LockCodeRead {
        guard let row = try await LockCode.find(id, on: req.db), row.deviceID == device.id else {
            throw LinliError(.notFound)
        }
        try req.authorize(.viewHouseholdRecord(household: row.householdID, madeAt: row.createdAt))
        guard row.revokedAt == nil else { throw LinliError(.conflict) }
        let now = req.clock.now()
        // The revocation is a conditional write with its command and audit row: of parallel revocations
        // one sends `delete_code`, the others get 409 and queue nothing.
        let command = try await CommandQueue.enqueue(
            device, method: "delete_code", params: .object(["codeId": .string(id.uuidString)]), twoWay: true,
            expiresIn: 24 * 3600, maxRetries: 5, replyTimeout: 60, by: try req.user().principal.personID, now: now,
            on: req
        ) { command, db in
            let commandID = try command.requireID()
            let changed = try await db.conditionalUpdate(LockCode.schema) {
                $0.set("revoked_at", to: now).set("delete_command_id", to: commandID)
                    .where("id", .equal, id).where("revoked_at", .is, SQLLiteral.null)
            }
            guard changed == 1 else { throw LinliError(.conflict) }
            try await Audit.record(
                .command, "lock_code_revoke", id: device.id, community: device.communityID, after: row.label, by: req,
                on: db)
        }
        let set = try await DeviceCommand.find(row.setCommandID, on: req.db)
        return LockCodeRead(
            id: id, label: row.label, oneTime: row.oneTime, validUntil: row.validUntil, createdAt: row.createdAt,
            setStatus: set?.status ?? .expired, revokedAt: now, deleteStatus: command.status)
    }

    static func register(_ app: Application) {
        let api = app.api.authenticated
        let object: JSONValue = .object([("type", "object")])
        api.register(
            .init(
                method: .GET, path: "/api/v1/me/locks", operationID: "listMyLocks",
                summary: "Smart locks of my households, with their state and the last command", tag: "locks", authority: .signedIn,
                response: Schema.page(object), query: Endpoint.listQuery(.locks)), in: app, listMyLocks)
        api.register(
            .init(
                method: .POST, path: "/api/v1/me/locks/{deviceID}/unlock", operationID: "unlockMyLock",
                summary: "Unlock: a two-way command; SUCCESSFUL once the lock confirmed", tag: "locks", authority: .object("deviceID"),
                status: .created, response: Schema.ref("Command")), in: app, unlockMyLock)
        api.register(
            .init(
                method: .POST, path: "/api/v1/me/locks/{deviceID}/codes", operationID: "createLockCode",
                summary: "A time-limited or one-time code for a guest or cleaner, sent to the lock", tag: "locks", authority: .object("deviceID"),
                body: object, status: .created, response: object), in: app, createLockCode)
        api.register(
            .init(
                method: .GET, path: "/api/v1/me/locks/{deviceID}/codes", operationID: "listLockCodes",
                summary:
                    "The lock's guest and cleaner codes still valid (without the codes), and whether the lock has them",
                tag: "locks", authority: .object("deviceID"), response: Schema.page(object), query: Endpoint.listQuery(.lockCodes)), in: app, listLockCodes)
        api.register(
            .init(
                method: .DELETE, path: "/api/v1/me/locks/{deviceID}/codes/{codeID}", operationID: "revokeLockCode",
                summary: "Revoke a code: a delete_code command tells the lock to drop it", tag: "locks", authority: .object("deviceID"),
                response: object), in: app, revokeLockCode)
        api.register(
            .init(
                method: .GET, path: "/api/v1/me/locks/{deviceID}/events", operationID: "lockEvents",
                summary: "The lock's event log: its reports (locked, door open, how it was unlocked) and commands",
                tag: "locks", authority: .object("deviceID"), response: object), in: app, lockEvents)
    }

    struct LockEvents: Content {
        let reports: [String: [SeriesPoint]]
        let commands: [CommandRead]
    }
}

extension Sorting {
    static let locks = Sorting(keys: ["name"], defaultSort: "name")
    static let lockCodes = Sorting(keys: ["created_at"], defaultSort: "-created_at")
}
