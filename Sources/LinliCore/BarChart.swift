import Foundation

/// The one chart of Linli's pages: bars with a title, a value axis with its unit and labelled ticks at
/// round steps, and labelled categories — drawn as SVG on the server, readable without JavaScript. It
/// keeps its size in CSS pixels (`width` × `height`, shrunk by the page when narrower), so its text is
/// `fontSize` pixels; category labels are thinned so they never overlap. A missing value is a dashed
/// mark on the axis, never a made-up zero. Every text is escaped.
public struct BarChart: Sendable, Equatable {
    public var title: String
    /// The value axis's unit (`m³`, `L`, `元`).
    public var unit: String
    public var labels: [String]
    public var values: [Double?]
    public var fontSize: Double
    public var width: Double
    public var height: Double

    public init(
        title: String, unit: String, labels: [String], values: [Double?], fontSize: Double = 14, width: Double = 360,
        height: Double = 200
    ) {
        self.title = title
        self.unit = unit
        self.labels = labels
        self.values = values
        self.fontSize = fontSize
        self.width = width
        self.height = height
    }

    /// Ticks from 0 to at least `maximum`, about `count` steps of 1, 2 or 5 × 10ⁿ.
    public static func ticks(upTo maximum: Double, count: Int = 4) -> [Double] {
        guard maximum.isFinite, maximum > 0 else { return [0, 1] }
        let rough = maximum / Double(max(count, 1))
        let magnitude = pow(10, floor(log10(rough)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= rough } ?? rough
        let steps = Int(ceil(maximum / step - 1e-9))
        return (0...max(steps, 1)).map { (Double($0) * step * 1e9).rounded() / 1e9 }
    }

    /// A tick's text: no trailing zeros (`0.5`, `2`, `1500`).
    public static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        var text = String(format: "%.3f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    public func svg() -> String {
        let fs = fontSize
        let top = (values.compactMap { $0 }.filter(\.isFinite).max() ?? 0)
        let ticks = Self.ticks(upTo: top)
        let scaleTop = ticks.last ?? 1
        let tickWidth = Double(ticks.map { Self.format($0).count }.max() ?? 1) * fs * 0.62
        let left = (tickWidth + fs * 0.6).rounded()
        let right = width - 4
        let plotTop = (fs * 2.9).rounded()
        let plotBottom = (height - fs * 1.9).rounded()
        let step = (right - left) / Double(max(values.count, 1))
        func y(_ value: Double) -> Double { plotBottom - (plotBottom - plotTop) * max(0, value) / scaleTop }
        func n(_ value: Double) -> String { Self.format((value * 10).rounded() / 10) }
        let name = Markup.escape(title)
        var out = #"<svg class="chart" width="\#(n(width))" height="\#(n(height))" viewBox="0 0 \#(n(width)) \#(n(height))" role="img" aria-label="\#(name)"><title>\#(name)</title>"#
        out += #"<text class="chart-title" x="0" y="\#(n(fs))" font-size="\#(n(fs))" font-weight="700">\#(name)</text>"#
        out += #"<text class="chart-unit" x="\#(n(left - fs * 0.3))" y="\#(n(plotTop - fs * 0.7))" font-size="\#(n(fs))" text-anchor="end">\#(Markup.escape(unit))</text>"#
        for tick in ticks {
            let at = y(tick)
            out += #"<line class="grid" x1="\#(n(left))" y1="\#(n(at))" x2="\#(n(right))" y2="\#(n(at))"/>"#
            out += #"<text x="\#(n(left - fs * 0.3))" y="\#(n(at + fs * 0.35))" font-size="\#(n(fs))" text-anchor="end">\#(Self.format(tick))</text>"#
        }
        for (index, value) in values.enumerated() {
            let x = left + Double(index) * step
            if let value, value.isFinite {
                let barTop = y(value)
                out += #"<rect x="\#(n(x + step * 0.15))" y="\#(n(barTop))" width="\#(n(step * 0.7))" height="\#(n(plotBottom - barTop))"/>"#
            } else {
                out += #"<line class="missing" x1="\#(n(x + step * 0.15))" y1="\#(n(plotBottom - 1))" x2="\#(n(x + step * 0.85))" y2="\#(n(plotBottom - 1))"/>"#
            }
        }
        out += #"<line class="axis" x1="\#(n(left))" y1="\#(n(plotTop))" x2="\#(n(left))" y2="\#(n(plotBottom))"/>"#
        out += #"<line class="axis" x1="\#(n(left))" y1="\#(n(plotBottom))" x2="\#(n(right))" y2="\#(n(plotBottom))"/>"#
        // Every k-th category label, k so that the longest fits its room.
        let longest = labels.map { Self.textWidth($0, fs) }.max() ?? fs
        let every = max(1, Int(ceil((longest + fs * 0.4) / max(step, 1))))
        for (index, label) in labels.enumerated() where index % every == 0 && index < values.count {
            // Centred under its bar, but never past the chart's edges.
            let half = Self.textWidth(label, fs) / 2
            let x = min(max(left + (Double(index) + 0.5) * step, half), width - half)
            out += #"<text x="\#(n(x))" y="\#(n(height - fs * 0.4))" font-size="\#(n(fs))" text-anchor="middle">\#(Markup.escape(label))</text>"#
        }
        return out + "</svg>"
    }

    /// About how wide a label is drawn: a full em for CJK and other wide characters, 0.62 of one for the rest.
    public static func textWidth(_ text: String, _ fontSize: Double) -> Double {
        text.unicodeScalars.reduce(0) { sum, scalar in
            let wide = (0x1100...0x115F).contains(scalar.value) || (0x2E80...0xA4CF).contains(scalar.value)
                || (0xAC00...0xD7A3).contains(scalar.value) || (0xF900...0xFAFF).contains(scalar.value)
                || (0xFE30...0xFE4F).contains(scalar.value) || (0xFF00...0xFF60).contains(scalar.value)
                || (0xFFE0...0xFFE6).contains(scalar.value)
            return sum + fontSize * (wide ? 1.0 : 0.62)
        }
    }
}
