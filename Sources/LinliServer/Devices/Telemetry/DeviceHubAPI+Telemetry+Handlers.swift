import Fluent
import FluentSQL
import LinliCore
import Vapor

extension DeviceHubAPI {
    @Sendable static func getLatestTelemetry(_ req: Request) async throws -> some AsyncResponseEncodable {
        try await TelemetryStore.latest(try await device(req).requireID(), on: req.db) 
    }

    @Sendable static func getTelemetrySeries(_ req: Request) async throws -> some AsyncResponseEncodable {
        let device = try await device(req)
        var v = Validation()
        let key = v.text(req.query[String.self, at: "key"], "key", max: 64) ?? ""
        let now = Int64(req.clock.now().timeIntervalSince1970 * 1000)
        let representable: ClosedRange<Int64> = 0...4_102_444_800_000  // up to 2100-01-01
        func stamp(_ name: String) throws -> Int64? {
            guard let value = try req.int64Query(name) else { return nil }
            guard representable.contains(value) else { throw LinliError.invalid(name, "out_of_range") }
            return value
        }
        let to = try stamp("to") ?? now + 1
        let from = try stamp("from") ?? max(0, to - 86_400_000)
        guard let interval = Interval(rawValue: req.query[String.self, at: "interval"] ?? "none") else {
            throw LinliError(
                .invalidListQuery, ["field": "interval"],
                issues: [FieldIssue(field: "interval", reason: "invalid_value")])
        }
        guard let agg = AggregateFunction(rawValue: req.query[String.self, at: "agg"] ?? "avg") else {
            throw LinliError(
                .invalidListQuery, ["field": "agg"], issues: [FieldIssue(field: "agg", reason: "invalid_value")])
        }
        let limit = try req.int64Query("limit").map(Int.init) ?? 1000
        if from >= to { v.fail("from", "out_of_range") }
        if !(1...10_000).contains(limit) { v.fail("limit", "out_of_range") }
        if interval == .minute, to - from > TelemetryStore.maxMinuteRange { v.fail("from", "range_too_long") }
        try v.check()
        let points = try await TelemetryStore.series(
            device: try device.requireID(), key: key, from: from, to: to, interval: interval, function: agg,
            limit: limit, on: req.db)
        return SeriesRead(key: key, interval: interval, agg: agg, points: points)
    }

    @Sendable static func sendCommand(_ req: Request) async throws -> some AsyncResponseEncodable {
        let device = try await device(req)
        return Created(
            value: try CommandRead(
                try await DeviceRegistry.sendCommand(to: device, try req.decode(CommandCreate.self), by: req)))
    }

    @Sendable static func listCommands(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        let options = try req.listOptions(.commands)
        var query = DeviceCommand.query(on: req.db).filter(\.$communityID == id)
        if let device = req.query[UUID.self, at: "deviceID"] { query = query.filter(\.$deviceID == device) }
        if let text = req.query[String.self, at: "status"] {
            guard let status = CommandStatus(rawValue: text) else {
                throw LinliError(
                    .invalidListQuery, ["field": "status"],
                    issues: [FieldIssue(field: "status", reason: "invalid_value")])
            }
            query = query.filter(\.$status == status)
        }
        if let q = options.query { query = query.filter(\.$method ~~ q) }
        return try await query.page(options, map: CommandRead.init)
    }

    @Sendable static func getCommand(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        guard let commandID = req.parameters.get("commandID", as: Int.self),
            let command = try await DeviceCommand.find(commandID, on: req.db), command.communityID == id
        else { throw LinliError(.notFound) }
        return try CommandRead(command)
    }
}
