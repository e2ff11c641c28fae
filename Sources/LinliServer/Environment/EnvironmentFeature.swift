import Fluent
import Foundation
import LinliCore
import Vapor

/// Smart environment: irrigation that waters by soil and weather, bins emptied before they overflow.
/// The rules are in `LinliCore/Environment` (watering scale, programs, soil gate, bin forecast); this
/// feature serves them. So far: the watering-scale preview and the `environment-replay` command.
enum SmartEnvironment: Feature {
    static func register(_ app: Application) {
        registerAPI(app, app.api.authenticated)
        app.openAPIComponents.add(EnvironmentSchemas.all)
    }

    static func registerAPI(_ app: Application, _ api: any RoutesBuilder) {
        api.register(
            .init(
                method: .POST, path: RegistryAPI.c + "/irrigation/scale-preview", operationID: "previewWateringScale",
                summary: "What would this weather do? The watering scale (Zimmerman) for a day's mean temperature, humidity and rain",
                tag: "environment", body: EnvironmentSchemas.previewInput, response: Schema.ref("WateringScale")),
            in: app
        ) { req in
            _ = try await RegistryAPI.communityID(req, { .sendCommands($0) })
            return try preview(try req.decode(ScalePreviewInput.self))
        }
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
    static var all: [(String, JSONValue)] { [("WateringScale", scale)] }
}
