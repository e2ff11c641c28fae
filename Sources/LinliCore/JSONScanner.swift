/// A forward-only reader of JSON text for hot paths, such as a gate's decision request with its 128–1024
/// numbers: no intermediate tree, strings and numbers read in place. Grammar as RFC 8259; numbers with
/// at most 15 significant digits and a small exponent are converted exactly without a library call
/// (Clinger's fast path), others by `Double(String)`.
public struct JSONScanner: ~Copyable {
    /// Where and why the text is not the expected JSON.
    public struct Failure: Error, Equatable, Sendable {
        /// `malformed_json`, `wrong_type`.
        public let reason: String
        public let offset: Int
    }

    private let bytes: UnsafeRawBufferPointer
    public private(set) var offset = 0
    /// Objects and arrays open around the current position; past `JSONLimits.maxDepth` is refused.
    private var depth = 0

    public init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    private static let powers: [Double] = (0...22).map { exponent in
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }

    private func fail(_ reason: String = "malformed_json") -> Failure { Failure(reason: reason, offset: offset) }

    private mutating func skipSpace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case 0x20, 0x09, 0x0A, 0x0D: offset += 1
            default: return
            }
        }
    }

    /// The next significant byte, without consuming it.
    public mutating func peek() -> UInt8? {
        skipSpace()
        return offset < bytes.count ? bytes[offset] : nil
    }

    private mutating func expect(_ byte: UInt8) throws(Failure) {
        guard peek() == byte else { throw fail() }
        offset += 1
    }

    /// True at the end of the text (only white space left).
    public mutating func atEnd() -> Bool { peek() == nil }

    /// Reads an object, calling `member` with each key; `member` must read or skip the value.
    public mutating func object(_ member: (String, inout JSONScanner) throws(Failure) -> Void) throws(Failure) {
        guard let first = peek() else { throw fail() }
        guard first == UInt8(ascii: "{") else { throw fail("wrong_type") }
        offset += 1
        depth += 1
        guard depth <= JSONLimits.maxDepth else { throw fail("too_deep") }
        defer { depth -= 1 }
        if peek() == UInt8(ascii: "}") {
            offset += 1
            return
        }
        while true {
            guard peek() == UInt8(ascii: "\"") else { throw fail() }
            let key = try string()
            try expect(UInt8(ascii: ":"))
            try member(key, &self)
            switch peek() {
            case UInt8(ascii: ","): offset += 1
            case UInt8(ascii: "}"):
                offset += 1
                return
            default: throw fail()
            }
        }
    }

    /// Reads an array of numbers.
    public mutating func numbers(into values: inout [Float]) throws(Failure) {
        guard let first = peek() else { throw fail() }
        guard first == UInt8(ascii: "[") else { throw fail("wrong_type") }
        offset += 1
        if peek() == UInt8(ascii: "]") {
            offset += 1
            return
        }
        while true {
            values.append(Float(try number()))
            switch peek() {
            case UInt8(ascii: ","): offset += 1
            case UInt8(ascii: "]"):
                offset += 1
                return
            default: throw fail()
            }
        }
    }

    /// True for `null` (consumed), false otherwise (nothing consumed).
    public mutating func null() throws(Failure) -> Bool {
        guard peek() == UInt8(ascii: "n") else { return false }
        try literal("null")
        return true
    }

    private mutating func literal(_ word: StaticString) throws(Failure) {
        let count = word.utf8CodeUnitCount
        guard offset + count <= bytes.count else { throw fail() }
        for i in 0..<count where bytes[offset + i] != word.utf8Start[i] { throw fail() }
        offset += count
    }

    /// Reads a string.
    public mutating func string() throws(Failure) -> String {
        guard let first = peek() else { throw fail() }
        guard first == UInt8(ascii: "\"") else { throw fail("wrong_type") }
        offset += 1
        let start = offset
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\"") {
                defer { offset += 1 }
                return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") { return try escaped(from: start) }
            guard byte >= 0x20 else { throw fail() }
            offset += 1
        }
        throw fail()
    }

    private mutating func escaped(from start: Int) throws(Failure) -> String {
        var out = Array(UnsafeRawBufferPointer(rebasing: bytes[start..<offset]))
        while offset < bytes.count {
            let byte = bytes[offset]
            offset += 1
            switch byte {
            case UInt8(ascii: "\""): return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard offset < bytes.count else { throw fail() }
                let code = bytes[offset]
                offset += 1
                switch code {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(code)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar), offset + 1 < bytes.count,
                        bytes[offset] == UInt8(ascii: "\\"),
                        bytes[offset + 1] == UInt8(ascii: "u")
                    {
                        offset += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw fail() }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    out.append(contentsOf: String(Unicode.Scalar(scalar).map(Character.init) ?? "\u{FFFD}").utf8)
                default: throw fail()
                }
            default:
                guard byte >= 0x20 else { throw fail() }
                out.append(byte)
            }
        }
        throw fail()
    }

    private mutating func hex4() throws(Failure) -> UInt32 {
        guard offset + 4 <= bytes.count else { throw fail() }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[offset]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw fail()
            }
            value = value << 4 | UInt32(digit)
            offset += 1
        }
        return value
    }

    /// Reads a number.
    public mutating func number() throws(Failure) -> Double {
        guard let first = peek() else { throw fail() }
        guard first == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else {
            throw fail("wrong_type")
        }
        let start = offset
        let negative = first == UInt8(ascii: "-")
        if negative { offset += 1 }
        var mantissa: UInt64 = 0
        var digits = 0
        var exponent = 0
        func digit(_ at: Int) -> UInt8? {
            guard at < bytes.count else { return nil }
            let d = bytes[at] &- UInt8(ascii: "0")
            return d < 10 ? d : nil
        }
        guard let lead = digit(offset) else { throw fail() }
        offset += 1
        if lead != 0 {
            mantissa = UInt64(lead)
            digits = 1
            while let d = digit(offset) {
                if digits < 19 {
                    mantissa = mantissa * 10 + UInt64(d)
                    digits += 1
                } else {
                    exponent += 1
                    digits += 1
                }
                offset += 1
            }
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: ".") {
            offset += 1
            guard digit(offset) != nil else { throw fail() }
            while let d = digit(offset) {
                if mantissa == 0 && d == 0 {
                    exponent -= 1
                } else if digits < 19 {
                    mantissa = mantissa * 10 + UInt64(d)
                    digits += 1
                    exponent -= 1
                } else {
                    digits += 1
                }
                offset += 1
            }
        }
        if offset < bytes.count, bytes[offset] | 0x20 == UInt8(ascii: "e") {
            offset += 1
            var negativeExponent = false
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "-") || bytes[offset] == UInt8(ascii: "+") {
                negativeExponent = bytes[offset] == UInt8(ascii: "-")
                offset += 1
            }
            guard digit(offset) != nil else { throw fail() }
            var value = 0
            while let d = digit(offset) {
                if value < 100_000 { value = value * 10 + Int(d) }
                offset += 1
            }
            exponent += negativeExponent ? -value : value
        }
        if mantissa == 0 { return negative ? -0.0 : 0 }
        if digits <= 15, abs(exponent) <= 22 {
            let value = Double(mantissa)
            let scaled = exponent < 0 ? value / Self.powers[-exponent] : value * Self.powers[exponent]
            return negative ? -scaled : scaled
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)
        guard let value = Double(text) else { throw fail() }
        return value
    }

    /// Skips any value.
    public mutating func skip() throws(Failure) {
        switch peek() {
        case UInt8(ascii: "{"):
            try object { (_, scanner) throws(Failure) in try scanner.skip() }
        case UInt8(ascii: "["):
            offset += 1
            depth += 1
            guard depth <= JSONLimits.maxDepth else { throw fail("too_deep") }
            defer { depth -= 1 }
            if peek() == UInt8(ascii: "]") {
                offset += 1
                return
            }
            while true {
                try skip()
                switch peek() {
                case UInt8(ascii: ","): offset += 1
                case UInt8(ascii: "]"):
                    offset += 1
                    return
                default: throw fail()
                }
            }
        case UInt8(ascii: "\""): _ = try string()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default: _ = try number()
        }
    }
}
