import Crypto
import Foundation

/// The resident's rotating QR code: TOTP-style, an HMAC-SHA256 of a per-person secret and the
/// 30-second window, truncated to 8 digits. Terminals show the payload `L1:<handle>:<code>`.
public enum RotatingCode {
    public static let window: Int64 = 30
    /// Windows either side of now that still count (clock drift between phone, terminal and server).
    public static let tolerance: Int64 = 1
    /// How far back an old code is still recognised as "expired" rather than "invalid".
    public static let recognisedAge: Int64 = 480  // four hours

    public static func window(at date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 / Double(window)).rounded(.down))
    }

    public static func code(secret: [UInt8], window: Int64) -> String {
        var counter = window.bigEndian
        let message = Data("linli-qr".utf8) + Data(bytes: &counter, count: 8)
        let mac = Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: secret)))
        let offset = Int(mac[mac.count - 1] & 0x0f)
        let value =
            (UInt32(mac[offset] & 0x7f) << 24) | (UInt32(mac[offset + 1]) << 16) | (UInt32(mac[offset + 2]) << 8)
            | UInt32(mac[offset + 3])
        return String(format: "%08u", value % 100_000_000)
    }

    public static func payload(handle: String, secret: [UInt8], at date: Date) -> String {
        "L1:\(handle):\(code(secret: secret, window: window(at: date)))"
    }

    /// Splits `L1:<handle>:<code>`.
    public static func parse(_ payload: String) -> (handle: String, code: String)? {
        let parts = payload.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "L1", !parts[1].isEmpty, parts[2].count == 8,
            parts[2].allSatisfy(\.isNumber)
        else { return nil }
        return (String(parts[1]), String(parts[2]))
    }

    public enum Verdict: Equatable, Sendable {
        /// Valid for this window (record it, so the same code cannot be used twice).
        case valid(window: Int64)
        /// A real code of an earlier window: a screenshot or a photo replayed.
        case expired
        /// This code was already used.
        case replayed
        case invalid
    }

    /// Checks a code at `now`; `lastUsed` is the last window this person's code opened a gate.
    public static func verify(_ code: String, secret: [UInt8], now: Date, lastUsed: Int64?) -> Verdict {
        let current = window(at: now)
        for candidate in (current - tolerance)...(current + tolerance)
        where same(self.code(secret: secret, window: candidate), code) {
            if let lastUsed, candidate <= lastUsed { return .replayed }
            return .valid(window: candidate)
        }
        var older = current - tolerance - 1
        while older >= current - recognisedAge {
            if same(self.code(secret: secret, window: older), code) { return .expired }
            older -= 1
        }
        return .invalid
    }

    /// Constant-time comparison.
    static func same(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<x.count { difference |= x[i] ^ y[i] }
        return difference == 0
    }
}

/// Names as terminals may show them: 王建明 → 王*明, 王明 → 王*, 欧阳娜娜 → 欧**娜, never the phone.
public enum MaskedName {
    public static func of(_ name: String) -> String {
        let characters = Array(name.trimmingCharacters(in: .whitespaces))
        switch characters.count {
        case 0: return "*"
        case 1: return String(characters[0]) + "*"
        case 2: return String(characters[0]) + "*"
        default:
            return String(characters[0]) + String(repeating: "*", count: characters.count - 2)
                + String(characters.last!)
        }
    }
}
