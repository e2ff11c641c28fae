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

/// The operations figures' registry: each feature adds its groups and daily counters.
final class OperationsFigures: Sendable {
    private let groups = NIOLockedValueBox([FigureGroup]())
    private let counters = NIOLockedValueBox([DailyCounter]())

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
