import Fluent
import Foundation
import LinliCore
import Vapor

struct MeterStateRead: Content, Equatable {
    let deviceID: UUID
    let name: String
    let kind: String
    /// A home's meter (else the community's: the pump room, public lighting).
    let householdID: UUID?
    /// The latest reading's time; nil when it never reported.
    let lastReadingAt: Date?
    let total: Double?
    /// ok, offline (nothing for over 26 hours), stuck (reporting, but the same total for 72 hours in a
    /// home someone lives in), or never (no reading at all).
    let state: String
}

struct NetworkBalanceRead: Content, Equatable {
    let kind: String
    let period: String
    /// What the community's meters (the pump room) measured, and the homes' meters together.
    let communityUsage: Double?
    let homesUsage: Double?
    /// Homes with a meter whose month could be read, of all homes with a meter.
    let homesRead: Int
    let homesMetered: Int
    /// (community − homes) / community: water lost in the public network (leaks, theft, unmetered use).
    let lossPercent: Double?
}

extension Sorting {
    static let meterStates = Sorting(keys: ["name"], defaultSort: "name")
}

/// The operators' view of the meters: every meter's state, and the public network's balance — the pump
/// room's total against the sum of the homes' meters for a month.
enum CommunityMeters {
    static let stuckAfter: TimeInterval = 72 * 3600
    static let offlineAfter: TimeInterval = 26 * 3600

    static func states(_ community: UUID, now: Date, on db: any Database) async throws -> [MeterStateRead] {
        let meters = try await Device.query(on: db).filter(\.$communityID == community)
            .filter(\.$type ~~ Usage.Kind.allCases.map(\.deviceType)).sort(\.$name).all()
        let lived = Set(try await Membership.query(on: db).filter(\.$communityID == community).filter(\.$movedOut == nil).all(\.$householdID))
        let nowMs = Int64(now.timeIntervalSince1970 * 1000)
        var out: [MeterStateRead] = []
        for meter in meters {
            guard let id = meter.id, let kind = Usage.Kind.allCases.first(where: { $0.deviceType == meter.type }) else { continue }
            let series = try await Usage.series(of: [meter], kind, from: nowMs - Int64(stuckAfter * 1000) - 3_600_000, on: db)
            let readings = series.first?.runs.last ?? []
            let latest = readings.last
            var state = "ok"
            if let latest {
                let age = Double(nowMs - latest.ts) / 1000
                let window = readings.filter { $0.ts >= latest.ts - Int64(stuckAfter * 1000) }
                if age > offlineAfter {
                    state = "offline"
                } else if let first = window.first, latest.ts - first.ts >= Int64(stuckAfter * 1000) - 3_600_000,
                    first.total == latest.total, let home = meter.householdID, lived.contains(home)
                {
                    state = "stuck"
                }
            } else {
                state = "never"
            }
            out.append(
                MeterStateRead(
                    deviceID: id, name: meter.name, kind: kind.rawValue, householdID: meter.householdID,
                    lastReadingAt: latest.map { Usage.date($0.ts) }, total: latest?.total, state: state))
        }
        return out
    }

    static func balance(_ community: UUID, kind: Usage.Kind, period: String, on db: any Database) async throws
        -> NetworkBalanceRead
    {
        guard let (start, end) = Billing.bounds(period) else { throw LinliError.invalid("period", "invalid_value") }
        let meters = try await Device.query(on: db).filter(\.$communityID == community).filter(\.$type == kind.deviceType).all()
        let daily: Int64 = 26 * 3_600_000
        func usage(_ devices: [Device]) async throws -> Double? {
            guard !devices.isEmpty else { return nil }
            let series = try await Usage.series(
                of: devices, kind, from: start, hourlyIn: [(start - 7_200_000)..<(start + 7_200_000), (end - 7_200_000)..<(end + 7_200_000)],
                on: db)
            return Usage.buckets(series, from: start, to: start + 1, .month, maxGap: daily).first.flatMap { $0.complete ? $0.usage : nil }
        }
        let communityUsage = try await usage(meters.filter { $0.householdID == nil })
        let homes = Dictionary(grouping: meters.filter { $0.householdID != nil }, by: { $0.householdID ?? UUID() })
        var sum = 0.0
        var read = 0
        for (_, devices) in homes {
            guard let used = try await usage(devices) else { continue }
            sum += used
            read += 1
        }
        let homesUsage = read > 0 ? MeterUsage.rounded(sum) : nil
        var loss: Double?
        if let c = communityUsage, c > 0, let h = homesUsage, read == homes.count {
            loss = ((c - h) / c * 1000).rounded() / 10
        }
        return NetworkBalanceRead(
            kind: kind.rawValue, period: period, communityUsage: communityUsage, homesUsage: homesUsage, homesRead: read,
            homesMetered: homes.count, lossPercent: loss)
    }

    static func register(_ app: Application) {
        let c = RegistryAPI.c
        app.api.authenticated.register(
            .init(
                method: .GET, path: c + "/meters", operationID: "listMeterStates",
                summary: "Every water and electricity meter of the community with its latest reading and its state (ok, offline, stuck, never)",
                tag: "meters", authority: .community { .manageFinance($0) }, response: Schema.page(of: "MeterState"), query: Endpoint.listQuery(.meterStates)), in: app, listMeterStates)
        app.api.authenticated.register(
            .init(
                method: .GET, path: c + "/meters/balance", operationID: "getNetworkBalance",
                summary: "A finished month's community meters (last month by default) (the pump room) against the sum of the homes' meters: the loss in the public network",
                tag: "meters", authority: .community { .manageFinance($0) }, response: Schema.ref("NetworkBalance"),
                query: [
                    .init(name: "kind", schema: Schema.enumeration(Usage.Kind.allCases.map(\.rawValue))),
                    .init(name: "period", schema: Schema.string(pattern: "^[0-9]{4}-[0-9]{2}$")),
                ]), in: app, getNetworkBalance)
        app.openAPIComponents.add([
            (
                "MeterState",
                Schema.object(
                    [
                        ("deviceID", Schema.uuid), ("name", Schema.string()), ("kind", Schema.string()),
                        ("householdID", Schema.nullable(Schema.uuid)), ("lastReadingAt", Schema.nullable(Schema.dateTime)),
                        ("total", Schema.nullable(Schema.number)),
                        ("state", Schema.enumeration(["ok", "offline", "stuck", "never"])),
                    ], required: ["deviceID", "name", "kind", "state"])
            ),
            (
                "NetworkBalance",
                Schema.object(
                    [
                        ("kind", Schema.string()), ("period", Schema.string()), ("communityUsage", Schema.nullable(Schema.number)),
                        ("homesUsage", Schema.nullable(Schema.number)), ("homesRead", Schema.integer(min: 0)),
                        ("homesMetered", Schema.integer(min: 0)), ("lossPercent", Schema.nullable(Schema.number)),
                    ], required: ["kind", "period", "homesRead", "homesMetered"])
            ),
        ])
    }
}
