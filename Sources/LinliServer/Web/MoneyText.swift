import Foundation
import Vapor

/// Money on pages: fen shown as yuan, and yuan as typed into a form read back as fen without a
/// floating point number on the way.
enum MoneyText {
    static func yuan(_ fen: Int64) -> String {
        (fen < 0 ? "-¥" : "¥") + "\(abs(fen) / 100)." + String(format: "%02d", Int(abs(fen) % 100))
    }

    /// "123", "123.4", "123.45" → fen; anything else (signs, more decimals, letters, too large) nil.
    static func fen(_ text: String) -> Int64? {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts[0].isEmpty, parts[0].count <= 9, parts[0].allSatisfy(\.isASCIIDigit),
            let whole = Int64(parts[0])
        else { return nil }
        guard parts.count == 2 else { return whole * 100 }
        let decimals = parts[1]
        guard (1...2).contains(decimals.count), decimals.allSatisfy(\.isASCIIDigit), let cents = Int64(decimals) else {
            return nil
        }
        return whole * 100 + (decimals.count == 1 ? cents * 10 : cents)
    }
}

/// The request key a money form carries: the same form sent twice (a double tap, a reload) does it once.
enum RequestKey {
    static func make() -> String { [UInt8].random(count: 12).map { String(format: "%02x", $0) }.joined() }
}

/// A money form: an amount typed in yuan and the form's request key (the desk's also a channel).
struct MoneyForm: Content {
    var amount: String?
    var requestKey: String?
    var channel: String?

    /// The amount in fen; 422 when it is not a sum of yuan.
    func fen() throws -> Int64 {
        guard let fen = amount.flatMap(MoneyText.fen) else { throw LinliError.invalid("amountFen", "invalid_value") }
        return fen
    }
}
