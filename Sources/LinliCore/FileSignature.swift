/// What a stored file really is, by its first bytes (magic numbers), so that nothing else is kept under a
/// photo's or a document's type: JPEG, PNG, WebP and PDF.
public enum FileSignature {
    public static let photoTypes = ["image/jpeg", "image/png", "image/webp"]
    public static let documentTypes = photoTypes + ["application/pdf"]

    /// The type `bytes` begin as, among `documentTypes` (a file whose name says nothing of its type).
    public static func type(of bytes: some Collection<UInt8>) -> String? {
        documentTypes.first { matches($0, bytes) }
    }

    /// Whether `bytes` begin as a file of `type` does.
    public static func matches(_ type: String, _ bytes: some Collection<UInt8>) -> Bool {
        let b = Array(bytes.prefix(12))
        switch type {
        case "image/jpeg": return b.count >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF
        case "image/png": return b.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        case "image/webp":
            return b.count >= 12 && b[0..<4].elementsEqual("RIFF".utf8) && b[8..<12].elementsEqual("WEBP".utf8)
        case "application/pdf": return b.starts(with: Array("%PDF-".utf8))
        default: return false
        }
    }
}
