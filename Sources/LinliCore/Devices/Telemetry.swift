import Foundation

/// A stored telemetry value.
public enum ReadingValue: Sendable, Hashable {
    case number(Double)
    case bool(Bool)
    case text(String)
    /// Any other JSON (generic sensors only), as compact text.
    case json(String)

    /// The number rules and roll-ups work on (`true` is 1).
    public var numeric: Double? {
        switch self {
        case .number(let value): value
        case .bool(let value): value ? 1 : 0
        case .text, .json: nil
        }
    }

    public var json: JSON {
        switch self {
        case .number(let value): .number(value)
        case .bool(let value): .bool(value)
        case .text(let value): .string(value)
        case .json(let text): JSON.parse(text) ?? .string(text)
        }
    }
}

/// One accepted reading of one key at one time (milliseconds since 1970).
public struct Reading: Sendable, Hashable {
    public let key: String
    public let ts: Int64
    public let value: ReadingValue

    public init(key: String, ts: Int64, value: ReadingValue) {
        self.key = key
        self.ts = ts
        self.value = value
    }
}

/// A reading that was refused, and why.
public struct Refusal: Sendable, Hashable, Codable {
    public enum Reason: String, Sendable, Codable, CaseIterable {
        case unknownKey = "unknown_key"
        case wrongType = "wrong_type"
        case wrongUnit = "wrong_unit"
        case outOfRange = "out_of_range"
        case invalidTimestamp = "invalid_timestamp"
        case invalidKey = "invalid_key"
    }

    public let key: String
    public let ts: Int64?
    public let reason: Reason
    /// What the catalogue expects: a kind, unit or range.
    public let expected: String?
}

/// Why a whole telemetry payload could not be read.
public enum TelemetryPayloadError: Error, Equatable {
    /// Not an object, a `{"ts","values"}` object or an array of them.
    case malformed
    /// More readings than one request may carry.
    case tooMany(limit: Int)
}

/// Reads ThingsBoard-style telemetry payloads and checks them against a device type.
public enum TelemetryParser {
    public static let maxReadings = 10_000
    /// Readings dated further ahead than this are refused (a device with a wrong clock).
    public static let futureTolerance: Int64 = 24 * 3600 * 1000
    /// Readings before 2000-01-01 are refused.
    public static let earliest: Int64 = 946_684_800_000

    /// Splits a payload into accepted readings and refusals. `now` is used for readings without `ts`.
    public static func parse(_ payload: JSON, type: DeviceType, now: Int64) throws -> (
        readings: [Reading], refused: [Refusal]
    ) {
        var readings: [Reading] = []
        var refused: [Refusal] = []
        func entry(_ item: JSON) throws {
            guard case .object(let object) = item else { throw TelemetryPayloadError.malformed }
            if let values = object["values"], object.count <= 2, object.count == 1 || object["ts"] != nil {
                guard case .object(let pairs) = values else { throw TelemetryPayloadError.malformed }
                let tsValue = object["ts"] ?? .number(Double(now))
                guard case .number(let number) = tsValue, number.isFinite, number.rounded() == number,
                    Int64(exactly: number) != nil
                else {
                    refused.append(
                        contentsOf: pairs.keys.sorted().map {
                            Refusal(key: $0, ts: nil, reason: .invalidTimestamp, expected: "ms")
                        })
                    return
                }
                let ts = Int64(number)
                guard ts >= earliest, ts <= now + futureTolerance else {
                    refused.append(
                        contentsOf: pairs.keys.sorted().map {
                            Refusal(key: $0, ts: ts, reason: .invalidTimestamp, expected: "ms")
                        })
                    return
                }
                try add(pairs, ts: ts)
            } else {
                try add(object, ts: now)
            }
        }
        func add(_ pairs: [String: JSON], ts: Int64) throws {
            for key in pairs.keys.sorted() {
                switch check(key: key, value: pairs[key] ?? .null, type: type) {
                case .success(let value): readings.append(Reading(key: key, ts: ts, value: value))
                case .failure(let failure):
                    refused.append(Refusal(key: key, ts: ts, reason: failure.reason, expected: failure.expected))
                }
                if readings.count + refused.count > maxReadings {
                    throw TelemetryPayloadError.tooMany(limit: maxReadings)
                }
            }
        }
        switch payload {
        case .array(let items):
            for item in items { try entry(item) }
        case .object:
            try entry(payload)
        default:
            throw TelemetryPayloadError.malformed
        }
        return (readings, refused)
    }

    public struct Failure: Error {
        public let reason: Refusal.Reason
        public let expected: String?
    }

    /// Checks one value against the type's catalogue entry for its key.
    public static func check(key: String, value: JSON, type: DeviceType) -> Result<ReadingValue, Failure> {
        guard !key.isEmpty, key.utf8.count <= 64, !key.contains(where: { $0.isWhitespace || $0.isNewline }) else {
            return .failure(Failure(reason: .invalidKey, expected: "1–64 characters, no spaces"))
        }
        guard let spec = type.keys[key] else {
            guard type.openKeys else {
                return .failure(Failure(reason: .unknownKey, expected: type.keys.keys.sorted().joined(separator: ",")))
            }
            switch value {
            case .number(let number) where number.isFinite: return .success(.number(number))
            case .bool(let flag): return .success(.bool(flag))
            case .string(let text) where text.utf8.count <= 1024: return .success(.text(text))
            case .array, .object:
                let text = value.text
                return text.utf8.count <= 4096
                    ? .success(.json(text)) : .failure(Failure(reason: .wrongType, expected: "≤4096 bytes"))
            default: return .failure(Failure(reason: .wrongType, expected: "number|boolean|string|json"))
            }
        }
        switch spec.kind {
        case .boolean:
            if case .bool(let flag) = value { return .success(.bool(flag)) }
            return .failure(Failure(reason: .wrongType, expected: "boolean"))
        case .text:
            if case .string(let text) = value, text.utf8.count <= 1024 { return .success(.text(text)) }
            return .failure(Failure(reason: .wrongType, expected: "string"))
        case .number:
            var number: Double
            switch value {
            case .number(let plain):
                number = plain
            case .object(let tagged):
                guard case .number(let plain)? = tagged["value"], tagged.count <= 2 else {
                    return .failure(Failure(reason: .wrongType, expected: "number"))
                }
                number = plain
                if let unitValue = tagged["unit"] {
                    guard case .string(let unit) = unitValue, let wanted = spec.unit,
                        let converted = wanted.convert(plain, from: unit)
                    else {
                        return .failure(Failure(reason: .wrongUnit, expected: spec.unit?.symbol ?? "no unit"))
                    }
                    number = converted
                }
            default:
                return .failure(Failure(reason: .wrongType, expected: "number"))
            }
            guard number.isFinite else { return .failure(Failure(reason: .wrongType, expected: "number")) }
            if let range = spec.range, !range.contains(number) {
                return .failure(
                    Failure(reason: .outOfRange, expected: "\(format(range.lowerBound))…\(format(range.upperBound))"))
            }
            return .success(.number(number))
        }
    }

    static func format(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
