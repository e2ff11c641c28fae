import Fluent
import Foundation
import LinliCore
import SQLKit

/// A rule changed state for a device: run its actions.
struct Firing: Sendable {
    let rule: Rule
    let communityID: UUID
    let device: DeviceRef
    let transition: RuleTransition
    let value: Double?
}

/// Keeps every community's rules and each (rule, device) state in memory, feeds them readings and
/// time, and stores state changes so a restart neither forgets a fired rule nor restarts a window.
///
/// With several servers on one PostgreSQL (`shared`), the stored states are the truth: a device's
/// readings may reach any server and the time-driven checks run on whichever claimed the job, so the
/// states of a batch's devices (and, for a tick, all states) are read again before they are used; an
/// edited rule reaches the other servers by `RulesChanged`.
actor RuleRuntime {
    private struct StateKey: Hashable {
        let rule: UUID
        let device: UUID
    }

    private let db: any Database
    private let shared: Bool
    private var loaded = false
    private var rulesByCommunity: [UUID: [Rule]] = [:]
    private var states: [StateKey: RuleState] = [:]
    /// Devices seen by each rule, for the time-driven checks.
    private var watched: [StateKey: (DeviceRef, UUID)] = [:]

    /// The built-in low-battery rule every community has.
    static let lowBatteryRule = Rule(
        id: UUID(uuidString: "00000000-0000-0000-0000-00000000ba77")!, name: "low_battery", scope: RuleScope(),
        key: "battery", condition: RuleCondition(.below, value: DeviceCatalog.lowBattery),
        actions: [
            RuleAction(.alarm, alarmType: "low_battery", severity: .minor),
            RuleAction(.task, title: "task.replaceBattery", role: .propertyStaff),
        ])

    /// `shared`: several servers may use the database (PostgreSQL), so stored states are read before use.
    init(db: any Database, shared: Bool) {
        self.db = db
        self.shared = shared
    }

    /// Reads the stored states again (of these devices, or all), keeping what only memory holds (the
    /// last reading seen): a state another server changed, or reset, is taken as stored.
    private func reloadStates(of devices: Set<UUID>?) async throws {
        var query = RuleStateRecord.query(on: db)
        if let devices { query = query.filter(\.$deviceID ~~ Array(devices)) }
        var stored: [StateKey: (since: Int64?, fired: Bool)] = [:]
        for record in try await query.all() {
            stored[StateKey(rule: record.ruleID, device: record.deviceID)] = (record.since, record.fired)
        }
        for key in Set(states.keys).union(stored.keys) where devices?.contains(key.device) ?? true {
            var state = states[key] ?? RuleState()
            state.since = stored[key]?.since
            state.fired = stored[key]?.fired ?? false
            states[key] = state
        }
    }

    /// Drops cached rules (after an edit); states of rules whose definition changed are reset by the caller.
    func invalidate() { loaded = false }

    func forget(rule: UUID) {
        states = states.filter { $0.key.rule != rule }
        watched = watched.filter { $0.key.rule != rule }
    }

    private func load() async throws {
        guard !loaded else { return }
        var byCommunity: [UUID: [Rule]] = [:]
        for record in try await RuleRecord.query(on: db).all() {
            guard let rule = try? JSONDecoder.linli.decode(Rule.self, from: Data(record.definition.utf8)) else {
                continue
            }
            byCommunity[record.communityID, default: []].append(rule)
        }
        rulesByCommunity = byCommunity
        if states.isEmpty {
            for record in try await RuleStateRecord.query(on: db).all() {
                states[StateKey(rule: record.ruleID, device: record.deviceID)] = RuleState(
                    since: record.since, fired: record.fired)
            }
        }
        loaded = true
    }

    func rules(of community: UUID) async throws -> [Rule] {
        try await load()
        return (rulesByCommunity[community] ?? []) + [Self.lowBatteryRule]
    }

    /// Feeds committed readings to the rules of their communities.
    ///
    /// `act` runs the firings (raises the alarms); only when it succeeded are the new states kept and
    /// stored. When it fails, every state goes back to what it was, so the device's retry of the same
    /// readings fires again instead of finding the rule already fired with no alarm raised.
    func evaluate(_ batches: [TelemetryBatch], then act: @Sendable ([Firing]) async throws -> Void) async throws {
        try await load()
        if shared { try await reloadStates(of: Set(batches.map(\.device.id))) }
        var firings: [Firing] = []
        var changed: [(StateKey, UUID, RuleState)] = []
        var previous: [StateKey: RuleState?] = [:]
        for batch in batches {
            let rules = (rulesByCommunity[batch.device.communityID] ?? []) + [Self.lowBatteryRule]
            for rule in rules where RuleEngine.applies(rule, to: batch.device.facts) {
                let key = StateKey(rule: rule.id, device: batch.device.id)
                for reading in batch.readings where reading.key == rule.key {
                    guard let value = reading.value.numeric else { continue }
                    if previous[key] == nil { previous[key] = .some(states[key]) }
                    var state = states[key] ?? RuleState()
                    let before = state
                    let transition = RuleEngine.evaluate(rule, &state, value: value, ts: reading.ts)
                    states[key] = state
                    watched[key] = (batch.device, batch.device.communityID)
                    if state.since != before.since || state.fired != before.fired {
                        changed.append((key, batch.device.communityID, state))
                    }
                    if let transition {
                        firings.append(
                            Firing(
                                rule: rule, communityID: batch.device.communityID, device: batch.device,
                                transition: transition, value: value))
                    }
                }
            }
        }
        do {
            if !firings.isEmpty { try await act(firings) }
        } catch {
            for (key, state) in previous { states[key] = state ?? nil }
            throw error
        }
        try await persist(changed)
    }

    /// Moves time on for every watched (rule, device): duration windows and "no data".
    func tick(now: Int64, db: any Database) async throws -> [Firing] {
        try await load()
        if shared { try await reloadStates(of: nil) }
        try await watchSilentDevices(now: now, db: db)
        var firings: [Firing] = []
        var changed: [(StateKey, UUID, RuleState)] = []
        for (key, (device, community)) in watched {
            guard
                let rule = rulesByCommunity[community]?.first(where: { $0.id == key.rule })
                    ?? (key.rule == Self.lowBatteryRule.id ? Self.lowBatteryRule : nil),
                RuleEngine.applies(rule, to: device.facts), var state = states[key]
            else { continue }
            if let transition = RuleEngine.tick(rule, &state, now: now) {
                states[key] = state
                changed.append((key, community, state))
                firings.append(
                    Firing(rule: rule, communityID: community, device: device, transition: transition, value: nil))
            }
        }
        try await persist(changed)
        return firings
    }

    /// "No data" rules watch every device in their scope, even ones that never reported: the
    /// silence is counted from the last stored reading, or from when watching began.
    private func watchSilentDevices(now: Int64, db: any Database) async throws {
        for (community, rules) in rulesByCommunity {
            let silent = rules.filter { $0.enabled && $0.condition.kind == .noData }
            guard !silent.isEmpty else { continue }
            let devices = try await Device.scoped(to: community, on: db).filter(\.$disabled == false).all()
            for rule in silent {
                let inScope = try devices.map(DeviceRef.init).filter { RuleEngine.applies(rule, to: $0.facts) }
                let unseen = inScope.filter { states[StateKey(rule: rule.id, device: $0.id)]?.lastTs == nil }
                let latest = try await TelemetryStore.latestTimes(unseen.map(\.id), key: rule.key, on: db)
                for device in inScope {
                    let key = StateKey(rule: rule.id, device: device.id)
                    watched[key] = (device, community)
                    var state = states[key] ?? RuleState()
                    if state.lastTs == nil { state.lastTs = latest[device.id] ?? now }
                    states[key] = state
                }
            }
        }
    }

    private func persist(_ changed: [(StateKey, UUID, RuleState)]) async throws {
        guard !changed.isEmpty, let sql = db as? any SQLDatabase else { return }
        var last: [StateKey: (UUID, RuleState)] = [:]
        for (key, community, state) in changed { last[key] = (community, state) }
        var insert = sql.insert(into: RuleStateRecord.schema).columns(
            "id", "community_id", "rule_id", "device_id", "since", "fired")
        for (key, (community, state)) in last {
            insert = insert.values(
                SQLBind(UUID()), SQLBind(community), SQLBind(key.rule), SQLBind(key.device), SQLBind(state.since),
                SQLBind(state.fired))
        }
        try await insert.onConflict(with: ["rule_id", "device_id"]) { update in
            update.set(excludedValueOf: "since").set(excludedValueOf: "fired")
        }.run()
    }
}
