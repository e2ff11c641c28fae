import Foundation

/// Residents' words → the law's words, as character pairs: "欠钱" also looks for "借款", "老板" for "用人".
/// Mined from questions answered by known passages (``mine(pairs:index:)``): a pair of the question
/// points to a pair of its answers when at least `minQuestions` questions share it, at least `minShare` of
/// them have it in their answers, and it is at least `lift` times likelier there than in any passage.
/// Shipped as a text file, one line per question pair: `欠钱<TAB>借款 0.812 债务 0.5`.
public struct TermMap: Sendable, Equatable {
    public struct Expansion: Sendable, Equatable {
        public let term: QAText.Term
        public let weight: Float
    }

    public struct Rules: Sendable {
        public var minQuestions = 2
        public var minShare: Float = 0.25
        public var lift: Float = 3
        public var perTerm = 10
        public init() {}
    }

    private var table: [QAText.Term: [Expansion]]

    public init() { table = [:] }

    public var count: Int { table.count }

    public func expansions(of term: QAText.Term) -> [Expansion] { table[term] ?? [] }

    /// A line that is not `pair<TAB>pair weight …` with readable pairs and finite weights.
    public struct Malformed: Error, Equatable {
        public let line: Int
        public init(line: Int) { self.line = line }
    }

    public init(parsing text: String) throws(Malformed) {
        table = [:]
        var number = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            if line.isEmpty || line.hasPrefix("#") { continue }
            let parts = line.split(separator: "\t")
            guard parts.count == 2, let from = QAText.term(String(parts[0])) else { throw Malformed(line: number) }
            let fields = parts[1].split(separator: " ")
            guard fields.count % 2 == 0 else { throw Malformed(line: number) }
            var expansions: [Expansion] = []
            for index in stride(from: 0, to: fields.count, by: 2) {
                guard let to = QAText.term(String(fields[index])), let weight = Float(fields[index + 1]),
                    weight.isFinite, weight >= 0
                else { throw Malformed(line: number) }
                expansions.append(Expansion(term: to, weight: weight))
            }
            table[from] = expansions
        }
    }

    /// The shipped form, sorted so that the same mining writes the same file.
    public func serialized() -> String {
        var lines: [String] = []
        for (from, expansions) in table.sorted(by: { $0.key < $1.key }) {
            let fields = expansions.map { "\(QAText.string($0.term)) \(String(format: "%.3f", $0.weight))" }
            lines.append(QAText.string(from) + "\t" + fields.joined(separator: " "))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Mines the map from questions with the passages that answer them (numbers in `index`).
    public static func mine(
        pairs: [(question: String, answers: [Int])], passages: [(title: String, text: String)],
        index: PassageIndex, rules: Rules = Rules()
    ) -> TermMap {
        var together: [QAText.Term: [QAText.Term: Int]] = [:]
        var asked: [QAText.Term: Int] = [:]
        for pair in pairs {
            var answerTerms = Set<QAText.Term>()
            for answer in pair.answers where passages.indices.contains(answer) {
                QAText.bigrams(passages[answer].title).forEach { answerTerms.insert($0) }
                QAText.bigrams(passages[answer].text).forEach { answerTerms.insert($0) }
            }
            for term in Set(QAText.bigrams(pair.question)) {
                asked[term, default: 0] += 1
                for answerTerm in answerTerms { together[term, default: [:]][answerTerm, default: 0] += 1 }
            }
        }
        var map = TermMap()
        let total = Float(max(1, index.count))
        for (from, counts) in together {
            let questions = asked[from] ?? 0
            guard questions >= rules.minQuestions else { continue }
            var expansions: [Expansion] = []
            for (to, shared) in counts where to != from {
                let share = Float(shared) / Float(questions)
                let background = Float(index.documentFrequency(to)) / total
                guard share >= rules.minShare, background > 0, share > rules.lift * background else { continue }
                expansions.append(Expansion(term: to, weight: share * log(share / background)))
            }
            expansions.sort { $0.weight != $1.weight ? $0.weight > $1.weight : $0.term < $1.term }
            if !expansions.isEmpty { map.table[from] = Array(expansions.prefix(rules.perTerm)) }
        }
        return map
    }
}
