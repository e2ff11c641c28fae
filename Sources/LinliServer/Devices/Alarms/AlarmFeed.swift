import Fluent
import FluentSQL
import LinliCore
import Vapor

/// The live alarm WebSocket of the guards' console and of apps: one JSON text frame per alarm change.
enum AlarmFeed {
    /// Where the feed of a community is (the one route, `alarmFeed`).
    static func path(_ community: UUID) -> String { "/api/v1/communities/\(community)/alarms/live" }

    static func run(_ req: Request, _ ws: WebSocket, community: UUID) {
        let events = req.deviceHub.events
        Task {
            let (id, stream) = events.subscribe(community: community)
            ws.onClose.whenComplete { _ in events.unsubscribe(id) }
            try? await ws.send(#"{"event":"hello"}"#)
            for await text in stream {
                if ws.isClosed { break }
                try? await ws.send(text)
            }
            events.unsubscribe(id)
        }
    }
}
