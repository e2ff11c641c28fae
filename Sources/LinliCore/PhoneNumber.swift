/// A mainland-China mobile number, normalised to its 11 digits.
///
/// Accepts spaces, dashes and a `+86` / `86` prefix, as people type them.
public struct PhoneNumber: Hashable, Sendable, CustomStringConvertible {
    public let digits: String

    public init?(_ raw: String) {
        var text = raw.filter { !$0.isWhitespace && $0 != "-" }
        if text.hasPrefix("+86") {
            text.removeFirst(3)
        } else if text.count == 13, text.hasPrefix("86") {
            text.removeFirst(2)
        }
        guard text.count == 11, text.allSatisfy({ $0.isASCII && $0.isNumber }),
            text.first == "1", let second = text.dropFirst().first, ("3"..."9").contains(second)
        else { return nil }
        digits = text
    }

    public var description: String { digits }

    /// `138****0000`: what may be shown to people who are not the owner.
    public var masked: String { String(digits.prefix(3)) + "****" + String(digits.suffix(4)) }
}
