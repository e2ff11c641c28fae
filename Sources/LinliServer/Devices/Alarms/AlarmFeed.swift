import Fluent
import FluentSQL
import LinliCore
import Vapor

/// The console's live alarm WebSocket: one JSON text frame per alarm change.
enum AlarmFeed {
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
