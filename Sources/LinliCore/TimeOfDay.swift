import Foundation

/// A time of day as minutes after midnight, written `HH:MM` (a schedule's start, a check-in deadline).
public enum TimeOfDay {
    /// `7:30` or `07:30` as 450; nil for anything else (`24:00`, `7:5`, `07:30:00`).
    public static func minutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...2).contains(parts[0].count), parts[1].count == 2,
            parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }), let h = Int(parts[0]), let m = Int(parts[1]),
            (0..<24).contains(h), (0..<60).contains(m)
        else { return nil }
        return h * 60 + m
    }

    /// 450 as `07:30`.
    public static func text(_ minutes: Int) -> String { String(format: "%02d:%02d", minutes / 60, minutes % 60) }
}

extension Character {
    /// `0`…`9` only (not the other digits Unicode knows).
    public var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
