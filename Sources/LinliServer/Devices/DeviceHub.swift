import Fluent
import Foundation
import LinliCore
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// The device hub of one running server: token directory, group-commit writer, rule runtime,
/// long-poll signals and the live alarm feed.
final class DeviceHub: Sendable {
    let directory = DeviceDirectory()
    let signals = DeviceSignals()
    let events = EventBus()
    let rules: RuleRuntime
    let actions: ActionRunner
    let writer: TelemetryWriter
    let settings: Settings
    /// Features that follow stored readings (home security, elderly care) without the hub naming them.
    let observers = TelemetryObservers()
    /// Methods devices may ask of features (`POST /api/v1/{token}/rpc`: the alarm keypad's arm and disarm).
    let requests = DeviceRequests()
    private let app: Application

    struct Settings: Sendable {
        /// Raw readings older than this are deleted; roll-ups stay.
        var rawRetentionDays: Int
        /// Hourly roll-ups older than this are deleted; daily roll-ups are kept.
        var hourlyRetentionDays: Int

        static func fromEnvironment(_ app: Application) -> Settings {
            Settings(
                rawRetentionDays: Environment.get("LINLI_TELEMETRY_RAW_DAYS").flatMap(Int.init) ?? 90,
                hourlyRetentionDays: Environment.get("LINLI_TELEMETRY_HOURLY_DAYS").flatMap(Int.init) ?? 3 * 365)
        }
    }

    init(app: Application) {
        self.app = app
        settings = .fromEnvironment(app)
        let db = app.db
        var shared = false
        if case .postgres? = app.storage[DatabaseChoiceKey.self] { shared = true }
        let rules = RuleRuntime(db: db, shared: shared)
        let actions = ActionRunner(app: app)
        self.rules = rules
        self.actions = actions
        let clock = app.clock
        writer = TelemetryWriter(db: db, metrics: Operations.registry(app)) { batches in
            try await actions.afterTelemetry(batches, rules: rules, now: clock.now())
        }
    }

    var now: Date { app.clock.now() }

    /// Publishes on the application's event bus.
    func announce(_ event: any LinliEvent) { app.events.publish(event) }
    var nowMs: Int64 { Int64((app.clock.now().timeIntervalSince1970 * 1000).rounded()) }

    /// The device contacted the server without telemetry (attributes, a poll, a reply): it is online.
    func seen(_ device: DeviceRef, on db: any Database) async throws {
        try await TelemetryStore.touch(device, at: nowMs, on: db)
        try await actions.heard([device], now: now)
    }

    /// The device of a token, or 401. Disabled devices get 403.
    func authenticate(_ token: String) async throws -> DeviceRef {
        guard !token.isEmpty, token.utf8.count <= 128 else { throw LinliError(.invalidDeviceToken) }
        let hash = Secret.hash(token)
        if let cached = directory.get(hash) { return try Self.usable(cached) }
        guard let device = try await Device.query(on: app.db).filter(\.$tokenHash == hash).first() else {
            throw LinliError(.invalidDeviceToken)
        }
        let ref = try DeviceRef(device)
        directory.put(hash, ref)
        return try Self.usable(ref)
    }

    private static func usable(_ ref: DeviceRef) throws -> DeviceRef {
        if ref.disabled { throw LinliError(.deviceDisabled) }
        return ref
    }

    /// One pass of the background work: command expiry and redelivery, offline detection,
    /// "for N minutes" and "no data" rules, retention. Tests call it after moving the clock.
    func tick() async throws {
        let now = app.clock.now()
        try await CommandQueue.sweep(now: now, hub: self, on: app.db)
        try await actions.checkHealth(now: now, hub: self)
        try await tickRules(now: now)
        try await TelemetryStore.expire(now: now, settings: settings, on: app.db)
    }

    /// "For N minutes" and "no data" rules whose time came.
    func tickRules(now: Date) async throws {
        let firings = try await rules.tick(now: Int64(now.timeIntervalSince1970 * 1000), db: app.db)
        try await actions.run(firings, now: now)
    }
}

extension Application {
    private struct DeviceHubKey: StorageKey { typealias Value = DeviceHub }

    var deviceHub: DeviceHub {
        guard let hub = storage[DeviceHubKey.self] else {
            let hub = DeviceHub(app: self)
            storage[DeviceHubKey.self] = hub
            return hub
        }
        return hub
    }
}

extension Request {
    var deviceHub: DeviceHub { application.deviceHub }
}

/// Something that follows readings once they are stored and before the devices get their 200: what it
/// writes is durable before the answer, and its failure fails the request (503; the device sends again).
protocol TelemetryObserver: Sendable {
    func observe(_ batches: [TelemetryBatch], now: Date) async throws
}

/// The hub's observers, added while the application is configured.
final class TelemetryObservers: Sendable {
    private let observers = NIOLockedValueBox([any TelemetryObserver]())

    func add(_ observer: any TelemetryObserver) { observers.withLockedValue { $0.append(observer) } }
    var all: [any TelemetryObserver] { observers.withLockedValue { $0 } }
}

/// Device requests a feature answers, by method: the handler gets the device, the request's `params` and
/// the request, and answers JSON (or throws a problem).
final class DeviceRequests: Sendable {
    typealias Handler = @Sendable (DeviceRef, JSON, Request) async throws -> JSON
    private let handlers = NIOLockedValueBox([String: Handler]())

    func on(_ method: String, _ handler: @escaping Handler) { handlers.withLockedValue { $0[method] = handler } }
    func handler(_ method: String) -> Handler? { handlers.withLockedValue { $0[method] } }
    var methods: [String] { handlers.withLockedValue { Array($0.keys).sorted() } }
}

/// Token hash → device, so telemetry does not read the devices table on every request.
final class DeviceDirectory: Sendable {
    private let entries = NIOLockedValueBox([String: DeviceRef]())

    func get(_ hash: String) -> DeviceRef? { entries.withLockedValue { $0[hash] } }
    func put(_ hash: String, _ ref: DeviceRef) { entries.withLockedValue { $0[hash] = ref } }

    /// Forgets a device (token rotated, device changed, disabled or deleted).
    func forget(device: UUID) {
        entries.withLockedValue { entries in entries = entries.filter { $0.value.id != device } }
    }
}

/// Wakes long polls: a device waiting for a command or a shared-attribute change.
actor DeviceSignals {
    enum Channel: Hashable, Sendable { case commands, attributes }

    private struct Key: Hashable {
        let device: UUID
        let channel: Channel
    }

    private var versions: [Key: Int] = [:]
    private var payloads: [Key: [(Int, JSON)]] = [:]
    private var waiters: [Key: [UUID: CheckedContinuation<JSON?, Never>]] = [:]

    func version(_ device: UUID, _ channel: Channel) -> Int { versions[Key(device: device, channel: channel)] ?? 0 }

    /// Wakes the device's waiters, handing them `payload`.
    func post(_ device: UUID, _ channel: Channel, _ payload: JSON = .null) {
        let key = Key(device: device, channel: channel)
        let version = (versions[key] ?? 0) + 1
        versions[key] = version
        var kept = (payloads[key] ?? []).suffix(20)
        kept.append((version, payload))
        payloads[key] = Array(kept)
        for waiter in (waiters.removeValue(forKey: key) ?? [:]).values { waiter.resume(returning: payload) }
    }

    /// Waits until something is posted after `version`, or `timeout` seconds pass (nil).
    func wait(_ device: UUID, _ channel: Channel, after version: Int, timeout: TimeInterval) async -> JSON? {
        let key = Key(device: device, channel: channel)
        if (versions[key] ?? 0) > version {
            return payloads[key]?.first { $0.0 > version }?.1 ?? .null
        }
        let ticket = UUID()
        return await withCheckedContinuation { continuation in
            waiters[key, default: [:]][ticket] = continuation
            Task {
                try? await Task.sleep(nanoseconds: UInt64(max(0, timeout) * 1_000_000_000))
                self.expire(key, ticket)
            }
        }
    }

    private func expire(_ key: Key, _ ticket: UUID) {
        waiters[key]?.removeValue(forKey: ticket)?.resume(returning: nil)
    }
}

/// Live events for console WebSockets, per community.
final class EventBus: Sendable {
    private struct Subscriber {
        let community: UUID
        let continuation: AsyncStream<String>.Continuation
    }

    private let subscribers = NIOLockedValueBox([UUID: Subscriber]())

    func subscribe(community: UUID) -> (UUID, AsyncStream<String>) {
        let id = UUID()
        let (stream, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(256))
        subscribers.withLockedValue { $0[id] = Subscriber(community: community, continuation: continuation) }
        return (id, stream)
    }

    func unsubscribe(_ id: UUID) {
        subscribers.withLockedValue { $0.removeValue(forKey: id) }?.continuation.finish()
    }

    /// Whether anyone follows the community (a decision skips encoding its feed event otherwise).
    func watched(_ community: UUID) -> Bool {
        subscribers.withLockedValue { $0.values.contains { $0.community == community } }
    }

    /// Sends a hello, then every text of `community` to the socket until it closes.
    func follow(_ community: UUID, on ws: WebSocket) {
        Task {
            let (id, stream) = subscribe(community: community)
            ws.onClose.whenComplete { _ in self.unsubscribe(id) }
            try? await ws.send(#"{"event":"hello"}"#)
            for await text in stream {
                if ws.isClosed { break }
                try? await ws.send(text)
            }
            unsubscribe(id)
        }
    }

    func publish(community: UUID, _ text: String) {
        for subscriber in subscribers.withLockedValue({ Array($0.values) }) where subscriber.community == community {
            subscriber.continuation.yield(text)
        }
    }
}
