import Foundation

/// What the assistant learned from questions with known answers, shipped as one text file
/// (`Resources/Assistant/model.tsv`): the confidence floors on a `#confidence` line, then the term map.
public struct AssistantModel: Sendable, Equatable {
    public var map: TermMap
    public var confidence: Confidence

    /// Never confident, no term map: what a server without the file answers with.
    public static let untrained = AssistantModel(map: TermMap(), confidence: Confidence(minMargin: .infinity, minCoverage: 1))

    public init(map: TermMap, confidence: Confidence) {
        self.map = map
        self.confidence = confidence
    }

    public init(parsing text: String) throws(TermMap.Malformed) {
        map = try TermMap(parsing: text)
        guard let first = text.split(separator: "\n").first, first.hasPrefix("#confidence ") else {
            throw TermMap.Malformed(line: 1)
        }
        let fields = first.split(separator: " ")
        guard fields.count == 3, let margin = Float(fields[1]), let coverage = Float(fields[2]),
            margin.isFinite, coverage.isFinite
        else { throw TermMap.Malformed(line: 1) }
        confidence = Confidence(minMargin: margin, minCoverage: coverage)
    }

    public func serialized() -> String {
        "#confidence \(confidence.minMargin) \(confidence.minCoverage)\n" + map.serialized()
    }
}

/// JSON lines read one by one; a line that is not the expected object is named by its number.
public enum JSONLines {
    public struct Failure: Error, Equatable, CustomStringConvertible {
        public let line: Int
        /// `missing_field`, `wrong_type`, `not_json`, or a ``JSONLimits`` reason (`too_deep`, …).
        public let reason: String
        public var description: String { "line \(line): \(reason)" }
    }

    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws(Failure) -> [T] {
        let decoder = JSONDecoder()
        var out: [T] = []
        var number = 0
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            number += 1
            let trimmed = line.drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
            if trimmed.isEmpty || trimmed.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            do {
                let line = Data(trimmed)
                try line.withUnsafeBytes { try JSONLimits.check($0) }
                out.append(try decoder.decode(T.self, from: line))
            } catch let failure as JSONLimits.Failure {
                throw Failure(line: number, reason: failure.reason)
            } catch DecodingError.keyNotFound {
                throw Failure(line: number, reason: "missing_field")
            } catch DecodingError.typeMismatch, DecodingError.valueNotFound {
                throw Failure(line: number, reason: "wrong_type")
            } catch {
                throw Failure(line: number, reason: "not_json")
            }
        }
        return out
    }
}

/// The evaluation files' lines: a passage `{"id","title","text"}` and a question `{"id","text"}` with,
/// when known, the passages that answer it and its split.
public struct PassageLine: Codable, Sendable {
    public let id: String
    public let title: String
    public let text: String
}

public struct QuestionLine: Codable, Sendable {
    public let id: String
    public let text: String
    public let relevant: [String]?
    public let split: String?
}

extension AssistantModel {
    /// Mines the term map from the `train` questions and fits the confidence floors on them: each
    /// question ranked with a map mined from the other four fifths (five folds), so no question helps rank
    /// itself and the maps are nearly as rich as the one shipped (a map mined from less data gives smaller
    /// leads, and floors fitted on them would be too lenient).
    public static func train(
        passages: [PassageLine], questions: [QuestionLine], index: PassageIndex, folds: Int = 5
    ) -> AssistantModel {
        let number = Dictionary(passages.enumerated().map { ($0.element.id, $0.offset) }, uniquingKeysWith: { a, _ in a })
        let texts = passages.map { (title: $0.title, text: $0.text) }
        let training = questions.filter { ($0.split ?? "train") == "train" && !($0.relevant ?? []).isEmpty }
        func pairs(_ list: [QuestionLine]) -> [(question: String, answers: [Int])] {
            list.map { (question: $0.text, answers: ($0.relevant ?? []).compactMap { number[$0] }) }
        }
        var samples: [Confidence.Sample] = []
        for fold in 0..<folds {
            let held = training.enumerated().filter { $0.offset % folds == fold }.map(\.element)
            let rest = training.enumerated().filter { $0.offset % folds != fold }.map(\.element)
            let map = TermMap.mine(pairs: pairs(rest), passages: texts, index: index)
            for question in held {
                let ranking = index.search(question.text, map: map, top: 2)
                guard let first = ranking.hits.first else { continue }
                let right = Set(question.relevant ?? []).contains(passages[first.passage].id)
                samples.append(.init(margin: ranking.margin, coverage: index.coverage(of: ranking, passage: first.passage), correct: right))
            }
        }
        let confidence = Confidence.fit(samples) ?? AssistantModel.untrained.confidence
        return AssistantModel(map: TermMap.mine(pairs: pairs(training), passages: texts, index: index), confidence: confidence)
    }
}
