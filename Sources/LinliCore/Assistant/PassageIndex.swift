import Foundation

/// The assistant's search: BM25 over two readings of each passage — its character pairs (title and text)
/// and, weighted lower, its single characters — with the question widened by a ``TermMap`` from residents'
/// words to the law's. Built once in memory from the passages; immutable, shared by every request.
///
/// Postings are kept per term as passage numbers (ascending) with their BM25 weight already computed, so a
/// question costs one pass over the postings of its terms into an array of scores.
public struct PassageIndex: Sendable {
    public struct Parameters: Sendable, Equatable {
        public var k1: Float = 1.2
        public var b: Float = 0.75
        /// How much a single character counts beside a pair.
        public var unigramWeight: Float = 0.6
        /// How much the term map's legal words count beside the question's own (fitted on STARD train).
        public var expansionWeight: Float = 0.045
        /// The asking itself (怎么办, 什么, 是否, 吗): not matched as words of the question — they would find
        /// the FAQs phrased as questions rather than what is asked about — though the term map still reads them.
        public var askingWords: Set<QAText.Term> = Set(
            ["怎么", "么办", "怎样", "什么", "如何", "是否", "为什", "哪里", "哪些", "能否", "可否", "请问", "怎", "么", "吗", "呢", "吧", "啊", "什", "哪"]
                .compactMap(QAText.term))
        public init() {}
    }

    /// One ranked passage: its number in the order given to `init` and its score.
    public struct Hit: Sendable, Equatable {
        public let passage: Int
        public let score: Float
    }

    /// What a question found: the passages, best first, and what ``Confidence`` reads.
    public struct Ranking: Sendable {
        public let hits: [Hit]
        /// The question's own character pairs, distinct.
        public let questionTerms: [QAText.Term]
        /// The top passage's lead over the second, per pair of the question.
        public var margin: Float {
            guard let first = hits.first else { return 0 }
            let second = hits.count > 1 ? hits[1].score : 0
            return (first.score - second) / Float(max(1, questionTerms.count))
        }
    }

    public let count: Int
    public let parameters: Parameters
    private let termIDs: [QAText.Term: Int32]
    private let offsets: [Int32]
    private let postingPassages: [Int32]
    private let postingWeights: [Float]

    /// `passages` gives each passage's title and text, in order.
    public init(passages: [(title: String, text: String)], parameters: Parameters = Parameters()) {
        self.parameters = parameters
        count = passages.count
        var ids: [QAText.Term: Int32] = [:]
        var termOfPosting: [Int32] = []
        var passageOfPosting: [Int32] = []
        var frequency: [UInt16] = []
        var pairLength = [Int32](repeating: 0, count: passages.count)
        var charLength = [Int32](repeating: 0, count: passages.count)
        var terms: [QAText.Term] = []
        for (number, passage) in passages.enumerated() {
            terms.removeAll(keepingCapacity: true)
            QAText.appendBigrams(of: passage.title, to: &terms)
            QAText.appendBigrams(of: passage.text, to: &terms)
            pairLength[number] = Int32(terms.count)
            let pairs = terms.count
            QAText.appendUnigrams(of: passage.title, to: &terms)
            QAText.appendUnigrams(of: passage.text, to: &terms)
            charLength[number] = Int32(terms.count - pairs)
            terms.sort()
            var start = 0
            while start < terms.count {
                var end = start + 1
                while end < terms.count && terms[end] == terms[start] { end += 1 }
                let id: Int32
                if let known = ids[terms[start]] { id = known } else {
                    id = Int32(ids.count)
                    ids[terms[start]] = id
                }
                termOfPosting.append(id)
                passageOfPosting.append(Int32(number))
                frequency.append(UInt16(min(end - start, Int(UInt16.max))))
                start = end
            }
        }
        // Postings grouped by term (a counting sort keeps each term's passages ascending).
        var offsets = [Int32](repeating: 0, count: ids.count + 1)
        for term in termOfPosting { offsets[Int(term) + 1] += 1 }
        for index in 0..<ids.count { offsets[index + 1] += offsets[index] }
        var cursor = Array(offsets.dropLast())
        var passagesOut = [Int32](repeating: 0, count: termOfPosting.count)
        var weightsOut = [Float](repeating: 0, count: termOfPosting.count)
        var isPair = [Bool](repeating: false, count: ids.count)
        for (term, id) in ids { isPair[Int(id)] = QAText.isBigram(term) }
        let total = Float(max(1, passages.count))
        let averagePairs = Float(pairLength.reduce(0) { $0 + Int($1) }) / total
        let averageChars = Float(charLength.reduce(0) { $0 + Int($1) }) / total
        let k1 = parameters.k1, b = parameters.b
        for posting in 0..<termOfPosting.count {
            let term = Int(termOfPosting[posting])
            let passage = Int(passageOfPosting[posting])
            let documents = Float(offsets[term + 1] - offsets[term])
            let idf = log(1 + (Float(passages.count) - documents + 0.5) / (documents + 0.5))
            let length = isPair[term] ? Float(pairLength[passage]) / max(averagePairs, 1) : Float(charLength[passage]) / max(averageChars, 1)
            let tf = Float(frequency[posting])
            let slot = Int(cursor[term])
            cursor[term] += 1
            passagesOut[slot] = Int32(passage)
            weightsOut[slot] = idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * length))
        }
        termIDs = ids
        self.offsets = offsets
        postingPassages = passagesOut
        postingWeights = weightsOut
    }

    /// In how many passages the term occurs.
    public func documentFrequency(_ term: QAText.Term) -> Int {
        guard let id = termIDs[term] else { return 0 }
        return Int(offsets[Int(id) + 1] - offsets[Int(id)])
    }

    /// Whether the passage contains the term (a binary search in the term's postings).
    public func contains(_ term: QAText.Term, passage: Int) -> Bool {
        guard let id = termIDs[term] else { return false }
        var low = Int(offsets[Int(id)]), high = Int(offsets[Int(id) + 1])
        while low < high {
            let middle = (low + high) / 2
            let value = Int(postingPassages[middle])
            if value == passage { return true }
            if value < passage { low = middle + 1 } else { high = middle }
        }
        return false
    }

    /// The question's terms with their weights: its pairs, its characters (weighted lower) and the term
    /// map's legal words for its pairs.
    public func weightedTerms(of question: String, map: TermMap) -> [(id: Int32, weight: Float)] {
        var weights: [Int32: Float] = [:]
        for pair in QAText.bigrams(question) {
            if !parameters.askingWords.contains(pair), let id = termIDs[pair] { weights[id, default: 0] += 1 }
            for expansion in map.expansions(of: pair) {
                if let id = termIDs[expansion.term] {
                    weights[id, default: 0] += parameters.expansionWeight * expansion.weight
                }
            }
        }
        for character in QAText.unigrams(question) where !parameters.askingWords.contains(character) {
            if let id = termIDs[character] { weights[id, default: 0] += parameters.unigramWeight }
        }
        return weights.map { (id: $0.key, weight: $0.value) }.sorted { $0.id < $1.id }
    }

    /// The `top` best passages for the question (ties: the earlier passage first); passages that share no
    /// term with it are not returned.
    public func search(_ question: String, map: TermMap = TermMap(), top: Int = 10) -> Ranking {
        let terms = weightedTerms(of: question, map: map)
        let own = Array(Set(QAText.bigrams(question))).sorted()
        guard top > 0, count > 0, !terms.isEmpty else { return Ranking(hits: [], questionTerms: own) }
        var scores = [Float](repeating: 0, count: count)
        postingPassages.withUnsafeBufferPointer { passages in
            postingWeights.withUnsafeBufferPointer { weights in
                scores.withUnsafeMutableBufferPointer { scores in
                    for (id, weight) in terms {
                        for posting in Int(offsets[Int(id)])..<Int(offsets[Int(id) + 1]) {
                            scores[Int(passages[posting])] += weight * weights[posting]
                        }
                    }
                }
            }
        }
        return Ranking(hits: Self.best(scores, top: top), questionTerms: own)
    }

    /// The highest scores above zero, best first, by a bounded insertion (top is small).
    static func best(_ scores: [Float], top: Int) -> [Hit] {
        var hits: [Hit] = []
        hits.reserveCapacity(top + 1)
        for (passage, score) in scores.enumerated() where score > 0 {
            if hits.count == top, let last = hits.last, score <= last.score { continue }
            var slot = hits.count
            while slot > 0 && hits[slot - 1].score < score { slot -= 1 }
            hits.insert(Hit(passage: passage, score: score), at: slot)
            if hits.count > top { hits.removeLast() }
        }
        return hits
    }

    /// The share of the question's own pairs that the passage contains.
    public func coverage(of ranking: Ranking, passage: Int) -> Float {
        guard !ranking.questionTerms.isEmpty else { return 0 }
        let found = ranking.questionTerms.filter { contains($0, passage: passage) }.count
        return Float(found) / Float(ranking.questionTerms.count)
    }
}
