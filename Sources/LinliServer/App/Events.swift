import Foundation
import Logging
import NIOConcurrencyHelpers
import PostgresKit
import SQLKit
import Vapor

/// Something that happened, for whoever in this process — or in another server on the same PostgreSQL —
/// wants to know. Live feeds and cache invalidation; never the only record of anything (what must
/// survive is written to the database first, then announced).
enum LinliEvent: Codable, Sendable, Equatable {
    /// An alarm was raised, acknowledged or cleared: its JSON for the community's live console.
    case alarmChanged(community: UUID, feed: String)
    /// A gate decided: its JSON for the community's live console.
    case accessDecided(community: UUID, feed: String)
    /// A device's token, state or settings changed: token caches drop it.
    case deviceChanged(device: UUID)
    /// Gates, access settings, people, homes, staff or the deny list changed: the access directory drops
    /// what it holds.
    case accessDirectoryChanged
    /// Face consents or vectors of a community changed: its galleries are loaded again.
    case galleryChanged(community: UUID)
    /// A person's sign-ins, roles, homes or settings changed: principal caches drop them.
    case personChanged(person: UUID)
    /// Many people's homes changed at once (an import): principal caches drop everyone.
    case peopleChanged
    /// A notice of the community was published or withdrawn: notice boards drop the community.
    case noticesChanged(community: UUID)
    /// A person read a notice: what they see is computed again (its receipts).
    case noticeRead(person: UUID)
    /// A work order of the community was filed, moved on, assigned or rated: lists of orders drop it.
    case workOrdersChanged(community: UUID)
    /// A notification was sent to the community's homes or staff: home pages drop the community.
    case notificationsChanged(community: UUID)
    /// A contact of the community was added, changed or removed: home pages drop the community.
    case contactsChanged(community: UUID)
    /// A household's panel or a guard call changed: the desk's consoles reload, and the household's page
    /// unless `household` is nil (what only the guards may know: the duress call, an escalation).
    case securityChanged(community: UUID, household: UUID?)
    /// A care watch or check of the community changed: pages reload, the watched homes are loaded again.
    case careChanged(community: UUID)
    /// An irrigation zone, run or bin of the community changed: its console and phone pages reload.
    case environmentChanged(community: UUID)
    /// A rule was written or deleted (`reset`: its states were dropped): other servers load the rules again.
    case rulesChanged(rule: UUID, reset: Bool)
}

/// The one event bus: subscribers in this process get every event at once; with PostgreSQL every event
/// also goes out by `NOTIFY` and comes in from the other servers by `LISTEN` (``PostgresEventChannel``).
final class LinliEvents: Sendable {
    typealias Handler = @Sendable (LinliEvent) -> Void

    private let handlers = NIOLockedValueBox([(handler: Handler, elsewhereOnly: Bool)]())
    private let outbox = NIOLockedValueBox<AsyncStream<LinliEvent>.Continuation?>(nil)

    /// Called for every event — or, with `elsewhereOnly`, only for those another server published (for
    /// state this server already updated itself). Handlers must be quick (no awaiting).
    func subscribe(elsewhereOnly: Bool = false, _ handler: @escaping Handler) {
        handlers.withLockedValue { $0.append((handler, elsewhereOnly)) }
    }

    func publish(_ event: LinliEvent) {
        for entry in handlers.withLockedValue({ $0 }) where !entry.elsewhereOnly { entry.handler(event) }
        outbox.withLockedValue { $0 }?.yield(event)
    }

    /// An event another server published.
    func deliver(_ event: LinliEvent) {
        for entry in handlers.withLockedValue({ $0 }) { entry.handler(event) }
    }

    /// Whether events go to other servers too (PostgreSQL): a live feed must then be published even
    /// when nobody follows it here.
    var isShared: Bool { outbox.withLockedValue { $0 } != nil }

    /// Where published events go besides this process (set when PostgreSQL carries them).
    func send(to continuation: AsyncStream<LinliEvent>.Continuation) {
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
        let event: LinliEvent
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
        let (stream, continuation) = AsyncStream<LinliEvent>.makeStream(bufferingPolicy: .bufferingNewest(10_000))
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
                    logger.warning("event too large for NOTIFY, kept in this server: \(event)")
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
