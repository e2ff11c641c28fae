import Fluent
import SQLKit
import Foundation
import LinliCore
import Vapor

extension Notices {
    @Sendable static func publishNotice(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        return Created(value: try out(try await publish(try req.decode(NoticeInput.self), in: id, on: req)))
    }

    @Sendable static func listNotices(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        return try req.page(try await staffList(id, on: req), .notices)
    }

    @Sendable static func withdrawNotice(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        try await withdraw(try req.id("noticeID"), in: id, on: req)
        return NoContent()
    }

    @Sendable static func listMyNotices(_ req: Request) async throws -> some AsyncResponseEncodable {
        let reading = try await reading(for: try req.user().principal, now: req.clock.now(), on: req)
        guard req.url.query?.isEmpty ?? true else {
            return try await page(try req.page(reading.notices, .myNotices), read: reading.read).encodeResponse(for: req)
        }
        return try await reading.firstPage.encodeResponse(for: req)
    }

    @Sendable static func readNotice(_ req: Request) async throws -> some AsyncResponseEncodable {
        try await markRead(try await readable(req), on: req)
        return NoContent()
    }
}
