import Fluent
import SQLKit
import Foundation
import LinliCore
import Vapor

extension Locks {
    @Sendable static func listMyLocks(_ req: Request) async throws -> some AsyncResponseEncodable {
        try req.page(try await mine(req), .locks) 
    }

    @Sendable static func unlockMyLock(_ req: Request) async throws -> some AsyncResponseEncodable {
        Created(value: try CommandRead(try await unlock(try await lock(req), on: req))) 
    }

    @Sendable static func createLockCode(_ req: Request) async throws -> some AsyncResponseEncodable {
        Created(value: try await createCode(try await lock(req), try req.decode(LockCodeInput.self), on: req))
    }

    @Sendable static func listLockCodes(_ req: Request) async throws -> some AsyncResponseEncodable {
        try req.page(try await codes(try await lock(req), on: req), .lockCodes) 
    }

    @Sendable static func revokeLockCode(_ req: Request) async throws -> some AsyncResponseEncodable {
        try await revokeCode(try await lock(req), try req.id("codeID"), on: req) 
    }

    @Sendable static func lockEvents(_ req: Request) async throws -> some AsyncResponseEncodable {
        let device = try await lock(req)
        let id = try device.requireID()
        let now = Int64(req.clock.now().timeIntervalSince1970 * 1000)
        // A new occupant sees the lock's history from the day they moved in, not the last occupant's.
        let since = try historySince(device, req)
        let from = max(now - 30 * 86_400_000, Int64((max(since.timeIntervalSince1970, 0) * 1000).rounded()))
        var reports: [String: [SeriesPoint]] = [:]
        for key in ["locked", "door_open", "unlock_method"] {
            reports[key] = try await TelemetryStore.series(
                device: id, key: key, from: from, to: now + 1, interval: .none, function: .avg,
                limit: 100, on: req.db)
        }
        let commands = try await DeviceCommand.query(on: req.db).filter(\.$deviceID == id)
            .filter(\.$createdAt >= since).sort(\.$id, .descending).limit(50).all().map(CommandRead.init)
        return LockEvents(reports: reports, commands: commands)
    }
}
