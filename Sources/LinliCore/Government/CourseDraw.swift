import Crypto
import Foundation

/// The senior university's public draw, which anyone can check. When applications open, SHA-256 of a
/// random seed is published; at the draw the seed is revealed. Each application gets
/// u = (the first 8 bytes of SHA-256(seed + ":" + applicationID), a big-endian integer, + 0.5) / 2^64 and
/// the key −ln(u) / weight; ascending keys are the order (weighted sampling without replacement, the
/// Efraimidis–Spirakis method); the first `seats` are admitted, the rest wait in that order.
public enum CourseDraw {
    public struct Entry: Equatable, Sendable {
        /// The application's id as the API shows it (upper-case UUID).
        public let applicationID: String
        public let weight: Double

        public init(applicationID: String, weight: Double) {
            self.applicationID = applicationID
            self.weight = weight
        }
    }

    public struct Result: Equatable, Sendable {
        public let entry: Entry
        public let key: Double
        /// 1 is drawn first.
        public let rank: Int
        public let admitted: Bool
    }

    /// The published rule's weight: 2 for someone never admitted to a course before, 1.5 from age 75,
    /// else 1 (the larger where both hold).
    public static func weight(neverAdmitted: Bool, age: Int?) -> Double {
        if neverAdmitted { return 2 }
        if let age, age >= 75 { return 1.5 }
        return 1
    }

    /// A new seed: 32 random bytes as hex.
    public static func newSeed() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    /// What is published before the draw: SHA-256 of the seed's text, as hex.
    public static func seedHash(_ seed: String) -> String {
        SHA256.hash(data: Data(seed.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    public static func key(seed: String, applicationID: String, weight: Double) -> Double {
        let digest = Array(SHA256.hash(data: Data((seed + ":" + applicationID).utf8)))
        let x = digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let u = (Double(x) + 0.5) / 18_446_744_073_709_551_616.0
        return -log(u) / max(weight, .leastNonzeroMagnitude)
    }

    /// The draw's order for `seats` seats (equal keys, never seen in practice, by application id).
    public static func draw(seed: String, entries: [Entry], seats: Int) -> [Result] {
        let keyed = entries.map { ($0, key(seed: seed, applicationID: $0.applicationID, weight: $0.weight)) }
            .sorted { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0.applicationID < $1.0.applicationID }
        return keyed.enumerated().map { index, pair in
            Result(entry: pair.0, key: pair.1, rank: index + 1, admitted: index < seats)
        }
    }
}
