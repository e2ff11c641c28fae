/// What a terminal asks at a gate (`POST /api/v1/devices/access/decide`), read straight from the request
/// bytes: a face probe is 128–1024 numbers, and decoding them through `Codable` cost more than matching
/// them against 20,000 faces. Unknown members are ignored, as `JSONDecoder` does.
public struct DecideInput: Sendable, Equatable {
    /// A member that is missing, of the wrong type, or not JSON at all (`field` empty).
    public struct Problem: Error, Equatable, Sendable {
        public let field: String
        /// `malformed_json`, `missing_field`, `wrong_type`.
        public let reason: String
    }

    public var gate = ""
    public var method = ""
    public var eventId = ""
    public var vector: [Float]?
    public var model: String?
    public var credential: String?
    public var liveness: Double?
    public var ts: Int64?
    /// `in` or `out`, when the terminal faces one way (an exit reader); nil: not known.
    public var direction: String?

    public init() {}

    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(Problem) -> DecideInput {
        var input = DecideInput()
        var seen: Set<String> = []
        var scanner = JSONScanner(bytes)
        var current = ""
        do throws(JSONScanner.Failure) {
            try scanner.object { (key, s) throws(JSONScanner.Failure) in
                current = key
                if try s.null() { return }
                seen.insert(key)
                switch key {
                case "gate": input.gate = try s.string()
                case "method": input.method = try s.string()
                case "eventId": input.eventId = try s.string()
                case "model": input.model = try s.string()
                case "credential": input.credential = try s.string()
                case "liveness": input.liveness = try s.number()
                case "direction": input.direction = try s.string()
                case "ts":
                    let value = try s.number()
                    guard value.rounded() == value, abs(value) < 9e15 else {
                        throw JSONScanner.Failure(reason: "wrong_type", offset: s.offset)
                    }
                    input.ts = Int64(value)
                case "vector":
                    var values: [Float] = []
                    values.reserveCapacity(1024)
                    try s.numbers(into: &values)
                    input.vector = values
                default: try s.skip()
                }
                current = ""
            }
            guard scanner.atEnd() else { throw JSONScanner.Failure(reason: "malformed_json", offset: scanner.offset) }
        } catch {
            if error.reason == "wrong_type", current.isEmpty { throw Problem(field: "", reason: "wrong_type") }
            throw Problem(field: error.reason == "malformed_json" ? "" : current, reason: error.reason)
        }
        for required in ["gate", "method", "eventId"] where !seen.contains(required) {
            throw Problem(field: required, reason: "missing_field")
        }
        return input
    }
}
