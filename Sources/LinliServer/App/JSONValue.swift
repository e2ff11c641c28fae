/// A JSON value with object keys kept in order, for documents built in code (OpenAPI).
indirect enum JSONValue: Encodable, Sendable, ExpressibleByStringLiteral {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case array([JSONValue])
    case object([(String, JSONValue)])
    case null

    init(stringLiteral value: String) { self = .string(value) }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    func encode(to encoder: any Encoder) throws {
        switch self {
        case .string(let value): var c = encoder.singleValueContainer(); try c.encode(value)
        case .int(let value): var c = encoder.singleValueContainer(); try c.encode(value)
        case .double(let value): var c = encoder.singleValueContainer(); try c.encode(value)
        case .bool(let value): var c = encoder.singleValueContainer(); try c.encode(value)
        case .null: var c = encoder.singleValueContainer(); try c.encodeNil()
        case .array(let values):
            var c = encoder.unkeyedContainer()
            for value in values { try c.encode(value) }
        case .object(let pairs):
            var c = encoder.container(keyedBy: Key.self)
            for (key, value) in pairs { try c.encode(value, forKey: Key(key)) }
        }
    }

    subscript(key: String) -> JSONValue? {
        guard case .object(let pairs) = self else { return nil }
        return pairs.first { $0.0 == key }?.1
    }
}

/// JSON Schema pieces for the OpenAPI document.
enum Schema {
    static let uuid: JSONValue = .object([("type", "string"), ("format", "uuid")])
    static let dateTime: JSONValue = .object([("type", "string"), ("format", "date-time")])
    static let date: JSONValue = .object([("type", "string"), ("format", "date"), ("example", "2024-03-01")])
    static let bool: JSONValue = .object([("type", "boolean")])
    static let number: JSONValue = .object([("type", "number")])

    static func string(min: Int? = nil, max: Int? = nil, pattern: String? = nil) -> JSONValue {
        var pairs: [(String, JSONValue)] = [("type", "string")]
        if let min { pairs.append(("minLength", .int(min))) }
        if let max { pairs.append(("maxLength", .int(max))) }
        if let pattern { pairs.append(("pattern", .string(pattern))) }
        return .object(pairs)
    }

    static func integer(min: Int? = nil, max: Int? = nil) -> JSONValue {
        var pairs: [(String, JSONValue)] = [("type", "integer")]
        if let min { pairs.append(("minimum", .int(min))) }
        if let max { pairs.append(("maximum", .int(max))) }
        return .object(pairs)
    }

    static func enumeration(_ values: [String]) -> JSONValue {
        .object([("type", "string"), ("enum", .array(values.map { .string($0) }))])
    }

    static func nullable(_ schema: JSONValue) -> JSONValue {
        .object([("anyOf", .array([schema, .object([("type", "null")])]))])
    }

    static func array(_ items: JSONValue) -> JSONValue {
        .object([("type", "array"), ("items", items)])
    }

    static func ref(_ name: String) -> JSONValue {
        .object([("$ref", .string("#/components/schemas/\(name)"))])
    }

    static func object(_ properties: [(String, JSONValue)], required: [String] = []) -> JSONValue {
        var pairs: [(String, JSONValue)] = [("type", "object"), ("properties", .object(properties))]
        if !required.isEmpty { pairs.append(("required", .array(required.map { .string($0) }))) }
        return .object(pairs)
    }

    /// The one page shape of every list: `{items, metadata: {page, per, total}}`.
    static func page(of name: String) -> JSONValue { page(ref(name)) }

    static func page(_ item: JSONValue) -> JSONValue {
        object(
            [
                ("items", array(item)),
                ("metadata", ref("PageMetadata")),
            ], required: ["items", "metadata"])
    }
}
