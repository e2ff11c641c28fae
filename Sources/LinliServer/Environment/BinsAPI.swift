import Fluent
import Foundation
import LinliCore
import Vapor

struct BinSettingsInput: Content {
    let capacityLitres: Int?
    /// `HH:MM-HH:MM`: when its collectors work.
    let workingHours: String?
    let threshold: Double?
    let fireCelsius: Double?
}

struct BinRead: Content, Equatable {
    let deviceID: UUID
    let name: String
    let building: String?
    let zone: String?
    let capacityLitres: Int
    let workingHours: String
    let threshold: Double
    let fireCelsius: Double
    /// FIWARE `fillingLevel` (%).
    let fill: Double?
    let fillAt: Date?
    /// When it reaches 90 % at its usual rate (nil: not within two weeks, or too little history).
    let fullAt: Date?
    /// When the collection will be asked for (FIWARE `nextActuationDeadline` is `fullAt`).
    let askBy: Date?
    let enoughHistory: Bool
    /// FIWARE `dateLastEmptying`.
    let lastEmptiedAt: Date?
    let overflows: Int
    let taskID: UUID?
}

struct BinFigures: Content, Equatable {
    struct Week: Content, Equatable {
        let start: String
        let collections: Int
        let overflows: Int
        /// A fixed daily round: every bin, every day.
        let dailySchedule: Int
        let saved: Int
    }
    let bins: Int
    let weeks: [Week]
}

extension Sorting {
    static let bins = Sorting(keys: ["name"], defaultSort: "name")
    /// The round's walking order (by building, then name).
    static let binRound = Sorting(keys: ["order"], defaultSort: "order")
}

enum BinsAPI {
    static let b = RegistryAPI.c + "/bins"

    static func reads(_ devices: [Device], now: Date, on db: any Database) async throws -> [BinRead] {
        let bins = try await WasteBin.query(on: db).filter(\.$deviceID ~~ devices.compactMap(\.id)).all()
        let buildings = try await Building.byID(devices.compactMap(\.buildingID), on: db)
        var out: [BinRead] = []
        for device in devices {
            let id = try device.requireID()
            let stored = bins.first { $0.deviceID == id }
            let bin = stored ?? WasteBin(community: device.communityID, device: id, now: now)
            out.append(
                BinRead(
                    deviceID: id, name: device.name, building: device.buildingID.flatMap { buildings[$0]?.name },
                    zone: device.zone, capacityLitres: bin.capacityLitres,
                    workingHours: "\(TimeOfDay.text(bin.workStart))-\(TimeOfDay.text(bin.workEnd))",
                    threshold: bin.threshold, fireCelsius: bin.fireCelsius, fill: bin.lastFill, fillAt: bin.lastFillAt,
                    fullAt: bin.fullAt, askBy: bin.askBy, enoughHistory: bin.enoughHistory,
                    lastEmptiedAt: bin.lastEmptiedAt, overflows: bin.overflows, taskID: bin.taskID))
        }
        return out
    }

    static func devices(_ community: UUID, on db: any Database) async throws -> [Device] {
        try await Device.query(on: db).filter(\.$communityID == community).filter(\.$type == "bin_level")
            .filter(\.$disabled == false).sort(\.$name).all()
    }

    /// Today's round: the bins with an open task, in walking order — by building, then name; bins by a
    /// zone (no building) last.
    static func round(_ community: UUID, now: Date, on db: any Database) async throws -> [BinRead] {
        let open = try await WasteBin.scoped(to: community, on: db).filter(\.$taskID != nil).all(\.$deviceID)
        let devices = try await devices(community, on: db).filter { open.contains($0.id ?? UUID()) }
        return try await reads(devices, now: now, on: db).sorted {
            ($0.building ?? "\u{FFFF}", $0.zone ?? "", $0.name) < ($1.building ?? "\u{FFFF}", $1.zone ?? "", $1.name)
        }
    }

    /// Collections and overflows per week (Monday to Sunday, China time), the last `weeks` weeks.
    static func figures(_ community: UUID, weeks: Int, now: Date, on db: any Database) async throws -> BinFigures {
        let calendar = Calendar.china
        // Bins that report: one installed but never switched on is on nobody's round.
        let count = try await WasteBin.scoped(to: community, on: db).filter(\.$lastFill != nil).count()
        let thisWeek = calendar.dateInterval(of: .weekOfYear, for: now)?.start ?? now
        guard let first = calendar.date(byAdding: .day, value: -7 * (weeks - 1), to: thisWeek) else {
            return BinFigures(bins: count, weeks: [])
        }
        let events = try await BinEvent.scoped(to: community, on: db).filter(\.$at >= first).all()
        var out: [BinFigures.Week] = []
        for index in 0..<weeks {
            guard let start = calendar.date(byAdding: .day, value: 7 * index, to: first),
                let end = calendar.date(byAdding: .day, value: 7, to: start)
            else { continue }
            let days = max(0, min(7, Int((min(end, now).timeIntervalSince(start) / 86_400).rounded(.up))))
            let inWeek = events.filter { $0.at >= start && $0.at < end }
            let collections = inWeek.filter { $0.kind == "emptied" }.count
            out.append(
                .init(
                    start: Calendar.chinaDate(start), collections: collections,
                    overflows: inWeek.filter { $0.kind == "overflow" }.count, dailySchedule: count * days,
                    saved: count * days - collections))
        }
        return BinFigures(bins: count, weeks: out)
    }

    static func bin(_ req: Request, _ community: UUID) async throws -> (Device, WasteBin) {
        let id = try req.id("deviceID")
        guard
            let device = try await Device.query(on: req.db).filter(\.$id == id).filter(\.$communityID == community)
                .filter(\.$type == "bin_level").first()
        else { throw LinliError(.notFound) }
        return (device, try await Bins.stored(device, now: req.clock.now(), on: req.db))
    }

    static func register(_ app: Application, _ api: any RoutesBuilder) {
        api.register(
            .init(
                method: .GET, path: b, operationID: "listBins",
                summary: "The bins: fill, predicted time to 90 %, when the collection is asked, last emptied, overflows",
                tag: "environment", authority: .community { .viewDevices($0) }, response: Schema.page(of: "Bin"), query: Endpoint.listQuery(.bins)), in: app, listBins)
        api.register(
            .init(
                method: .GET, path: b + "/round", operationID: "binRound",
                summary: "Today's round for the cleaner: bins with an open task in walking order by building",
                tag: "environment", authority: .community { .handleAlarms($0) }, response: Schema.page(of: "Bin"), query: Endpoint.listQuery(.binRound)), in: app, binRound)
        api.register(
            .init(
                method: .GET, path: b + "/figures", operationID: "binFigures",
                summary: "Collections and overflows per week against a fixed daily round (weeks 1–12, default 4)",
                tag: "environment", authority: .community { .viewDevices($0) }, response: Schema.ref("BinFigures"),
                query: [.init(name: "weeks", schema: Schema.integer(min: 1, max: 12))]), in: app, binFigures)
        api.register(
            .init(
                method: .PATCH, path: b + "/{deviceID}", operationID: "updateBin",
                summary: "A bin's capacity, its collectors' hours, the fixed threshold, the fire threshold",
                tag: "environment", authority: .community { .manageDevices($0) }, body: EnvironmentSchemas.binInput, response: Schema.ref("Bin")), in: app, updateBin)
        api.register(
            .init(
                method: .POST, path: b + "/{deviceID}/done", operationID: "binEmptied",
                summary: "The cleaner emptied the bin: its task is done (409 when it has no open task)",
                tag: "environment", authority: .community { .handleAlarms($0) }, response: Schema.ref("Bin")), in: app, binEmptied)
    }
}

enum BinSchemas {
    static let bin = Schema.object(
        [
            ("deviceID", Schema.uuid), ("name", Schema.string()), ("building", Schema.string()), ("zone", Schema.string()),
            ("capacityLitres", Schema.integer()), ("workingHours", Schema.string()), ("threshold", Schema.number),
            ("fireCelsius", Schema.number), ("fill", Schema.number), ("fillAt", Schema.dateTime), ("fullAt", Schema.dateTime),
            ("askBy", Schema.dateTime), ("enoughHistory", Schema.bool), ("lastEmptiedAt", Schema.dateTime),
            ("overflows", Schema.integer(min: 0)), ("taskID", Schema.uuid),
        ],
        required: [
            "deviceID", "name", "capacityLitres", "workingHours", "threshold", "fireCelsius", "enoughHistory", "overflows",
        ])
    static let figures = Schema.object(
        [
            ("bins", Schema.integer(min: 0)),
            (
                "weeks",
                Schema.array(
                    Schema.object(
                        [
                            ("start", Schema.date), ("collections", Schema.integer(min: 0)),
                            ("overflows", Schema.integer(min: 0)), ("dailySchedule", Schema.integer(min: 0)),
                            ("saved", Schema.integer()),
                        ], required: ["start", "collections", "overflows", "dailySchedule", "saved"]))
            ),
        ], required: ["bins", "weeks"])
    static var all: [(String, JSONValue)] { [("Bin", bin), ("BinFigures", figures)] }
}
