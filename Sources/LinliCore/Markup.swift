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

extension Markup {
    /// A bar chart as SVG: one bar per value, scaled to the largest; a missing value (nil) is a short
    /// dashed mark on the base line, never a bar of 0. Numbers only, and the escaped label as its name.
    public static func barChart(_ values: [Double?], label: String) -> String {
        let width = max(values.count, 1) * 10
        let top = max(values.compactMap { $0 }.max() ?? 0, 0.000_001)
        var bars = ""
        for (i, value) in values.enumerated() {
            if let value {
                let h = (max(value, 0) / top * 48).rounded()
                bars += #"<rect x="\#(i * 10 + 1)" y="\#(Int(50 - h))" width="8" height="\#(Int(h))"/>"#
            } else {
                bars += #"<line class="missing" x1="\#(i * 10 + 1)" y1="49" x2="\#(i * 10 + 9)" y2="49"/>"#
            }
        }
        let name = escape(label)
        return #"<svg class="chart" viewBox="0 0 \#(width) 52" role="img" aria-label="\#(name)"><title>\#(name)</title><line x1="0" y1="50.5" x2="\#(width)" y2="50.5"/>\#(bars)</svg>"#
    }
}
