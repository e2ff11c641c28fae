/// What an answer shows of a passage: its sentence that shares most of the question's character pairs
/// first, then the passage's other sentences in order, cut at `limit` characters; and where the question's
/// pairs occur in it, as ranges of characters (Unicode scalars) to mark.
public struct Excerpt: Sendable, Equatable {
    public let text: String
    /// Start and length, in Unicode scalars of `text`, ascending and not overlapping.
    public let marks: [Mark]

    public struct Mark: Sendable, Equatable, Codable {
        public let start: Int
        public let length: Int
        public init(start: Int, length: Int) {
            self.start = start
            self.length = length
        }
    }

    /// The text split into marked and unmarked runs, for a page to escape and wrap.
    public var runs: [(text: String, marked: Bool)] {
        let scalars = Array(text.unicodeScalars)
        var out: [(String, Bool)] = []
        var position = 0
        func piece(_ range: Range<Int>) -> String {
            var s = ""
            s.unicodeScalars.append(contentsOf: scalars[range])
            return s
        }
        for mark in marks {
            if mark.start > position { out.append((piece(position..<mark.start), false)) }
            out.append((piece(mark.start..<(mark.start + mark.length)), true))
            position = mark.start + mark.length
        }
        if position < scalars.count { out.append((piece(position..<scalars.count), false)) }
        return out
    }

    static let enders: Set<Unicode.Scalar> = ["。", "！", "？", "；", "\n", "!", "?", ";"]

    public init(of passage: String, for question: String, limit: Int = 160) {
        let pairs = Set(QAText.bigrams(question))
        var sentences: [[Unicode.Scalar]] = [[]]
        for scalar in passage.unicodeScalars {
            if scalar == "\n" {
                if !(sentences.last ?? []).isEmpty { sentences.append([]) }
                continue
            }
            sentences[sentences.count - 1].append(scalar)
            if Self.enders.contains(scalar) { sentences.append([]) }
        }
        sentences.removeAll { $0.allSatisfy { $0.properties.isWhitespace } }
        func shared(_ sentence: [Unicode.Scalar]) -> Int {
            var found = Set<QAText.Term>()
            for index in sentence.indices.dropLast() {
                if let a = QAText.fold(sentence[index]), let b = QAText.fold(sentence[index + 1]) {
                    let term = UInt64(a) << 32 | UInt64(b)
                    if pairs.contains(term) { found.insert(term) }
                }
            }
            return found.count
        }
        var order = Array(sentences.indices)
        if let best = sentences.indices.max(by: { shared(sentences[$0]) < shared(sentences[$1]) }), shared(sentences[best]) > 0 {
            order.removeAll { $0 == best }
            order.insert(best, at: 0)
        }
        var scalars: [Unicode.Scalar] = []
        for index in order {
            let sentence = sentences[index].drop { $0.properties.isWhitespace }
            if scalars.count + sentence.count > limit {
                if scalars.isEmpty { scalars.append(contentsOf: sentence.prefix(max(0, limit - 1))) }
                scalars.append("…")
                break
            }
            scalars.append(contentsOf: sentence)
        }
        var marked = [Bool](repeating: false, count: scalars.count)
        for index in scalars.indices.dropLast() {
            if let a = QAText.fold(scalars[index]), let b = QAText.fold(scalars[index + 1]),
                pairs.contains(UInt64(a) << 32 | UInt64(b))
            {
                marked[index] = true
                marked[index + 1] = true
            }
        }
        var marks: [Mark] = []
        var start: Int?
        for index in 0...scalars.count {
            let on = index < scalars.count && marked[index]
            if on, start == nil { start = index }
            if !on, let begun = start {
                marks.append(Mark(start: begun, length: index - begun))
                start = nil
            }
        }
        var text = ""
        text.unicodeScalars.append(contentsOf: scalars)
        self.text = text
        self.marks = marks
    }
}
