import Fluent
import Foundation
import LinliCore
import Vapor

extension SecurityAPI {
    @Sendable static func getSecurity(_ req: Request) async throws -> some AsyncResponseEncodable {
        try await read(try req.scope.home(), on: req) 
    }

    @Sendable static func armSecurity(_ req: Request) async throws -> some AsyncResponseEncodable {
        let household = try req.scope.home()
        return try await arm(
            household, try req.decode(ArmInput.self), by: try req.user().principal.personID, on: req)
    }

    @Sendable static func disarmSecurity(_ req: Request) async throws -> some AsyncResponseEncodable {
        let household = try req.scope.home()
        return try await disarm(
            household, try req.decode(DisarmInput.self), by: try req.user().principal.personID, on: req)
    }

    @Sendable static func setSecuritySettings(_ req: Request) async throws -> some AsyncResponseEncodable {
        let household = try req.scope.home()
        return try await settings(household, try req.decode(SecuritySettingsInput.self), on: req)
    }

    @Sendable static func securityHistory(_ req: Request) async throws -> some AsyncResponseEncodable {
        let household = try req.scope.home()
        let options = try req.listOptions(.securityEvents)
        let since = try req.user().principal.residentSince[try household.requireID()] ?? .distantPast
        return try await SecurityEvent.query(on: req.db).filter(\.$householdID == (try household.requireID()))
            .filter(\.$hidden == false).filter(\.$at >= since).page(options, map: SecurityEventRead.init)
    }

    @Sendable static func householdSecurityFeed(_ req: Request) async throws -> Response {
        try req.requireSameOrigin()
        let household = try req.scope.home()
        try req.requireWebSocketUpgrade()
        let key = try household.requireID()
        return req.webSocket { req, ws in SecurityFeed.run(req, ws, key: key) }
    }
}
