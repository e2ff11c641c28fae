import Fluent
import FluentSQL
import LinliCore
import Vapor

extension DeviceHubAPI {
    static func registerTelemetryAndCommands(_ app: Application, _ api: any RoutesBuilder) {
        api.register(
            .init(
                method: .GET, path: d + "/telemetry/latest", operationID: "getLatestTelemetry",
                summary: "Latest value of every key", tag: "telemetry", authority: .community { .viewDevices($0) },
                response: Schema.array(Schema.ref("LatestValue"))),
            in: app, getLatestTelemetry)
        api.register(
            .init(
                method: .GET, path: d + "/telemetry", operationID: "getTelemetrySeries",
                summary: "A key's time series, raw or aggregated (from/to in ms, to exclusive)", tag: "telemetry", authority: .community { .viewDevices($0) },
                response: Schema.ref("Series"),
                query: [
                    .init(name: "key", schema: Schema.string(min: 1, max: 64)),
                    .init(name: "from", schema: Schema.integer(min: 0)),
                    .init(name: "to", schema: Schema.integer(min: 0)),
                    .init(name: "interval", schema: Schema.enumeration(Interval.allCases.map(\.rawValue))),
                    .init(name: "agg", schema: Schema.enumeration(AggregateFunction.allCases.map(\.rawValue))),
                    .init(name: "limit", schema: Schema.integer(min: 1, max: 10_000)),
                ]), in: app, getTelemetrySeries)
        api.register(
            .init(
                method: .POST, path: d + "/commands", operationID: "sendCommand",
                summary: "Queue a command (persistent: delivered when the device polls or holds its WebSocket)",
                tag: "commands", authority: .community { .sendCommands($0) }, body: Schema.ref("CommandCreate"), status: .created, response: Schema.ref("Command")),
            in: app, sendCommand)
        api.register(
            .init(
                method: .GET, path: c + "/commands", operationID: "listCommands",
                summary: "Commands of a community, newest first", tag: "commands", authority: .community { .viewDevices($0) }, response: Schema.page(of: "Command"),
                query: Endpoint.listQuery(.commands) + [
                    .init(name: "deviceID", schema: Schema.uuid),
                    .init(name: "status", schema: Schema.enumeration(CommandStatus.allCases.map(\.rawValue))),
                ]), in: app, listCommands)
        api.register(
            .init(
                method: .GET, path: c + "/commands/{commandID}", operationID: "getCommand", summary: "One command",
                tag: "commands", authority: .community { .viewDevices($0) }, response: Schema.ref("Command"), pathSchemas: ["commandID": Schema.integer(min: 1)]),
            in: app, getCommand)
    }

}
