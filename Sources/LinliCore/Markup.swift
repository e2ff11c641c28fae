/// Escaping for markup the server builds itself (SVG, charts): the one function every attribute
/// value and text node goes through, so user text can never close a quote or open a tag.
public enum Markup {
    /// `&`, `<`, `>`, `"` and `'` as entities; control characters other than tab and newline dropped
    /// (XML forbids them); newlines and tabs as character references, so an attribute keeps them.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\n": out += "&#10;"
            case "\t": out += "&#9;"
            case "\r": out += "&#13;"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || (0xFFFE...0xFFFF).contains(scalar.value) {
                    continue
                }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
