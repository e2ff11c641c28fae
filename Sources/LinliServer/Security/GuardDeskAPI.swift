import Fluent
import Foundation
import LinliCore
import Vapor

/// The guard desk's API: the open calls in the desk's order, the closed ones, each call's steps, the
/// figures and the live feed (guards, property staff, operators).
enum GuardDeskAPI {
    static func register(_ app: Application, _ api: any RoutesBuilder) {
        api.register(
            .init(
                method: .GET, path: SecurityAPI.desk + "/calls", operationID: "listGuardCalls",
                summary: "The guard desk: open calls in priority order (duress, panic, hazard, intrusion, unconfirmed), or closed ones",
                tag: "security", authority: .community { .handleAlarms($0) }, response: Schema.page(of: "GuardCall"),
                query: Endpoint.listQuery(.guardCalls) + [
                    .init(name: "status", schema: Schema.enumeration(["open", "closed"]))
                ]), in: app, listGuardCalls)
        for (step, name) in stepPaths {
            api.register(
                .init(
                    method: .POST, path: SecurityAPI.desk + "/calls/{callID}/" + name,
                    operationID: "guardCall" + name.replacingOccurrences(of: "-", with: "").capitalized,
                    summary: "Take the call's next step: \(name) (409 when another guard took it first)",
                    tag: "security", authority: .community { .handleAlarms($0) }, body: step == .acknowledged || step == .onSite ? nil : SecuritySchemas.stepInput,
                    response: Schema.ref("GuardCall")), in: app, takeCallStep)
        }
        api.register(
            .init(
                method: .GET, path: SecurityAPI.desk + "/figures", operationID: "guardFigures",
                summary: "The desk's figures over the last 30 days: acknowledged within 60 s, median to on site, false alarms",
                tag: "security", authority: .community { .handleAlarms($0) }, response: Schema.ref("GuardFigures")), in: app, guardFigures)
        app.registerCommunityFeed(
            path: SecurityAPI.desk + "/live", operationID: "guardDeskFeed",
            summary: "WebSocket: {event:\"security\"} whenever a call or a panel of the community changes",
            tag: "security", authority: { .handleAlarms($0) }
        ) { req, ws, id in SecurityFeed.run(req, ws, key: id) }
    }
}

/// The live feeds of the desk (keyed by community) and of households (keyed by household): one text
/// frame per change; pages reload what they show.
enum SecurityFeed {
    static let frame = #"{"event":"security"}"#

    static func run(_ req: Request, _ ws: WebSocket, key: UUID) {
        req.application.securityBus.follow(key, on: ws)
    }
}

extension Application {
    private struct SecurityBusKey: StorageKey { typealias Value = EventBus }

    /// Where security changes reach the open consoles and household pages of this server.
    var securityBus: EventBus {
        if let bus = storage[SecurityBusKey.self] { return bus }
        let bus = EventBus()
        storage[SecurityBusKey.self] = bus
        return bus
    }
}

