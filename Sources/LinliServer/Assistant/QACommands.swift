import Foundation
import LinliCore
import Vapor

/// `linli qa eval|train|import`: the assistant's offline tools.
struct QACommands: AsyncCommandGroup {
    var help: String { "The Q&A assistant: evaluate retrieval, train its model, import a knowledge base." }
    var commands: [String: any AnyAsyncCommand] {
        ["eval": QAEvalCommand(), "train": QATrainCommand(), "import": QAImportCommand()]
    }
    var defaultCommand: (any AnyAsyncCommand)? { nil }
}

/// Files the offline tools read, with their errors as one line.
enum QAFiles {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func read(_ path: String?, what: String) throws -> Data {
        guard let path, !path.isEmpty else { throw Failure(description: "--\(what) is required") }
        guard let data = FileManager.default.contents(atPath: path) else { throw Failure(description: "cannot read \(path)") }
        return data
    }

    static func lines<T: Decodable>(_ type: T.Type, _ path: String?, what: String) throws -> [T] {
        let data = try read(path, what: what)
        do { return try JSONLines.decode(T.self, from: data) } catch {
            throw Failure(description: "\(path ?? what): \(error)")
        }
    }

    /// The shipped model (`Resources/Assistant/model.tsv` under the working directory or `LINLI_ROOT`).
    static func model(at path: String) -> AssistantModel? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? AssistantModel(parsing: String(decoding: data, as: UTF8.self))
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }

    /// Resident memory of this process, in MB (Linux).
    static func residentMegabytes() -> Double {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let pages = statm.split(separator: " ").dropFirst().first.flatMap { Double($0) } ?? 0
        return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
    }
}

/// `linli qa eval --corpus C --queries Q --out R [--top 10] [--split dev] [--model M]`: builds an index from C
/// alone, ranks every question of Q, writes `{"id","ranked"}` lines to R, and prints Recall@1/@10 and MRR@10
/// when the questions carry `relevant`, with the time to build and to answer and the memory used.
struct QAEvalCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "corpus", help: "Passages, JSON lines {id,title,text}") var corpus: String?
        @Option(name: "queries", help: "Questions, JSON lines {id,text[,relevant][,split]}") var queries: String?
        @Option(name: "out", help: "Where to write {id,ranked} lines") var out: String?
        @Option(name: "top", help: "Passages per question (10)") var top: Int?
        @Option(name: "split", help: "Only the questions of this split") var split: String?
        @Option(name: "model", help: "The assistant's model (Resources/Assistant/model.tsv)") var model: String?
        @Flag(name: "no-model", help: "Plain BM25 over pairs and characters, no term map") var noModel: Bool
    }

    var help: String { "Ranks a question set against a corpus and prints Recall@1, Recall@10 and MRR@10." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let passages = try QAFiles.lines(PassageLine.self, signature.corpus, what: "corpus")
        var questions = try QAFiles.lines(QuestionLine.self, signature.queries, what: "queries")
        if let split = signature.split { questions = questions.filter { $0.split == split } }
        guard let out = signature.out else { throw QAFiles.Failure(description: "--out is required") }
        let top = max(1, min(signature.top ?? 10, 1000))
        let modelPath = signature.model ?? context.application.directory.resourcesDirectory + "Assistant/model.tsv"
        let model: AssistantModel
        if signature.noModel { model = .untrained } else {
            guard let loaded = QAFiles.model(at: modelPath) else { throw QAFiles.Failure(description: "cannot read the model \(modelPath)") }
            model = loaded
        }
        let clock = ContinuousClock()
        let started = clock.now
        let index = PassageIndex(passages: passages.map { (title: $0.title, text: $0.text) })
        let built = clock.now - started
        var ranked: [[String]] = []
        var times: [Double] = []
        var confident = 0, confidentRight = 0
        var output = Data()
        for question in questions {
            let asked = clock.now
            let ranking = index.search(question.text, map: model.map, top: top)
            times.append(QAFiles.milliseconds(clock.now - asked))
            let ids = ranking.hits.map { passages[$0.passage].id }
            ranked.append(ids)
            if let first = ranking.hits.first,
                model.confidence.isConfident(margin: ranking.margin, coverage: index.coverage(of: ranking, passage: first.passage))
            {
                confident += 1
                if Set(question.relevant ?? []).contains(ids[0]) { confidentRight += 1 }
            }
            output.append(try JSONEncoder().encode(RankedLine(id: question.id, ranked: ids)))
            output.append(UInt8(ascii: "\n"))
        }
        try output.write(to: URL(fileURLWithPath: out))
        times.sort()
        func percentile(_ p: Double) -> Double { times.isEmpty ? 0 : times[min(times.count - 1, Int(Double(times.count) * p))] }
        var report = """
            qa eval: \(passages.count) passages, \(questions.count) questions\(signature.noModel ? " (no model)" : "")
            index built in \(String(format: "%.2f", QAFiles.milliseconds(built) / 1000)) s, resident memory \(String(format: "%.0f", QAFiles.residentMegabytes())) MB
            per question: p50 \(String(format: "%.2f", percentile(0.5))) ms, p99 \(String(format: "%.2f", percentile(0.99))) ms
            """
        let relevant = questions.map { Set($0.relevant ?? []) }
        if relevant.contains(where: { !$0.isEmpty }) {
            let figures = RetrievalFigures(ranked: ranked, relevant: relevant)
            report += String(
                format: "\nRecall@1 %.3f  Recall@10 %.3f  MRR@10 %.3f  (%d questions)", figures.recallAt1, figures.recallAt10,
                figures.mrrAt10, figures.questions)
            report += "\nconfident: \(confident) of \(questions.count), top passage right in \(confidentRight)"
            if confident > 0 { report += String(format: " (%.1f %%)", Double(confidentRight) * 100 / Double(confident)) }
        }
        context.console.print(report)
    }

    struct RankedLine: Encodable {
        let id: String
        let ranked: [String]
    }
}

/// `linli qa train --corpus C --queries Q --out M`: mines the term map from Q's `train` questions and fits
/// the confidence floors (two folds), writing the model file the server ships.
struct QATrainCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "corpus", help: "Passages, JSON lines {id,title,text}") var corpus: String?
        @Option(name: "queries", help: "Questions with relevant and split") var queries: String?
        @Option(name: "out", help: "The model file to write") var out: String?
    }

    var help: String { "Mines the assistant's term map and confidence floors from training questions." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let passages = try QAFiles.lines(PassageLine.self, signature.corpus, what: "corpus")
        let questions = try QAFiles.lines(QuestionLine.self, signature.queries, what: "queries")
        guard let out = signature.out else { throw QAFiles.Failure(description: "--out is required") }
        let index = PassageIndex(passages: passages.map { (title: $0.title, text: $0.text) })
        let model = AssistantModel.train(passages: passages, questions: questions, index: index)
        try Data(model.serialized().utf8).write(to: URL(fileURLWithPath: out))
        context.console.print(
            "qa train: \(model.map.count) question pairs mapped; confident when the lead ≥ \(model.confidence.minMargin) per pair and coverage ≥ \(model.confidence.minCoverage)"
        )
    }
}

/// `linli qa import --file F --key K --title T --kind law|faq|rules|notice [--community ID] …`: imports a
/// document into the server's database — for one community, or without `--community` for every community —
/// replacing the document with the same key whole. A line that cannot be read is named.
struct QAImportCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "file", help: "The document (markdown, text or JSON lines)") var file: String?
        @Option(name: "key", help: "The document's key; the same key replaces it") var key: String?
        @Option(name: "title", help: "Its title (物业管理条例)") var title: String?
        @Option(name: "kind", help: "law, faq, rules or notice") var kind: String?
        @Option(name: "format", help: "markdown, text or jsonl (from the file's extension)") var format: String?
        @Option(name: "community", help: "The community's id (none: every community)") var community: String?
        @Option(name: "issuer", help: "Who issued it") var issuer: String?
        @Option(name: "effective", help: "In force from (YYYY-MM-DD)") var effective: String?
        @Option(name: "expires", help: "Not used after (YYYY-MM-DD)") var expires: String?
        @Option(name: "link", help: "Where the full text is") var link: String?
    }

    var help: String { "Imports a knowledge-base document (a law per article, FAQ pairs, rules, a notice)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let data = try QAFiles.read(signature.file, what: "file")
        let path = signature.file ?? ""
        let format = signature.format ?? (path.hasSuffix(".jsonl") ? "jsonl" : path.hasSuffix(".md") ? "markdown" : "text")
        var community: UUID?
        if let raw = signature.community {
            guard let id = UUID(uuidString: raw) else { throw QAFiles.Failure(description: "--community must be a community's id") }
            community = id
        }
        let app = context.application
        try await app.autoMigrate()
        if let community, try await Community.find(community, on: app.db) == nil {
            throw QAFiles.Failure(description: "no community \(community)")
        }
        let input = KnowledgeImport(
            key: signature.key ?? "", title: signature.title ?? "", kind: signature.kind ?? "", issuer: signature.issuer,
            effectiveOn: signature.effective, expiresOn: signature.expires, link: signature.link, format: format,
            content: String(decoding: data, as: UTF8.self))
        do {
            let row = try await KnowledgeBase.importDocument(input, community: community, by: nil, now: Date(), on: app.db)
            context.console.success("\(row.key): version \(row.version), \(row.passages) passages (\(community.map { "community \($0)" } ?? "every community"))")
        } catch let error as LinliError {
            for issue in error.issues {
                context.console.error([issue.line.map { "line \($0)" }, issue.field, L10n.text("reason.\(issue.reason)", .en)].compactMap { $0 }.joined(separator: ": "))
            }
            throw error
        }
    }
}
