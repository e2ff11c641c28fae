import Fluent
import Foundation
import LinliCore
import NIOConcurrencyHelpers
import Vapor

/// What a group of figures is computed from: the community, the period, the moment, the database, and
/// the sums of the daily roll-ups (``DailyCounter``) over the period.
struct FigureContext: Sendable {
    let community: UUID
    let period: AnalyticsPeriod
    let now: Date
    let db: any Database
    /// Each roll-up key's sum over the period's days.
    let sums: [String: Double]
    /// The households active in the period, by channel.
    let active: [String: Set<UUID>]
    /// The device types whose use is counted (``OperationsFigures/countsUse(of:)``).
    let usedTypes: Set<String>

    func sum(_ key: String) -> Double { sums[key] ?? 0 }
    func int(_ key: String) -> Int { Int(sum(key).rounded()) }

    /// The keys under `prefix.` with their sums, the prefix taken off.
    func under(_ prefix: String) -> [(String, Double)] {
        sums.filter { $0.key.hasPrefix(prefix + ".") }.map { (String($0.key.dropFirst(prefix.count + 1)), $0.value) }
            .sorted { $0.0 < $1.0 }
    }
}

/// A feature's part of a community's operations summary: a group (`workOrders`) of figures, who may see
/// it, and how it is made for a period.
struct FigureGroup: Sendable {
    let name: String
    let order: Int
    let audience: @Sendable (UUID) -> AccessRequest
    let compute: @Sendable (FigureContext) async throws -> JSONValue
}

/// A feature's counts of one China day in a community (`work.filed`, `work.hour.9`), kept by the
/// analytics roll-up job so that a period's figures are sums of days, not scans of raw rows.
struct DailyCounter: Sendable {
    let name: String
    let count: @Sendable (_ community: UUID, _ day: CivilDate, _ db: any Database) async throws -> [String: Double]
}

/// Who used the community's services on a China day, and how: a household and its channel (`app`,
/// `tv`, `kiosk`, `bin`), from one feature's records; kept by the roll-up job so that "households active in
/// a period" is a count of distinct rows.
struct DailyActivity: Sendable {
    let name: String
    let households: @Sendable (_ community: UUID, _ day: CivilDate, _ db: any Database) async throws -> [(household: UUID, channel: String)]
}

/// The operations figures' registry: each feature adds its groups, daily counters and activity, and
/// the device types whose use it counts (as `use.<type>.<device id>` daily counts).
final class OperationsFigures: Sendable {
    private let groups = NIOLockedValueBox([FigureGroup]())
    private let counters = NIOLockedValueBox([DailyCounter]())
    private let activities = NIOLockedValueBox([DailyActivity]())
    private let used = NIOLockedValueBox(Set<String>())
    private let indexes = NIOLockedValueBox([IndexSQL.Migration]())

    /// An index a feature's daily counts read one day of its rows by (`community_id` and a time), made
    /// after every feature's own tables (``dayIndexes``).
    func readsDays(by index: IndexSQL.Migration) { indexes.withLockedValue { $0.append(index) } }

    var dayIndexes: [IndexSQL.Migration] { indexes.withLockedValue { $0 } }

    func addActivity(
        _ name: String, households: @escaping @Sendable (UUID, CivilDate, any Database) async throws -> [(household: UUID, channel: String)]
    ) {
        activities.withLockedValue { $0.append(DailyActivity(name: name, households: households)) }
    }

    func countsUse(of types: [String]) { used.withLockedValue { $0.formUnion(types) } }

    var allActivities: [DailyActivity] { activities.withLockedValue { $0 } }
    var usedTypes: Set<String> { used.withLockedValue { $0 } }

    func add(_ name: String, order: Int, audience: @escaping @Sendable (UUID) -> AccessRequest,
             compute: @escaping @Sendable (FigureContext) async throws -> JSONValue) {
        groups.withLockedValue { $0.append(FigureGroup(name: name, order: order, audience: audience, compute: compute)) }
    }

    func addDaily(_ name: String, count: @escaping @Sendable (UUID, CivilDate, any Database) async throws -> [String: Double]) {
        counters.withLockedValue { $0.append(DailyCounter(name: name, count: count)) }
    }

    var allGroups: [FigureGroup] { groups.withLockedValue { $0 }.sorted { $0.order < $1.order } }
    var allCounters: [DailyCounter] { counters.withLockedValue { $0 } }
}

/// The day's window, China time, and the current home of each of some people in a community (an owner's
/// home first): what the activity sources share.
enum ActivityDay {
    static func window(_ day: CivilDate) -> (start: Date, end: Date) {
        let start = Calendar.chinaStart(of: day)
        return (start, start.addingTimeInterval(86_400))
    }

    static func homes(of people: [UUID], in community: UUID, on db: any Database) async throws -> [UUID: UUID] {
        guard !people.isEmpty else { return [:] }
        let stays = try await Membership.query(on: db).filter(\.$personID ~~ Array(Set(people))).filter(\.$communityID == community)
            .filter(\.$movedOut == nil).all()
        var homes: [UUID: UUID] = [:]
        for stay in stays.sorted(by: { ($0.relation == .owner ? 0 : 1) < ($1.relation == .owner ? 0 : 1) }) where homes[stay.personID] == nil {
            homes[stay.personID] = stay.householdID
        }
        return homes
    }
}

extension Application {
    private struct OperationsFiguresKey: StorageKey { typealias Value = OperationsFigures }

    /// The operations figures (see ``OperationsFigures``).
    var operationsFigures: OperationsFigures {
        if let existing = storage[OperationsFiguresKey.self] { return existing }
        let made = OperationsFigures()
        storage[OperationsFiguresKey.self] = made
        return made
    }
}

extension JSONValue {
    /// A rate or a missing one.
    static func rate(_ value: Double?) -> JSONValue { value.map(JSONValue.double) ?? .null }

    /// Every leaf as `dotted.path, value` rows, in order (the CSV of a summary).
    func flattened(_ prefix: String = "") -> [(String, String)] {
        switch self {
        case .object(let pairs):
            return pairs.flatMap { key, value in value.flattened(prefix.isEmpty ? key : prefix + "." + key) }
        case .array(let values):
            return values.enumerated().flatMap { index, value in value.flattened(prefix + "." + String(index)) }
        case .string(let text): return [(prefix, text)]
        case .int(let number): return [(prefix, String(number))]
        case .double(let number): return [(prefix, BarChart.format((number * 10_000).rounded() / 10_000))]
        case .bool(let flag): return [(prefix, flag ? "true" : "false")]
        case .null: return [(prefix, "")]
        }
    }
}
