import Fluent
import FluentSQL
import LinliCore
import Vapor

/// The live alarm WebSocket of the guards' console and of apps: one JSON text frame per alarm change.
enum AlarmFeed {
    /// Where the feed of a community is (the one route, `alarmFeed`).
    static func path(_ community: UUID) -> String { "/api/v1/communities/\(community)/alarms/live" }

    static func run(_ req: Request, _ ws: WebSocket, community: UUID) {
        req.deviceHub.events.follow(community, on: ws)
    }
}
