import Fluent
import Foundation
import LinliCore
import Vapor

/// The strings of this feature (`EnvironmentStrings` tables beside it).
enum EnvironmentStrings: LocalizedStrings {}

/// Smart environment: irrigation that waters by soil and weather, bins emptied before they overflow.
/// The rules are in `LinliCore/Environment` (watering scale, programs, soil gate, bin forecast); this
/// feature serves them: zones, programs and runs driving the valves (`Irrigation`), bins and their
/// collections (`Bins`), the console and phone pages, the `environment-replay` command.
enum SmartEnvironment: Feature {
    static var strings: (any LocalizedStrings.Type)? { EnvironmentStrings.self }

    static func register(_ app: Application) {
        app.consoleTabs.add("environment", order: 82, shown: { .viewDevices($0) }) { EnvironmentRoute.console($0) }
        EnvironmentPages.register(app.pages)
        // The TV's home says the weather of the community's station (the last 24 hours).
        app.tvScreens.addStatus { req, viewer in
            let weather = try await Irrigation.weather(viewer.community, now: req.clock.now(), on: req.db)
            guard let temperature = weather.temperatureC else { return nil }
            let rain = (weather.rainMm ?? 0) >= 0.5 ? req.t("environment.tv.rain", ["mm": String(format: "%.0f", weather.rainMm ?? 0)]) : ""
            return req.t("environment.tv.weather", ["t": String(format: "%.0f", temperature)]) + rain
        }
        app.migrations.add(CreateEnvironment())
        EnvironmentFigures.register(app)
        registerAPI(app, app.api.authenticated)
        IrrigationAPI.register(app, app.api.authenticated)
        BinsAPI.register(app, app.api.authenticated)
        app.openAPIComponents.add(EnvironmentSchemas.all)
        app.deviceHub.observers.add(IrrigationObserver(app: app))
        // Every server's open consoles hear of runs and collections changed on any of them.
        let bus = app.environmentBus
        app.events.on(EnvironmentChanged.self) { bus.publish(community: $0.community, EnvironmentFeed.frame) }
        app.deviceHub.observers.add(BinObserver(app: app))
        // Both run from the database alone: after a restart the next tick carries on.
        app.jobs.every(Irrigation.tickJob, seconds: 15) { app, job in try await Irrigation.tick(now: job.now, app: app) }
        app.jobs.every(Bins.forecastJob, seconds: 600) { app, job in try await Bins.forecast(now: job.now, app: app) }
    }

    static func seedDemo(_ world: DemoWorld, on db: any Database) async throws {
        try await DemoEnvironment.seed(world, on: db)
    }

    static func registerAPI(_ app: Application, _ api: any RoutesBuilder) {
        api.register(
            .init(
                method: .POST, path: RegistryAPI.c + "/irrigation/scale-preview", operationID: "previewWateringScale",
                summary: "What would this weather do? The watering scale (Zimmerman) for a day's mean temperature, humidity and rain",
                tag: "environment", authority: .community { .sendCommands($0) }, body: EnvironmentSchemas.previewInput, response: Schema.ref("WateringScale")),
            in: app, previewWateringScale)
        app.registerCommunityFeed(
            path: RegistryAPI.c + "/environment/live", operationID: "environmentFeed",
            summary: "WebSocket: {event:\"environment\"} whenever a zone's run or a bin's collection changes",
            tag: "environment", authority: { .viewDevices($0) }
        ) { req, ws, id in req.application.environmentBus.follow(id, on: ws) }
    }

    static func preview(_ input: ScalePreviewInput) throws -> WateringScaleRead {
        var v = Validation()
        func range(_ value: Double?, _ field: String, _ bounds: ClosedRange<Double>) {
            if let value, !(value.isFinite && bounds.contains(value)) { v.fail(field, "out_of_range") }
        }
        range(input.temperatureC, "temperatureC", -60...60)
        range(input.humidityPct, "humidityPct", 0...100)
        range(input.rainMm, "rainMm", 0...1000)
        let weights = WateringScale.Weights(
            humidity: input.weights?.humidity ?? 100, temperature: input.weights?.temperature ?? 100,
            rain: input.weights?.rain ?? 100)
        for (field, value) in [("humidity", weights.humidity), ("temperature", weights.temperature), ("rain", weights.rain)] {
            range(value, "weights.\(field)", WateringScale.Weights.range)
        }
        try v.check()
        let result = WateringScale.scale(
            .init(temperatureC: input.temperatureC, humidityPct: input.humidityPct, rainMm: input.rainMm),
            weights: weights)
        return WateringScaleRead(
            scale: result.scale,
            factors: .init(humidity: result.humidity, temperature: result.temperature, rain: result.rain),
            missingData: result.missingData)
    }
}

struct ScalePreviewInput: Content {
    struct Weights: Content {
        let humidity: Double?
        let temperature: Double?
        let rain: Double?
    }
    let temperatureC: Double?
    let humidityPct: Double?
    let rainMm: Double?
    let weights: Weights?
}

struct WateringScaleRead: Content, Equatable {
    struct Factors: Content, Equatable {
        let humidity: Double?
        let temperature: Double?
        let rain: Double?
    }
    /// 0–200 (%): how much of a program's duration to water.
    let scale: Int
    /// Each factor's weighted percentage points (nil: its reading was missing).
    let factors: Factors
    /// A reading was missing: the scale is 100.
    let missingData: Bool
}

enum EnvironmentSchemas {
    static func number(_ min: Int, _ max: Int) -> JSONValue {
        .object([("type", "number"), ("minimum", .int(min)), ("maximum", .int(max))])
    }
    static let previewInput = Schema.object([
        ("temperatureC", number(-60, 60)), ("humidityPct", number(0, 100)), ("rainMm", number(0, 1000)),
        (
            "weights",
            Schema.object([("humidity", number(0, 200)), ("temperature", number(0, 200)), ("rain", number(0, 200))])
        ),
    ])
    static let scale = Schema.object(
        [
            ("scale", Schema.integer(min: 0, max: 200)),
            (
                "factors",
                Schema.object([
                    ("humidity", Schema.nullable(Schema.number)), ("temperature", Schema.nullable(Schema.number)),
                    ("rain", Schema.nullable(Schema.number)),
                ])
            ),
            ("missingData", Schema.bool),
        ], required: ["scale", "factors", "missingData"])
    static let program = Schema.object(
        [
            ("weekdays", Schema.array(Schema.integer(min: 1, max: 7))), ("everyDays", Schema.integer(min: 1, max: 30)),
            ("offset", Schema.integer(min: 0, max: 29)), ("restriction", Schema.enumeration(["none", "odd", "even"])),
            ("starts", Schema.array(Schema.string(pattern: "^[0-9]{1,2}:[0-9]{2}$"))),
            ("minutes", Schema.integer(min: 1, max: 240)), ("cycleMinutes", Schema.integer(min: 1, max: 240)),
            ("soakMinutes", Schema.integer(min: 0, max: 240)), ("quietHours", Schema.string(max: 11)),
        ], required: ["starts", "minutes"])
    static let zoneInput = Schema.object([
        ("name", Schema.string(min: 1, max: 60)), ("valveID", Schema.uuid), ("sensorIDs", Schema.array(Schema.uuid)),
        ("plant", Schema.string(max: 40)), ("targetMoisture", number(1, 100)), ("maxRunMinutes", Schema.integer(min: 1, max: 240)),
        ("litresPerMinute", number(0, 1000)), ("rainSkipMm", number(0, 500)),
        ("programs", Schema.array(program)),
    ])
    static let runInput = Schema.object([("minutes", Schema.integer(min: 1, max: 240))], required: ["minutes"])
    static let holdInput = Schema.object(
        [("hours", number(0, 24)), ("kind", Schema.enumeration(["hold", "rain"]))], required: ["hours"])
    static let binInput = Schema.object([
        ("capacityLitres", Schema.integer(min: 1, max: 10_000)), ("workingHours", Schema.string(max: 11)),
        ("threshold", number(10, 100)), ("fireCelsius", number(30, 150)),
    ])
    static let runStatus = Schema.enumeration(RunStatus.allCases.map(\.rawValue))
    static let run = Schema.object(
        [
            ("id", Schema.uuid), ("zoneID", Schema.uuid), ("kind", Schema.enumeration(["program", "manual"])),
            ("plannedAt", Schema.dateTime), ("scale", Schema.integer(min: 0, max: 200)), ("status", runStatus),
            ("skipReason", Schema.enumeration(IrrigationSkip.allCases.map(\.rawValue))),
            ("plannedSeconds", Schema.integer(min: 0)), ("startedAt", Schema.dateTime), ("stoppedAt", Schema.dateTime),
            ("stopReason", Schema.enumeration(IrrigationStop.allCases.map(\.rawValue))), ("closedAt", Schema.dateTime),
            ("openSeconds", Schema.integer(min: 0)), ("litres", Schema.number), ("moisture", Schema.number),
        ], required: ["id", "zoneID", "kind", "plannedAt", "status", "plannedSeconds", "openSeconds"])
    static let zone = Schema.object(
        [
            ("id", Schema.uuid), ("name", Schema.string()), ("valveID", Schema.uuid), ("sensorIDs", Schema.array(Schema.uuid)),
            ("plant", Schema.string()), ("targetMoisture", Schema.number), ("maxRunMinutes", Schema.integer()),
            ("litresPerMinute", Schema.number), ("rainSkipMm", Schema.number), ("programs", Schema.array(program)),
            ("mode", Schema.enumeration(["automatic", "override"])),
            (
                "override",
                Schema.object(
                    [("kind", Schema.enumeration(["run", "off", "rain_delay"])), ("until", Schema.dateTime)],
                    required: ["kind", "until"])
            ),
            ("moisture", Schema.number), ("staleSensors", Schema.array(Schema.uuid)), ("scale", Schema.integer(min: 0, max: 200)),
            ("scaleMissingData", Schema.bool), ("nextRun", Schema.dateTime), ("activeRun", Schema.ref("IrrigationRun")),
            ("litresWeek", Schema.number), ("litresMonth", Schema.number),
        ],
        required: [
            "id", "name", "valveID", "sensorIDs", "plant", "targetMoisture", "maxRunMinutes", "litresPerMinute",
            "rainSkipMm", "programs", "mode", "staleSensors", "scale", "scaleMissingData", "litresWeek", "litresMonth",
        ])
    static var all: [(String, JSONValue)] {
        [("WateringScale", scale), ("IrrigationZone", zone), ("IrrigationRun", run)] + BinSchemas.all
    }
}

/// The console's live feed of the environment: a frame per change, the page reloads its zones.
enum EnvironmentFeed {
    static let frame = #"{"event":"environment"}"#
    static func path(_ community: UUID) -> String { "/api/v1/communities/\(community)/environment/live" }
}

extension Application {
    private struct EnvironmentBusKey: StorageKey { typealias Value = EventBus }

    /// Where environment changes reach the open consoles of this server.
    var environmentBus: EventBus {
        if let bus = storage[EnvironmentBusKey.self] { return bus }
        let bus = EventBus()
        storage[EnvironmentBusKey.self] = bus
        return bus
    }
}

extension SmartEnvironment {
    static var commands: [(name: String, command: any AnyAsyncCommand)] { [("environment-replay", EnvironmentReplayCommand())] }
}

extension SmartEnvironment {
    static var css: String? { "environment/environment.css" }
}

/// An irrigation zone, run or bin of the community changed: its console and phone pages reload.
struct EnvironmentChanged: LinliEvent {
    let community: UUID
}
