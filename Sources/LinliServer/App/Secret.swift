import Crypto
import Foundation

/// Random credentials and their stored form: only SHA-256 hashes are kept.
enum Secret {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
    private static let hex = Array("0123456789abcdef".utf8)

    /// `length` random letters and digits (20 gives 119 bits, the shape of a ThingsBoard access token).
    static func alphanumeric(_ length: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return String(decoding: (0..<length).map { _ in alphabet.randomElement(using: &generator)! }, as: UTF8.self)
    }

    /// Lower-case hex SHA-256 of the text.
    static func hash(_ text: String) -> String {
        let digest = SHA256.hash(data: Data(text.utf8))
        var out = [UInt8]()
        out.reserveCapacity(64)
        for byte in digest {
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
