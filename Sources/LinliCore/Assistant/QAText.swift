/// How the assistant reads Chinese text: no word segmentation, but characters and overlapping pairs of
/// characters (bigrams), which carry most of a Chinese word's meaning and need no dictionary. Punctuation
/// and spaces break a pair; full-width Latin letters and digits read as their ASCII forms, letters in
/// lower case.
public enum QAText {
    /// A character (`a`) or a pair (`a << 32 | b`): one key space for both, a pair always ≥ 2³².
    public typealias Term = UInt64

    /// The scalar as the assistant reads it, or nil for punctuation, spaces and symbols.
    @inline(__always)
    public static func fold(_ scalar: Unicode.Scalar) -> UInt32? {
        var value = scalar.value
        if value >= 0x4E00 && value <= 0x9FFF { return value }
        if value >= 0xFF01 && value <= 0xFF5E { value -= 0xFEE0 }  // full-width ASCII
        if value < 0x80 {
            switch value {
            case 0x30...0x39, 0x61...0x7A: return value
            case 0x41...0x5A: return value + 0x20
            default: return nil
            }
        }
        guard let folded = Unicode.Scalar(value) else { return nil }
        let properties = folded.properties
        return properties.isAlphabetic || properties.numericType != nil ? value : nil
    }

    /// Appends the text's pairs of adjacent readable characters.
    public static func appendBigrams(of text: String, to terms: inout [Term]) {
        var previous: UInt32 = 0
        for scalar in text.unicodeScalars {
            let current = fold(scalar) ?? 0
            if previous != 0 && current != 0 { terms.append(UInt64(previous) << 32 | UInt64(current)) }
            previous = current
        }
    }

    /// Appends the text's readable characters.
    public static func appendUnigrams(of text: String, to terms: inout [Term]) {
        for scalar in text.unicodeScalars {
            if let value = fold(scalar) { terms.append(UInt64(value)) }
        }
    }

    public static func bigrams(_ text: String) -> [Term] {
        var terms: [Term] = []
        appendBigrams(of: text, to: &terms)
        return terms
    }

    public static func unigrams(_ text: String) -> [Term] {
        var terms: [Term] = []
        appendUnigrams(of: text, to: &terms)
        return terms
    }

    public static func isBigram(_ term: Term) -> Bool { term >> 32 != 0 }

    /// The term as text (for the term map's file and for reading).
    public static func string(_ term: Term) -> String {
        var out = ""
        if term >> 32 != 0, let first = Unicode.Scalar(UInt32(term >> 32)) { out.unicodeScalars.append(first) }
        if let last = Unicode.Scalar(UInt32(term & 0xFFFF_FFFF)) { out.unicodeScalars.append(last) }
        return out
    }

    /// The term a one- or two-character string stands for, if it is readable.
    public static func term(_ text: String) -> Term? {
        let scalars = Array(text.unicodeScalars)
        switch scalars.count {
        case 1: return fold(scalars[0]).map { UInt64($0) }
        case 2:
            guard let a = fold(scalars[0]), let b = fold(scalars[1]) else { return nil }
            return UInt64(a) << 32 | UInt64(b)
        default: return nil
        }
    }
}
