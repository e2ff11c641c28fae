import LinliCore
import Vapor

/// The fields a JSON request body may have, read from its endpoint's schema. A field the route does not
/// know is refused (422 `unknown_field`, naming it) instead of ignored, so a client that misspells
/// `newPassword` is told, rather than believing the password changed.
indirect enum BodyShape: Sendable, Equatable {
    /// Anything goes here (telemetry, attributes, a free-form map).
    case open
    case object([String: BodyShape])
    case array(BodyShape)

    /// The shape of a schema closed by ``Schema/closed(_:_:)``.
    init(closed schema: JSONValue) {
        if case .object(let properties)? = schema["properties"], case .bool(false)? = schema["additionalProperties"] {
            self = .object(Dictionary(properties.map { ($0.0, BodyShape(closed: $0.1)) }, uniquingKeysWith: { a, _ in a }))
        } else if let items = schema["items"] {
            self = .array(BodyShape(closed: items))
        } else if case .array(let branches)? = schema["anyOf"] ?? schema["oneOf"] {
            let shapes = branches.filter { $0["type"]?.stringValue != "null" }.map(BodyShape.init(closed:))
            self = shapes.count == 1 ? shapes[0] : BodyShape.union(shapes)
        } else {
            self = .open
        }
    }

    /// Objects' fields together (an object or a list of them, as telemetry takes); anything else is open.
    private static func union(_ shapes: [BodyShape]) -> BodyShape {
        var fields: [String: BodyShape] = [:]
        for shape in shapes {
            guard case .object(let more) = shape else { return .open }
            fields.merge(more) { a, _ in a }
        }
        return shapes.isEmpty ? .open : .object(fields)
    }

    /// The paths (`address.street`, `items[].name`) of fields in `value` the shape does not know.
    func unknownFields(in value: JSON, at path: String = "") -> [String] {
        switch (self, value) {
        case (.object(let fields), .object(let values)):
            return values.keys.sorted().flatMap { key -> [String] in
                let inner = path.isEmpty ? key : path + "." + key
                guard let shape = fields[key] else { return [inner] }
                return shape.unknownFields(in: values[key] ?? .null, at: inner)
            }
        case (.array(let item), .array(let values)):
            return Array(Set(values.flatMap { item.unknownFields(in: $0, at: path + "[]") })).sorted()
        default:
            return []
        }
    }
}

extension JSONValue {
    var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }
}

extension Schema {
    /// `schema` with every `$ref` resolved from `components` and every object that lists its properties
    /// closed (`additionalProperties: false`): what a request body is checked against, and what
    /// `/openapi.json` says of it.
    static func closed(_ schema: JSONValue, _ components: [String: JSONValue], depth: Int = 0) -> JSONValue {
        guard depth < 24, case .object(let pairs) = schema else { return schema }
        let prefix = "#/components/schemas/"
        if let ref = schema["$ref"]?.stringValue, ref.hasPrefix(prefix),
            let target = components[String(ref.dropFirst(prefix.count))]
        {
            return closed(target, components, depth: depth + 1)
        }
        var result: [(String, JSONValue)] = pairs.map { key, value in
            switch (key, value) {
            case ("properties", .object(let properties)):
                return (key, .object(properties.map { ($0.0, closed($0.1, components, depth: depth + 1)) }))
            case ("items", _):
                return (key, closed(value, components, depth: depth + 1))
            case ("anyOf", .array(let branches)), ("oneOf", .array(let branches)):
                return (key, .array(branches.map { closed($0, components, depth: depth + 1) }))
            default:
                return (key, value)
            }
        }
        if schema["properties"] != nil, schema["additionalProperties"] == nil {
            result.append(("additionalProperties", .bool(false)))
        }
        return .object(result)
    }
}

/// Every JSON endpoint's body shape, by operation id; made once all features have registered.
struct BodyShapes: Sendable {
    let shapes: [String: BodyShape]

    init(_ endpoints: [Endpoint], components: [String: JSONValue]) {
        var shapes: [String: BodyShape] = [:]
        for endpoint in endpoints where endpoint.bodyContentType == "application/json" {
            guard let body = endpoint.body else { continue }
            let shape = BodyShape(closed: Schema.closed(body, components))
            if shape != .open { shapes[endpoint.operationID] = shape }
        }
        self.shapes = shapes
    }
}

extension Application {
    private struct BodyShapesKey: StorageKey { typealias Value = BodyShapes }

    var bodyShapes: BodyShapes {
        get { storage[BodyShapesKey.self] ?? BodyShapes([], components: [:]) }
        set { storage[BodyShapesKey.self] = newValue }
    }

    /// The schemas of `/openapi.json`'s components, by name.
    var schemaComponents: [String: JSONValue] {
        Dictionary((OpenAPI.common + openAPIComponents.all).map { ($0.0, $0.1) }, uniquingKeysWith: { a, _ in a })
    }
}

extension Request {
    /// 422 naming every field of the JSON body the endpoint does not know. A body that is not JSON
    /// or not well-formed is left to the decoder, which says so.
    func refuseUnknownFields(_ shape: BodyShape) throws {
        guard headers.contentType == .json || headers.contentType?.subType == "json",
            let buffer = body.data, buffer.readableBytes > 0
        else { return }
        let value: JSON? = try buffer.withUnsafeReadableBytes { bytes in
            try Self.checkJSONLimits(bytes)
            return try? JSONDecoder().decode(JSON.self, from: Data(bytes))
        }
        guard let value else { return }
        let unknown = shape.unknownFields(in: value)
        guard let first = unknown.first else { return }
        throw LinliError(
            .validationFailed, ["field": first],
            issues: unknown.prefix(20).map { FieldIssue(field: $0, reason: "unknown_field") })
    }
}
