import Fluent
import Foundation
import LinliCore
import Vapor

/// The devices' operations figures: each enabled device online, offline (silent longer than its type's
/// interval) or idle (online, and a type whose use is counted, with no use in the period); and the
/// built-but-unused index — per type, the share of devices used less than their households need — with
/// the devices behind it.
enum DeviceFigures {
    /// Uses per served household per 30 days under which a device counts as barely used.
    static func threshold(_ type: String) -> Double {
        switch type {
        case "face_gate": 1
        case "tv_box": 3
        default: 0.05
        }
    }

    static func register(_ app: Application) {
        app.operationsFigures.add("devices", order: 30, audience: { .viewAnalytics($0) }, compute: figures)
    }

    @Sendable static func figures(_ c: FigureContext) async throws -> JSONValue {
        let devices = try await Device.query(on: c.db).filter(\.$communityID == c.community).filter(\.$disabled == false).sort(\.$name).all()
        let seen = try await DeviceHealth.status(community: c.community, on: c.db)
        let now = Int64(c.now.timeIntervalSince1970 * 1000)
        var uses: [UUID: Int] = [:]
        for (key, value) in c.under("use") {
            if let id = key.split(separator: ".").last.flatMap({ UUID(uuidString: String($0)) }) { uses[id] = Int(value.rounded()) }
        }
        let homes = try await Membership.query(on: c.db).filter(\.$communityID == c.community).filter(\.$movedOut == nil).all(\.$householdID)
        let households = Set(homes)
        let inBuilding = Dictionary(grouping: try await Household.query(on: c.db).filter(\.$communityID == c.community).all(), by: \.buildingID)
            .mapValues { Set($0.compactMap(\.id)).intersection(households).count }
        var states: [UUID: DeviceActivity.State] = [:]
        var counted: [DeviceActivity.Device] = []
        for device in devices {
            guard let id = device.id else { continue }
            let counts = c.usedTypes.contains(device.type)
            let lastSeen = seen[id].map(\.last)
            let online = DeviceCatalog.isOnline(type: device.type, lastSeen: lastSeen, now: now)
            states[id] = !online ? .offline : (counts && (uses[id] ?? 0) == 0 ? .idle : .online)
            if counts {
                let served = device.type == "tv_box" || device.householdID != nil ? 1 : device.buildingID.map { inBuilding[$0] ?? 0 } ?? households.count
                counted.append(.init(id: id, type: device.type, households: served, uses: uses[id] ?? 0))
            }
        }
        let scale = Double(c.period.days) / 30
        let index = DeviceActivity.unusedIndex(counted) { threshold($0) * scale }
        let byID = Dictionary(uniqueKeysWithValues: devices.compactMap { d in d.id.map { ($0, d) } })
        let unused = index.flatMap(\.devices).compactMap { id -> JSONValue? in
            guard let device = byID[id] else { return nil }
            let last = seen[id].map { JSONValue.string(ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double($0.last) / 1000))) } ?? .null
            return .object([("id", .string(id.uuidString)), ("name", .string(device.name)), ("type", .string(device.type)), ("lastSeen", last)])
        }
        func count(_ state: DeviceActivity.State) -> Int { states.values.filter { $0 == state }.count }
        return .object([
            ("total", .int(devices.count)), ("online", .int(count(.online))), ("offline", .int(count(.offline))), ("idle", .int(count(.idle))),
            ("unused", .array(unused)),
            ("unusedIndex", .array(index.map {
                .object([("type", .string($0.type)), ("installed", .int($0.installed)), ("unused", .int($0.unused)), ("share", .double($0.share))])
            })),
        ])
    }
}
