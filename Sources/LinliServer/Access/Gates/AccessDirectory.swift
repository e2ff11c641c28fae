import Fluent
import Foundation
import LinliCore
import NIOConcurrencyHelpers
import NIOCore
import Vapor

/// What every gate decision reads, kept in memory: gates, each community's access settings, and the
/// facts of people (homes, staff shifts, deny list, masked name). An entry is dropped when this server
/// writes a row it comes from (`AccessDirectory.Invalidation`, a Fluent model middleware: at once, and
/// again two seconds later, when the transaction that wrote it has committed, so a decision that read the
/// old row meanwhile does not keep it) and is read again after `lifetime` in any case, so a change made
/// by another server sharing the database is seen within that time.
final class AccessDirectory: Sendable {
    struct GateInfo: Sendable {
        let id: UUID
        let community: UUID
        let name: String
        let kind: GateKind
        let building: UUID?
        let devices: Set<UUID>
    }

    struct SettingsInfo: Sendable {
        let serverMatching: Bool
        let matchThreshold: Double
        let livenessThreshold: Double
        let livenessRequired: Bool
    }

    struct PersonInfo: Sendable {
        let maskedName: String
        let residences: [Residence]
        let shifts: [UUID: [Shift]]
        let denied: Set<UUID>

        func visitor(in community: UUID) -> Visitor {
            .person(residences: residences, shifts: shifts, denied: denied.contains(community))
        }
    }

    private struct Entry<Value: Sendable>: Sendable {
        let value: Value
        let until: NIODeadline
    }

    static let lifetime = TimeAmount.seconds(30)

    private let gates = NIOLockedValueBox([UUID: Entry<GateInfo?>]())
    private let settings = NIOLockedValueBox([UUID: Entry<SettingsInfo>]())
    private let people = NIOLockedValueBox([UUID: Entry<PersonInfo?>]())
    private let terminals = NIOLockedValueBox([UUID: Entry<[GateInfo]>]())
    private let keys = NIOLockedValueBox([UUID: Entry<CredentialKey.Value>]())

    private static func cached<K: Hashable, V>(_ box: NIOLockedValueBox<[K: Entry<V>]>, _ key: K) -> V? {
        box.withLockedValue { entries in
            guard let entry = entries[key], entry.until > .now() else { return nil }
            return entry.value
        }
    }

    private static func store<K: Hashable, V>(_ box: NIOLockedValueBox<[K: Entry<V>]>, _ key: K, _ value: V) {
        box.withLockedValue { $0[key] = Entry(value: value, until: .now() + lifetime) }
    }

    func gate(_ id: UUID, on db: any Database) async throws -> GateInfo? {
        if let hit = Self.cached(gates, id) { return hit }
        let info = try await Gate.find(id, on: db).map {
            GateInfo(
                id: id, community: $0.communityID, name: $0.name, kind: $0.kind, building: $0.buildingID,
                devices: Set($0.deviceIDs))
        }
        Self.store(gates, id, info)
        return info
    }

    func settings(_ community: UUID, on db: any Database) async throws -> SettingsInfo {
        if let hit = Self.cached(settings, community) { return hit }
        let row = try await AccessService.settings(community, on: db)
        let info = SettingsInfo(
            serverMatching: row.serverMatching, matchThreshold: row.matchThreshold,
            livenessThreshold: row.livenessThreshold, livenessRequired: row.livenessRequired)
        Self.store(settings, community, info)
        return info
    }

    /// Nil for a person who does not exist.
    func person(_ id: UUID, on db: any Database) async throws -> PersonInfo? {
        if let hit = Self.cached(people, id) { return hit }
        guard let person = try await Person.find(id, on: db) else {
            Self.store(people, id, nil)
            return nil
        }
        let memberships = try await Membership.query(on: db).filter(\.$personID == id).all()
        let households = try await Household.byID(memberships.map(\.householdID), on: db)
        let residences = memberships.compactMap { m -> Residence? in
            guard let household = households[m.householdID] else { return nil }
            return Residence(
                community: m.communityID, building: household.buildingID, movedIn: m.movedIn, movedOut: m.movedOut)
        }
        var shifts: [UUID: [Shift]] = [:]
        for row in try await StaffAssignment.query(on: db).filter(\.$personID == id).all() {
            shifts[row.communityID, default: []].append(row.shift ?? .allDay)
        }
        let denied = Set(try await DenyEntry.query(on: db).filter(\.$personID == id).all(\.$communityID))
        let info = PersonInfo(
            maskedName: MaskedName.of(person.name), residences: residences, shifts: shifts, denied: denied)
        Self.store(people, id, info)
        return info
    }

    /// The gates a terminal device serves (empty: it serves none, so it is no terminal).
    func gates(servedBy device: UUID, community: UUID, on db: any Database) async throws -> [GateInfo] {
        if let hit = Self.cached(terminals, device) { return hit }
        let served = try await Gate.scoped(to: community, on: db).all().filter { $0.deviceIDs.contains(device) }
            .compactMap { gate in
                gate.id.map {
                    GateInfo(
                        id: $0, community: gate.communityID, name: gate.name, kind: gate.kind,
                        building: gate.buildingID, devices: Set(gate.deviceIDs))
                }
            }
        Self.store(terminals, device, served)
        return served
    }

    /// The community's key for credential hashes (`CredentialKey`), made on first use.
    func credentialKey(_ community: UUID, on db: any Database) async throws -> CredentialKey.Value {
        if let hit = Self.cached(keys, community) { return hit }
        let key = try await CredentialKey.of(community, on: db)
        Self.store(keys, community, key)
        return key
    }

    /// Forgets everything (after a write to gates, settings, people, homes, staff or the deny list).
    func forgetAll() {
        terminals.withLockedValue { $0.removeAll() }
        gates.withLockedValue { $0.removeAll() }
        settings.withLockedValue { $0.removeAll() }
        people.withLockedValue { $0.removeAll() }
    }

    /// Drops the directory's entries whenever a model they come from is written through Fluent.
    struct Invalidation<M: Model>: AsyncModelMiddleware {
        let directory: AccessDirectory
        let events: LinliEvents

        private func forget(_ db: any Database) {
            directory.forgetAll()
            let directory = directory
            db.eventLoop.scheduleTask(in: .seconds(2)) { directory.forgetAll() }
            // The other servers forget too (now and two seconds later, when the write has committed).
            events.publish(AccessDirectoryChanged())
        }

        func create(model: M, on db: any Database, next: any AnyAsyncModelResponder) async throws {
            try await next.create(model, on: db)
            forget(db)
        }

        func update(model: M, on db: any Database, next: any AnyAsyncModelResponder) async throws {
            try await next.update(model, on: db)
            forget(db)
        }

        func delete(model: M, force: Bool, on db: any Database, next: any AnyAsyncModelResponder) async throws {
            try await next.delete(model, force: force, on: db)
            forget(db)
        }
    }

    /// Registers the invalidation for every model the directory reads.
    func watch(_ app: Application) {
        app.databases.middleware.use(Invalidation<Gate>(directory: self, events: app.events))
        app.databases.middleware.use(Invalidation<AccessSettings>(directory: self, events: app.events))
        app.databases.middleware.use(Invalidation<Person>(directory: self, events: app.events))
        app.databases.middleware.use(Invalidation<Membership>(directory: self, events: app.events))
        app.databases.middleware.use(Invalidation<Household>(directory: self, events: app.events))
        app.databases.middleware.use(Invalidation<StaffAssignment>(directory: self, events: app.events))
        app.databases.middleware.use(Invalidation<DenyEntry>(directory: self, events: app.events))
        let eventLoop = app.eventLoopGroup.any()
        app.events.on(AccessDirectoryChanged.self, elsewhereOnly: true) { [self] _ in
            forgetAll()
            eventLoop.scheduleTask(in: .seconds(2)) { self.forgetAll() }
        }
    }
}

extension Application {
    private struct AccessDirectoryKey: StorageKey { typealias Value = AccessDirectory }

    var accessDirectory: AccessDirectory {
        get throws {
            guard let directory = storage[AccessDirectoryKey.self] else { throw LinliError(.unavailable) }
            return directory
        }
    }

    /// Set up once at start (`Access.register`).
    func prepareAccessDirectory() {
        let directory = AccessDirectory()
        directory.watch(self)
        storage[AccessDirectoryKey.self] = directory
    }
}
