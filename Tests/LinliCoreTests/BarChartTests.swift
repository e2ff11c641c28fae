import Foundation
import LinliCore
import Testing

/// The one chart: round ticks that cover the largest value, its unit and title, missing values dashed
/// (never a bar), category labels thinned so they never overlap, all text escaped.
@Suite struct BarChartTests {
    @Test func ticksAreRoundStepsCoveringTheLargestValue() {
        #expect(BarChart.ticks(upTo: 4.3) == [0, 2, 4, 6])
        #expect(BarChart.ticks(upTo: 0.7) == [0, 0.2, 0.4, 0.6, 0.8])
        #expect(BarChart.ticks(upTo: 1500) == [0, 500, 1000, 1500])
        #expect(BarChart.ticks(upTo: 10) == [0, 5, 10])
        #expect(BarChart.ticks(upTo: 0) == [0, 1])
        #expect(BarChart.ticks(upTo: .nan) == [0, 1])
        #expect(BarChart.format(0.2) == "0.2" && BarChart.format(1500) == "1500" && BarChart.format(2.125) == "2.125")
    }

    @Test func theChartHasItsTitleUnitTicksAndBars() {
        let svg = BarChart(title: "本月每天的用量（m³）", unit: "m³", labels: ["1", "2", "3"], values: [1.5, nil, 4.3]).svg()
        #expect(svg.hasPrefix("<svg class=\"chart\" width=\"360\" height=\"200\""))
        #expect(svg.contains("<title>本月每天的用量（m³）</title>") && svg.contains(">m³</text>"))
        for tick in ["0", "2", "4", "6"] { #expect(svg.contains("text-anchor=\"end\">\(tick)</text>")) }
        #expect(svg.components(separatedBy: "<rect ").count - 1 == 2)
        #expect(svg.components(separatedBy: "class=\"missing\"").count - 1 == 1)
        for label in ["1", "2", "3"] { #expect(svg.contains("text-anchor=\"middle\">\(label)</text>")) }
        // The taller bar reaches 4.3 of 6 on the axis: its top is higher than the other's.
        let heights = svg.components(separatedBy: "<rect ").dropFirst().compactMap { part -> Double? in
            guard let range = part.range(of: "height=\"") else { return nil }
            return Double(part[range.upperBound...].prefix { $0 != "\"" })
        }
        #expect(heights.count == 2 && abs(heights[1] / heights[0] - 4.3 / 1.5) < 0.05)
    }

    @Test func manyCategoriesAreLabelledSparselyAndTextIsEscaped() {
        let days = (1...31).map(String.init)
        let svg = BarChart(title: "t", unit: "u", labels: days, values: days.map { Double($0) }, fontSize: 18).svg()
        let shown = days.filter { svg.contains("text-anchor=\"middle\">\($0)</text>") }
        #expect(shown.first == "1" && shown.count < 31 && shown.count >= 6)
        let hostile = BarChart(title: "\"><script>", unit: "<b>", labels: ["<i>"], values: [1]).svg()
        #expect(!hostile.contains("<script>") && !hostile.contains("<b>") && !hostile.contains("<i>"))
    }

    @Test func wideLabelsAreMeasuredAsWideAndStayInsideTheChart() {
        #expect(BarChart.textWidth("入侵", 10) == 20)
        #expect(abs(BarChart.textWidth("ab", 10) - 12.4) < 1e-9)
        let labels = ["胁迫（静默）", "紧急按钮", "烟雾/燃气/漏水", "入侵", "入侵（未确认）"]
        let svg = BarChart(title: "t", unit: "u", labels: labels, values: [1, 2, 3, 4, 5], fontSize: 14, width: 360).svg()
        let xs = labels.compactMap { label -> (Double, Double)? in
            guard let end = svg.range(of: "text-anchor=\"middle\">\(label)</text>") else { return nil }
            let before = svg[..<end.lowerBound]
            guard let start = before.range(of: "<text x=\"", options: .backwards) else { return nil }
            return Double(before[start.upperBound...].prefix { $0 != "\"" }).map { ($0, BarChart.textWidth(label, 14) / 2) }
        }
        // Shown sparsely (CJK is wide), and each shown label within 0…360.
        #expect(!xs.isEmpty && xs.count < labels.count)
        for (x, half) in xs {
            let (left, right): (Double, Double) = (x - half, x + half)
            #expect(left >= 0 && right <= 360)
        }
    }
}
