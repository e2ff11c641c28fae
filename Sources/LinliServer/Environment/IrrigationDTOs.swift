import Fluent
import Foundation
import LinliCore
import Vapor

struct ProgramInput: Content, Equatable {
    /// ISO weekdays (1 = Monday … 7 = Sunday); or `everyDays` with `offset`.
    let weekdays: [Int]?
    let everyDays: Int?
    let offset: Int?
    /// `none`, `odd` or `even`.
    let restriction: String?
    /// `HH:MM`, China time.
    let starts: [String]
    let minutes: Int
    let cycleMinutes: Int?
    let soakMinutes: Int?
    /// `HH:MM-HH:MM`.
    let quietHours: String?
}

struct ZoneInput: Content {
    let name: String?
    let valveID: UUID?
    let sensorIDs: [UUID]?
    let plant: String?
    let targetMoisture: Double?
    let maxRunMinutes: Int?
    let litresPerMinute: Double?
    let rainSkipMm: Double?
    /// The zone's programs, all of them (replacing those it had); absent: they stay.
    let programs: [ProgramInput]?
}

struct RunNowInput: Content {
    let minutes: Int
}

struct HoldInput: Content {
    let hours: Double
    /// `hold` (staff off, the default) or `rain` (a rain delay).
    let kind: String?
}

struct ZoneRead: Content, Equatable {
    struct Override: Content, Equatable {
        /// `run`, `off` or `rain_delay`.
        let kind: String
        let until: Date
    }

    let id: UUID
    let name: String
    let valveID: UUID
    let sensorIDs: [UUID]
    let plant: String
    let targetMoisture: Double
    let maxRunMinutes: Int
    let litresPerMinute: Double
    let rainSkipMm: Double
    let programs: [ProgramInput]
    /// `automatic`, or what staff set and until when (it ends by itself).
    let mode: String
    let override: Override?
    let moisture: Double?
    let staleSensors: [UUID]
    let scale: Int
    let scaleMissingData: Bool
    let nextRun: Date?
    let activeRun: RunRead?
    let litresWeek: Double
    let litresMonth: Double
}

struct RunRead: Content, Equatable {
    let id: UUID
    let zoneID: UUID
    let kind: String
    let plannedAt: Date
    let scale: Int?
    let status: RunStatus
    let skipReason: IrrigationSkip?
    let plannedSeconds: Int
    let startedAt: Date?
    let stoppedAt: Date?
    let stopReason: IrrigationStop?
    let closedAt: Date?
    let openSeconds: Int
    let litres: Double?
    let moisture: Double?

    init(_ run: IrrigationRun) throws {
        id = try run.requireID()
        zoneID = run.zoneID
        kind = run.kind
        plannedAt = run.plannedAt
        scale = run.scale
        status = run.status
        skipReason = run.skipReason
        plannedSeconds = run.plannedSeconds
        startedAt = run.startedAt
        stoppedAt = run.stoppedAt
        stopReason = run.stopReason
        closedAt = run.closedAt
        openSeconds = run.openSeconds
        litres = run.litres
        moisture = run.moisture
    }
}

extension Sorting {
    static let zones = Sorting(keys: ["name"], defaultSort: "name")
    static let irrigationRuns = Sorting(keys: ["planned_at"], defaultSort: "-planned_at")
}

/// Programs between the API's words (`HH:MM`, weekdays) and `IrrigationProgram`.
extension IrrigationAPI {
    /// The program of the input, or the problems with it (field names under `field`, `programs.0` say).
    static func program(_ input: ProgramInput, maxRunMinutes: Int, field: String, _ v: inout Validation)
        -> IrrigationProgram?
    {
        let days: IrrigationProgram.Days
        if let every = input.everyDays {
            days = .interval(every: every, offset: input.offset ?? 0)
        } else {
            days = .weekly(Set(input.weekdays ?? []))
        }
        guard let restriction = IrrigationProgram.Restriction(rawValue: input.restriction ?? "none") else {
            v.fail(field + ".restriction", "invalid_value")
            return nil
        }
        let starts = input.starts.map(TimeOfDay.minutes)
        if starts.contains(nil) {
            v.fail(field + ".starts", "invalid_time")
            return nil
        }
        var quiet: Shift?
        if let text = input.quietHours?.nilIfEmpty {
            quiet = Shift(text: text)
            if quiet == nil {
                v.fail(field + ".quietHours", "invalid_value")
                return nil
            }
        }
        let program = IrrigationProgram(
            days: days, restriction: restriction, starts: starts.compactMap { $0 }, minutes: input.minutes,
            cycleMinutes: input.cycleMinutes, soakMinutes: input.soakMinutes ?? 0, quietStart: quiet?.start,
            quietEnd: quiet.map { $0.end % 1440 })
        do throws(IrrigationProgram.Problem) {
            try program.check(maxRunMinutes: maxRunMinutes)
        } catch {
            v.fail(field + ".\(error.field)", error.reason)
            return nil
        }
        return program
    }

    static func input(_ program: IrrigationProgram) -> ProgramInput {
        var weekdays: [Int]?
        var every: Int?
        var offset: Int?
        switch program.days {
        case .weekly(let set): weekdays = set.sorted()
        case .interval(let e, let o): (every, offset) = (e, o)
        }
        return ProgramInput(
            weekdays: weekdays, everyDays: every, offset: offset, restriction: program.restriction.rawValue,
            starts: program.starts.sorted().map(TimeOfDay.text), minutes: program.minutes, cycleMinutes: program.cycleMinutes,
            soakMinutes: program.soakMinutes,
            quietHours: program.quietStart.flatMap { s in program.quietEnd.map { "\(TimeOfDay.text(s))-\(TimeOfDay.text($0))" } })
    }
}
