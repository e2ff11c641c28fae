/// When the assistant may say "this is the answer" instead of "maybe, or ask a person": the top passage's
/// lead over the next (per pair of the question) and the share of the question's pairs it contains both
/// reach a floor. The floors are fitted on questions with known answers, each ranked by an index whose term
/// map was mined without it, so that the top passage is right at least `precision` of the time — not as
/// observed, which flatters the chosen floor, but as the lower end of its 90 % Wilson interval.
public struct Confidence: Sendable, Equatable {
    public var minMargin: Float
    public var minCoverage: Float

    public init(minMargin: Float, minCoverage: Float) {
        self.minMargin = minMargin
        self.minCoverage = minCoverage
    }

    public func isConfident(margin: Float, coverage: Float) -> Bool {
        margin >= minMargin && coverage >= minCoverage
    }

    public struct Sample: Sendable {
        public let margin: Float
        public let coverage: Float
        public let correct: Bool
        public init(margin: Float, coverage: Float, correct: Bool) {
            self.margin = margin
            self.coverage = coverage
            self.correct = correct
        }
    }

    /// The floors that keep the most questions confident while the top passage is right at least
    /// `precision` of the time among them (the Wilson lower bound), over at least `minSupport` questions;
    /// nil when none do.
    public static func fit(_ samples: [Sample], precision: Double = 0.85, minSupport: Int = 30) -> Confidence? {
        var best: (confidence: Confidence, kept: Int)?
        for step in 0...8 {
            let coverage = Float(step) / 10
            let kept = samples.filter { $0.coverage >= coverage }.sorted { $0.margin > $1.margin }
            var right = 0
            var chosen: Int?
            for (index, sample) in kept.enumerated() {
                if sample.correct { right += 1 }
                let next = index + 1 < kept.count ? kept[index + 1].margin : -.infinity
                // Only a cut between two different margins is a threshold.
                guard next < sample.margin, index + 1 >= minSupport else { continue }
                if wilsonLowerBound(right: right, of: index + 1) >= precision { chosen = index }
            }
            if let chosen, chosen + 1 > best?.kept ?? 0 {
                best = (Confidence(minMargin: kept[chosen].margin, minCoverage: coverage), chosen + 1)
            }
        }
        return best?.confidence
    }
}

extension Confidence {
    /// The lower end of the 90 % Wilson score interval of a proportion.
    static func wilsonLowerBound(right: Int, of total: Int) -> Double {
        guard total > 0 else { return 0 }
        let z = 1.645, n = Double(total), p = Double(right) / n
        let centre = p + z * z / (2 * n)
        let spread = z * (p * (1 - p) / n + z * z / (4 * n * n)).squareRoot()
        return (centre - spread) / (1 + z * z / n)
    }
}

/// Recall@1, Recall@10 and MRR@10 of ranked lists against the known answers.
public struct RetrievalFigures: Sendable, Equatable {
    public var questions = 0
    public var recallAt1 = 0.0
    public var recallAt10 = 0.0
    public var mrrAt10 = 0.0

    public init() {}

    public init(ranked: [[String]], relevant: [Set<String>]) {
        var first = 0, ten = 0
        var reciprocal = 0.0
        for (list, answers) in zip(ranked, relevant) where !answers.isEmpty {
            questions += 1
            if let rank = list.prefix(10).firstIndex(where: answers.contains) {
                ten += 1
                if rank == 0 { first += 1 }
                reciprocal += 1 / Double(rank + 1)
            }
        }
        let count = Double(max(1, questions))
        recallAt1 = Double(first) / count
        recallAt10 = Double(ten) / count
        mrrAt10 = reciprocal / count
    }
}
