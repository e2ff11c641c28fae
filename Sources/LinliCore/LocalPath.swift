/// Where a sign-in may send the browser afterwards: only a path on this site.
public enum LocalPath {
    /// The path itself when it is a plain same-site path (one leading `/`, no scheme, no `//`, no
    /// backslash, no control or space characters — browsers drop tabs and newlines, so `/\t/evil`
    /// would become `//evil`); nil otherwise. Percent escapes are decoded once before checking.
    public static func validated(_ raw: String?) -> String? {
        guard let raw, raw.utf8.count <= 2048 else { return nil }
        let path = raw.removingPercentEncoding ?? raw
        guard path.hasPrefix("/"), !path.hasPrefix("//") else { return nil }
        for scalar in path.unicodeScalars {
            if scalar == "\\" || scalar.value < 0x21 || scalar.value == 0x7F { return nil }
            if (0x80...0x9F).contains(scalar.value) || scalar.properties.isWhitespace { return nil }
        }
        if path.contains("://") { return nil }
        return path
    }
}
