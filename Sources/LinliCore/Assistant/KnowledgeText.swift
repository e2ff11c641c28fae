import Foundation

/// A knowledge base document as operators bring it, split into passages: a law or rule per article
/// (第X条), a list of questions and answers (问：… 答：…, or Q: … A: …), or paragraphs (a notice, the
/// community's own rules) under their headings; or JSON lines `{"title"?, "article"?, "text", "question"?}`.
/// What cannot be read is named by its line.
public enum KnowledgeText {
    public enum Format: String, Sendable, CaseIterable {
        case markdown, text
        case jsonLines = "jsonl"
    }

    public struct Passage: Sendable, Equatable {
        /// The article (第七条), when the document is a law or rule.
        public var article: String?
        /// The heading it stands under, or an FAQ's question.
        public var heading: String?
        public var text: String
        /// An FAQ's question (its passage answers it).
        public var question: String?
        /// The line the passage starts on.
        public var line: Int

        public init(article: String? = nil, heading: String? = nil, text: String, question: String? = nil, line: Int) {
            self.article = article
            self.heading = heading
            self.text = text
            self.question = question
            self.line = line
        }
    }

    public struct Failure: Error, Equatable, Sendable {
        public let line: Int
        /// `line_too_long`, `passage_too_long`, `empty_passage`, `too_many_passages`, `answer_missing`,
        /// `empty`, or a JSON line's reason.
        public let reason: String
        public init(line: Int, reason: String) {
            self.line = line
            self.reason = reason
        }
    }

    public static let maxLineLength = 5_000
    public static let maxPassageLength = 4_000
    public static let maxPassages = 5_000

    public static func parse(_ text: String, format: Format) throws(Failure) -> [Passage] {
        let passages: [Passage]
        switch format {
        case .jsonLines: passages = try jsonLines(text)
        case .markdown, .text: passages = try plain(text)
        }
        guard !passages.isEmpty else { throw Failure(line: 1, reason: "empty") }
        guard passages.count <= maxPassages else { throw Failure(line: passages[maxPassages].line, reason: "too_many_passages") }
        for passage in passages {
            if passage.text.isEmpty { throw Failure(line: passage.line, reason: "empty_passage") }
            if passage.text.count > maxPassageLength { throw Failure(line: passage.line, reason: "passage_too_long") }
        }
        return passages
    }

    private struct Line: Decodable {
        let title: String?
        let article: String?
        let text: String
        let question: String?
    }

    private static func jsonLines(_ text: String) throws(Failure) -> [Passage] {
        let lines: [Line]
        do { lines = try JSONLines.decode(Line.self, from: Data(text.utf8)) } catch { throw Failure(line: error.line, reason: error.reason) }
        // Line numbers of the non-empty lines, in order, to name a passage's line.
        var numbers: [Int] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where !line.allSatisfy(\.isWhitespace) { numbers.append(index + 1) }
        return lines.enumerated().map { index, line in
            Passage(
                article: clean(line.article), heading: clean(line.title), text: clean(line.text) ?? "",
                question: clean(line.question), line: index < numbers.count ? numbers[index] : index + 1)
        }
    }

    private static func clean(_ text: String?) -> String? {
        guard let trimmed = text?.trimmingCharacters(in: .whitespacesAndNewlines), !trimmed.isEmpty else { return nil }
        return trimmed
    }

    /// `第X条` (Chinese or Arabic numerals, `之一` allowed) at the start of a line: the article and the rest.
    public static func article(_ line: Substring) -> (article: String, rest: String)? {
        guard line.hasPrefix("第") else { return nil }
        var index = line.index(after: line.startIndex)
        let numerals = "零〇一二三四五六七八九十百千0123456789"
        while index < line.endIndex, numerals.contains(line[index]) { index = line.index(after: index) }
        guard index > line.index(after: line.startIndex), index < line.endIndex, line[index] == "条" else { return nil }
        index = line.index(after: index)
        if line[index...].hasPrefix("之") {
            let after = line.index(after: index)
            if after < line.endIndex, "一二三四五六七八九十".contains(line[after]) { index = line.index(after: after) }
        }
        return (String(line[..<index]), line[index...].trimmingCharacters(in: .whitespaces))
    }

    private static func plain(_ text: String) throws(Failure) -> [Passage] {
        var passages: [Passage] = []
        var heading: String?
        var current: Passage?
        var pendingQuestion: (text: String, line: Int)?
        func close() {
            if var passage = current {
                passage.text = passage.text.trimmingCharacters(in: .whitespacesAndNewlines)
                passages.append(passage)
            }
            current = nil
        }
        let questionMarks = ["问：", "问:", "Q:", "Q："], answerMarks = ["答：", "答:", "A:", "A："]
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            guard raw.count <= maxLineLength else { throw Failure(line: number, reason: "line_too_long") }
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty {
                // A blank line ends a paragraph, not an article or an answer (which may have several).
                if current?.article == nil && current?.question == nil { close() }
                continue
            }
            if line.hasPrefix("#") {
                close()
                heading = line.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces)
                continue
            }
            if let mark = questionMarks.first(where: line.hasPrefix) {
                close()
                if let pending = pendingQuestion { throw Failure(line: pending.line, reason: "answer_missing") }
                pendingQuestion = (String(line.dropFirst(mark.count)).trimmingCharacters(in: .whitespaces), number)
                continue
            }
            if let mark = answerMarks.first(where: line.hasPrefix) {
                close()
                guard let question = pendingQuestion else { throw Failure(line: number, reason: "question_missing") }
                current = Passage(heading: heading, text: String(line.dropFirst(mark.count)), question: question.text, line: question.line)
                pendingQuestion = nil
                continue
            }
            if pendingQuestion != nil, current == nil {
                // A question that goes on over several lines.
                pendingQuestion?.text += line
                continue
            }
            if let (article, rest) = article(Substring(line)) {
                close()
                current = Passage(article: article, heading: heading, text: rest, line: number)
                continue
            }
            if current == nil { current = Passage(heading: heading, text: "", line: number) }
            if var passage = current {
                passage.text += passage.text.isEmpty ? line : "\n" + line
                current = passage
            }
        }
        close()
        if let pending = pendingQuestion { throw Failure(line: pending.line, reason: "answer_missing") }
        return passages
    }
}
