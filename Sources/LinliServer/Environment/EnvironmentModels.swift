import Fluent
import Foundation
import LinliCore

/// An irrigation zone: an area with its valve and soil sensors, what grows there and the moisture it
/// wants, its program, the safety maximum of its valve, and — while staff have taken it over — the
/// override that ends by itself.
final class IrrigationZone: Model, @unchecked Sendable {
    static let schema = "irrigation_zones"
    @ID(key: .id) var id: UUID?
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "name") var name: String
    @Field(key: "valve_id") var valveID: UUID
    /// The zone's soil sensors (a JSON array of device ids).
    @Field(key: "sensor_ids") var sensorIDsText: String
    @Field(key: "plant") var plant: String
    /// Moisture (%) at which the zone has enough: a run is skipped at or above it, stopped on reaching it.
    @Field(key: "target_moisture") var targetMoisture: Double
    /// Longest the valve may be open in one stretch, and in one day of its program (minutes).
    @Field(key: "max_run_minutes") var maxRunMinutes: Int
    /// The valve's flow when it reports none (L/min).
    @Field(key: "litres_per_minute") var litresPerMinute: Double
    /// Rain of the last 24 h (mm) from which a start is skipped.
    @Field(key: "rain_skip_mm") var rainSkipMm: Double
    /// The zone's programs (`[IrrigationProgram]` as JSON, at most `maxPrograms`); none: only by hand.
    @Field(key: "programs") var programsText: String
    /// `run` (a run by hand) or `off` (a hold); nil: automatic.
    @OptionalField(key: "override_kind") var overrideKind: String?
    @OptionalField(key: "override_until") var overrideUntil: Date?
    @OptionalField(key: "override_by") var overrideBy: UUID?
    /// The run by hand the `run` override is for: only its end lifts the override.
    @OptionalField(key: "override_run") var overrideRun: UUID?
    @OptionalField(key: "rain_delay_until") var rainDelayUntil: Date?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    init() {}

    var sensorIDs: [UUID] {
        get { (try? JSONDecoder().decode([UUID].self, from: Data(sensorIDsText.utf8))) ?? [] }
        set { sensorIDsText = String(decoding: (try? JSONEncoder().encode(newValue)) ?? Data("[]".utf8), as: UTF8.self) }
    }

    /// WaterSense asks for at least 3 programs; OpenSprinkler's controllers have 4 per station's day.
    static let maxPrograms = 4

    var programs: [IrrigationProgram] {
        get { (try? JSONDecoder().decode([IrrigationProgram].self, from: Data(programsText.utf8))) ?? [] }
        set { programsText = String(decoding: (try? JSONEncoder().encode(newValue)) ?? Data("[]".utf8), as: UTF8.self) }
    }

    /// The override in force at `now` (one that has ended counts as none, before the job clears it).
    func override(at now: Date) -> String? {
        guard let kind = overrideKind, let until = overrideUntil, until > now else { return nil }
        return kind
    }
}

/// The status of a run: skipped, or the valve's way through opening, watering, soaking between cycles,
/// closing and done.
enum RunStatus: String, Codable, Sendable, CaseIterable {
    case skipped, opening, running, soaking, closing, done

    static let active: [RunStatus] = [.opening, .running, .soaking, .closing]
}

/// One planned start of a zone (a program's start time, or a run by hand) and what became of it.
/// `key` makes it once: the program's start of a day, or the id of the manual request.
final class IrrigationRun: Model, @unchecked Sendable {
    static let schema = "irrigation_runs"
    @ID(key: .id) var id: UUID?
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "zone_id") var zoneID: UUID
    @Field(key: "key") var key: String
    /// `program` or `manual`.
    @Field(key: "kind") var kind: String
    @Field(key: "planned_at") var plannedAt: Date
    @OptionalField(key: "scale") var scale: Int?
    @Enum(key: "status") var status: RunStatus
    @OptionalField(key: "skip_reason") var skipReason: IrrigationSkip?
    /// The cycles as JSON `[[offset, seconds], …]`: when each opens after `planned_at`, for how long.
    @Field(key: "cycles") var cyclesText: String
    @Field(key: "cycle_index") var cycleIndex: Int
    /// When the current phase began: the open or close command was queued, the valve confirmed open,
    /// the soak began.
    @Field(key: "phase_at") var phaseAt: Date
    /// Seconds the valve was open in the cycles before the current one.
    @Field(key: "open_seconds") var openSeconds: Int
    @OptionalField(key: "started_at") var startedAt: Date?
    @OptionalField(key: "stopped_at") var stoppedAt: Date?
    @OptionalField(key: "stop_reason") var stopReason: IrrigationStop?
    @OptionalField(key: "closed_at") var closedAt: Date?
    @OptionalField(key: "litres") var litres: Double?
    @OptionalField(key: "moisture") var moisture: Double?
    @OptionalField(key: "by") var by: UUID?
    /// Raised by every change: a change is a conditional write on the version it read.
    @Field(key: "version") var version: Int
    @Field(key: "updated_at") var updatedAt: Date
    init() {}

    var cycles: [[Int]] {
        get { (try? JSONDecoder().decode([[Int]].self, from: Data(cyclesText.utf8))) ?? [] }
        set { cyclesText = String(decoding: (try? JSONEncoder().encode(newValue)) ?? Data("[]".utf8), as: UTF8.self) }
    }

    /// Planned seconds of water over all cycles.
    var plannedSeconds: Int { cycles.map { $0.count > 1 ? $0[1] : 0 }.reduce(0, +) }
}

/// A bin's settings and its counts: capacity, the hours its collectors work, the fixed threshold for a
/// bin with little history, the fire threshold, when it was last emptied (FIWARE `dateLastEmptying`),
/// and its overflows. Made on the bin's first reading with the defaults.
final class WasteBin: Model, @unchecked Sendable {
    static let schema = "waste_bins"
    @ID(key: .id) var id: UUID?
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "device_id") var deviceID: UUID
    @Field(key: "capacity_litres") var capacityLitres: Int
    /// Minutes after midnight the collectors start and stop.
    @Field(key: "work_start") var workStart: Int
    @Field(key: "work_end") var workEnd: Int
    @Field(key: "threshold") var threshold: Double
    @Field(key: "fire_celsius") var fireCelsius: Double
    @OptionalField(key: "last_fill") var lastFill: Double?
    @OptionalField(key: "last_fill_at") var lastFillAt: Date?
    @OptionalField(key: "last_emptied_at") var lastEmptiedAt: Date?
    /// Since when the bin reads 100 % (nil below).
    @OptionalField(key: "full_since") var fullSince: Date?
    /// Set once this time at 100 % was counted as an overflow.
    @Field(key: "overflowing") var overflowing: Bool
    /// The open collection task (`task.emptyBin`), set by a conditional write: one task at a time.
    @OptionalField(key: "task_id") var taskID: UUID?
    @Field(key: "overflows") var overflows: Int
    /// The last forecast (the job's, every 10 min): when the bin reaches 90 %, when to ask, whether its
    /// history was long enough. Kept so the pages read it instead of a month of roll-ups per bin.
    @OptionalField(key: "full_at") var fullAt: Date?
    @OptionalField(key: "ask_by") var askBy: Date?
    @Field(key: "enough_history") var enoughHistory: Bool
    @OptionalField(key: "forecast_at") var forecastAt: Date?
    @Field(key: "updated_at") var updatedAt: Date
    init() {}

    var hours: BinForecast.WorkingHours { BinForecast.WorkingHours(start: workStart, end: workEnd) }

    /// A bin's settings before anyone changed them: 240 L, collectors 07:00–19:00, 80 %, fire at 60 °C.
    convenience init(community: UUID, device: UUID, now: Date) {
        self.init()
        communityID = community
        deviceID = device
        capacityLitres = 240
        workStart = 7 * 60
        workEnd = 19 * 60
        threshold = BinForecast.fixedThreshold
        fireCelsius = 60
        overflowing = false
        overflows = 0
        enoughHistory = false
        updatedAt = now
    }
}

/// A bin's overflow or collection, for the week's figures.
final class BinEvent: Model, @unchecked Sendable {
    static let schema = "bin_events"
    @ID(key: .id) var id: UUID?
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "device_id") var deviceID: UUID
    /// `overflow` or `emptied`.
    @Field(key: "kind") var kind: String
    @Field(key: "at") var at: Date
    init() {}

    init(community: UUID, device: UUID, _ kind: String, at: Date) {
        communityID = community
        deviceID = device
        self.kind = kind
        self.at = at
    }

    convenience init(_ bin: WasteBin, _ kind: String, at: Date) {
        self.init(community: bin.communityID, device: bin.deviceID, kind, at: at)
    }
}

extension IrrigationZone: CommunityScoped {
    static var communityField: KeyPath<IrrigationZone, FieldProperty<IrrigationZone, UUID>> { \.$communityID }
}
extension IrrigationRun: CommunityScoped {
    static var communityField: KeyPath<IrrigationRun, FieldProperty<IrrigationRun, UUID>> { \.$communityID }
}
extension WasteBin: CommunityScoped {
    static var communityField: KeyPath<WasteBin, FieldProperty<WasteBin, UUID>> { \.$communityID }
}
extension BinEvent: CommunityScoped {
    static var communityField: KeyPath<BinEvent, FieldProperty<BinEvent, UUID>> { \.$communityID }
}
