import Foundation
import Logging
import NIOConcurrencyHelpers
import PostgresKit
import SQLKit
import Vapor

/// Something that happened, for whoever in this process — or in another server on the same PostgreSQL —
/// wants to know. Live feeds and cache invalidation; never the only record of anything (what must
/// survive is written to the database first, then announced). Each feature declares its own events as
/// types beside the code that publishes them (`struct CareChanged: LinliEvent`); a subscriber names the
/// type it wants (`app.events.on(CareChanged.self) { … }`).
protocol LinliEvent: Codable, Sendable, Equatable {}

extension LinliEvent {
    /// The event's name between servers.
    static var eventName: String { String(describing: Self.self) }
}

/// A person's sign-ins, roles, homes or settings changed: what is kept about them is dropped.
struct PersonChanged: LinliEvent {
    let person: UUID
}

/// Many people's homes changed at once (an import): what is kept about anyone is dropped.
struct PeopleChanged: LinliEvent {}

/// A notification was sent to the community's homes or staff (``Notifier``): home pages drop the community.
struct NotificationsChanged: LinliEvent {
    let community: UUID
}

/// The one event bus: subscribers in this process get every event at once; with PostgreSQL every event
/// also goes out by `NOTIFY` and comes in from the other servers by `LISTEN` (``PostgresEventChannel``).
final class LinliEvents: Sendable {
    /// An event as it travels between servers: its type's name and its JSON.
    struct Wire: Codable, Sendable {
        let name: String
        let payload: String
    }

    private typealias Handler = @Sendable (any LinliEvent) -> Void
    private let handlers = NIOLockedValueBox([String: [(handler: Handler, elsewhereOnly: Bool)]]())
    private let decoders = NIOLockedValueBox([String: @Sendable (Data) throws -> any LinliEvent]())
    private let outbox = NIOLockedValueBox<AsyncStream<Wire>.Continuation?>(nil)

    /// Calls `handler` for every event of type `E` — or, with `elsewhereOnly`, only for those another server
    /// published (for state this server already updated itself). Handlers must be quick (no awaiting).
    func on<E: LinliEvent>(_ type: E.Type, elsewhereOnly: Bool = false, _ handler: @escaping @Sendable (E) -> Void) {
        decoders.withLockedValue { $0[E.eventName] = { try JSONDecoder().decode(E.self, from: $0) } }
        handlers.withLockedValue {
            $0[E.eventName, default: []].append(({ event in if let event = event as? E { handler(event) } }, elsewhereOnly))
        }
    }

    func publish<E: LinliEvent>(_ event: E) {
        for entry in handlers.withLockedValue({ $0[E.eventName] ?? [] }) where !entry.elsewhereOnly { entry.handler(event) }
        guard let outbox = outbox.withLockedValue({ $0 }), let data = try? JSONEncoder().encode(event) else { return }
        outbox.yield(Wire(name: E.eventName, payload: String(decoding: data, as: UTF8.self)))
    }

    /// An event another server published; one nobody here follows is dropped.
    func deliver(_ wire: Wire) {
        guard let decode = decoders.withLockedValue({ $0[wire.name] }), let event = try? decode(Data(wire.payload.utf8))
        else { return }
        for entry in handlers.withLockedValue({ $0[wire.name] ?? [] }) { entry.handler(event) }
    }

    /// Whether events go to other servers too (PostgreSQL): a live feed must then be published even
    /// when nobody follows it here.
    var isShared: Bool { outbox.withLockedValue { $0 } != nil }

    /// Where published events go besides this process (set when PostgreSQL carries them).
    func send(to continuation: AsyncStream<Wire>.Continuation) {
        outbox.withLockedValue { $0 = continuation }
    }
}

extension Application {
    private struct EventsKey: StorageKey { typealias Value = LinliEvents }

    /// The event bus (see ``LinliEvents``).
    var events: LinliEvents {
        if let events = storage[EventsKey.self] { return events }
        let events = LinliEvents()
        storage[EventsKey.self] = events
        return events
    }
}

/// Carries events between servers on one PostgreSQL: `pg_notify` on a channel per database schema
/// (tests run many schemas on one server) and a connection of its own that listens, reconnecting after
/// a failure. Each envelope names the server that sent it, which ignores its own.
struct PostgresEventChannel: LifecycleHandler {
    struct Envelope: Codable {
        let from: String
        let event: LinliEvents.Wire
    }

    let url: String
    let schema: String?
    let instance = UUID().uuidString
    private let tasks = NIOLockedValueBox([Task<Void, Never>]())

    init(url: String, schema: String?) {
        self.url = url
        self.schema = schema
    }

    var channel: String { "linli_events" + (schema.map { "_" + $0 } ?? "") }

    func didBootAsync(_ app: Application) async throws {
        let (stream, continuation) = AsyncStream<LinliEvents.Wire>.makeStream(bufferingPolicy: .bufferingNewest(10_000))
        app.events.send(to: continuation)
        let channel = channel
        let instance = instance
        let logger = app.logger
        let db = app.db
        let sender = Task {
            for await event in stream {
                guard let data = try? JSONEncoder().encode(Envelope(from: instance, event: event)),
                    data.count < 7_900, let sql = db as? any SQLDatabase
                else {
                    logger.warning("event too large for NOTIFY, kept in this server: \(event.name)")
                    continue
                }
                do {
                    try await sql.raw("SELECT pg_notify(\(bind: channel), \(bind: String(decoding: data, as: UTF8.self)))")
                        .run()
                } catch { logger.warning("NOTIFY failed: \(error)") }
            }
        }
        let configuration = try SQLPostgresConfiguration(url: url).coreConfiguration
        let events = app.events
        let eventLoop = app.eventLoopGroup.any()
        let (ready, listening) = AsyncStream<Void>.makeStream()
        let listener = Task {
            while !Task.isCancelled {
                do {
                    let connection = try await PostgresConnection.connect(
                        on: eventLoop, configuration: configuration, id: 1, logger: logger)
                    defer { Task { try? await connection.close() } }
                    try await connection.listen(on: channel) { notifications in
                        listening.yield()
                        for try await notification in notifications {
                            guard let envelope = try? JSONDecoder().decode(
                                Envelope.self, from: Data(notification.payload.utf8)), envelope.from != instance
                            else { continue }
                            events.deliver(envelope.event)
                        }
                    }
                } catch {
                    if Task.isCancelled { return }
                    logger.warning("LISTEN \(channel) lost, reconnecting: \(error)")
                }
                try? await Task.sleep(nanoseconds: 1_000_000_000)
            }
        }
        tasks.withLockedValue { $0 = [sender, listener] }
        // Listening before the server answers (at most 5 s), so nothing published after start is missed.
        await withTaskGroup(of: Void.self) { group in
            group.addTask { for await _ in ready { return } }
            group.addTask { try? await Task.sleep(nanoseconds: 5_000_000_000) }
            await group.next()
            group.cancelAll()
        }
    }

    func shutdownAsync(_ app: Application) async {
        app.events.outboxFinish()
        for task in tasks.withLockedValue({ $0 }) {
            task.cancel()
            await task.value
        }
    }
}

extension LinliEvents {
    fileprivate func outboxFinish() { outbox.withLockedValue { $0?.finish(); $0 = nil } }
}
