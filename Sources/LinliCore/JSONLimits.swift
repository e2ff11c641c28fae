/// Limits every JSON body meets before any parser sees it: nesting depth, number length, valid
/// UTF-8, no control characters in strings, no name twice in one object. One iterative pass with no
/// recursion, so hostile input (200,000 nested arrays, a 10,000-digit number) is refused here
/// instead of exhausting a recursive parser's stack, and every parser behind it sees one meaning of
/// the text (a duplicate name means different things to different parsers).
public enum JSONLimits {
    public static let maxDepth = 64
    /// Longer than any real number (a double needs 24 characters, a 64-bit integer 20).
    public static let maxNumberLength = 100

    /// Why the text was refused: `too_deep`, `number_too_long`, `invalid_utf8`, `duplicate_key`,
    /// `malformed_json`.
    public struct Failure: Error, Equatable, Sendable {
        public let reason: String
    }

    private struct Container {
        let isObject: Bool
        var names: Set<[UInt8]> = []
    }

    public static func check(
        _ bytes: UnsafeRawBufferPointer, maxDepth: Int = maxDepth, maxNumberLength: Int = maxNumberLength
    ) throws(Failure) {
        guard String(validating: bytes, as: UTF8.self) != nil else { throw Failure(reason: "invalid_utf8") }
        var stack: [Container] = []
        var expectName = false
        var index = 0
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                guard stack.count < maxDepth else { throw Failure(reason: "too_deep") }
                stack.append(Container(isObject: byte == UInt8(ascii: "{")))
                expectName = byte == UInt8(ascii: "{")
                index += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                guard let top = stack.popLast(), top.isObject == (byte == UInt8(ascii: "}")) else {
                    throw Failure(reason: "malformed_json")
                }
                expectName = false
                index += 1
            case UInt8(ascii: ","):
                expectName = stack.last?.isObject ?? false
                index += 1
            case UInt8(ascii: "\""):
                index += 1
                let start = index
                while index < count, bytes[index] != UInt8(ascii: "\"") {
                    if bytes[index] == UInt8(ascii: "\\") {
                        index += 1
                    } else if bytes[index] < 0x20 {
                        throw Failure(reason: "malformed_json")
                    }
                    index += 1
                }
                guard index < count else { throw Failure(reason: "malformed_json") }
                if expectName, !stack.isEmpty {
                    let name = Array(UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
                    guard stack[stack.count - 1].names.insert(name).inserted else {
                        throw Failure(reason: "duplicate_key")
                    }
                    expectName = false
                }
                index += 1
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                let start = index
                while index < count, isNumberByte(bytes[index]) {
                    index += 1
                    if index - start > maxNumberLength { throw Failure(reason: "number_too_long") }
                }
            default:
                index += 1
            }
        }
        if !stack.isEmpty { throw Failure(reason: "malformed_json") }
    }

    private static func isNumberByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"),
            UInt8(ascii: "+"), UInt8(ascii: "-"):
            true
        default: false
        }
    }
}
