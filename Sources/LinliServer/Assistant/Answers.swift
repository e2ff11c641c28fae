import Fluent
import Foundation
import LinliCore
import SQLKit
import Vapor

struct AskInput: Content {
    let question: String
    /// Needed only by someone who lives in more than one community.
    var communityID: UUID?
}

struct AnswerRead: Content {
    let passageID: UUID
    let title: String
    let excerpt: String
    /// Where the question's words occur in the excerpt: `[start, length]` in Unicode characters.
    let marks: [[Int]]
    let source: KnowledgeSource
    let score: Double
}

struct HandoffOffer: Content {
    /// POST here (no body) to send the question to a community worker.
    let path: String
}

struct AskRead: Content {
    let questionID: UUID
    let question: String
    let answers: [AnswerRead]
    /// True when the first answer is, by the assistant's fitted floor, right at least 80 % of the time;
    /// otherwise the answers are only "maybe" and a hand-off is offered.
    let confident: Bool
    let handoff: HandoffOffer?
}

/// Questions answered from the knowledge base, each recorded with what it got.
enum Answers {
    static let maxQuestion = 300

    struct Asker: Sendable {
        let person: UUID
        let community: UUID
        /// `app`, `kiosk`, `tv`.
        var channel = "app"
        var device: UUID? = nil
    }

    /// What the knowledge base answers to a question: up to three passages and whether the first is
    /// confidently right; and the top passage's topic and id, for the record.
    static func find(_ question: String, community: UUID, app: Application, today: String, on db: any Database) async throws
        -> (answers: [AnswerRead], confident: Bool, topic: String, top: UUID?)
    {
        try await find(question, community: community, indexes: app.knowledgeIndexes, model: app.assistantModel, today: today, on: db)
    }

    static func find(
        _ question: String, community: UUID, indexes: KnowledgeIndexes, model: AssistantModel, today: String, on db: any Database
    ) async throws -> (answers: [AnswerRead], confident: Bool, topic: String, top: UUID?) {
        let snapshot = try await indexes.snapshot(for: community, today: today, on: db)
        let ranking = snapshot.index.search(question, map: model.map, top: 3)
        var confident = false
        if let first = ranking.hits.first {
            confident = model.confidence.isConfident(margin: ranking.margin, coverage: snapshot.index.coverage(of: ranking, passage: first.passage))
        }
        let answers = ranking.hits.map { hit in
            let entry = snapshot.entries[hit.passage]
            let excerpt = Excerpt(of: entry.text, for: question)
            return AnswerRead(
                passageID: entry.id, title: entry.title, excerpt: excerpt.text, marks: excerpt.marks.map { [$0.start, $0.length] },
                source: entry.source, score: (Double(hit.score) * 100).rounded() / 100)
        }
        let top = ranking.hits.first.map { snapshot.entries[$0.passage] }
        return (answers, confident, top?.source.title ?? "", top?.id)
    }

    static func ask(_ text: String, _ asker: Asker, app: Application, now: Date, today: String, on db: any Database) async throws -> AskRead {
        var v = Validation()
        let question = v.text(text, "question", max: maxQuestion) ?? ""
        try v.check()
        let found = try await find(question, community: asker.community, app: app, today: today, on: db)
        let row = AskedQuestion()
        row.communityID = asker.community
        row.personID = asker.person
        row.text = question
        row.confident = found.confident
        row.topic = found.topic
        row.topPassageID = found.top
        row.channel = asker.channel
        row.deviceID = asker.device
        row.askedAt = now
        try await row.create(on: db)
        let id = try row.requireID()
        return AskRead(
            questionID: id, question: question, answers: found.answers, confident: found.confident,
            handoff: found.confident ? nil : HandoffOffer(path: "/api/v1/qa/questions/\(id)/handoff"))
    }

    /// The community a person asks in: the one named, if they live there, else their only one.
    static func community(of user: CurrentUser, named: UUID?) throws -> UUID {
        let communities = Set(user.principal.households.values)
        if let named {
            guard communities.contains(named) else { throw LinliError(.notFound) }
            return named
        }
        guard communities.count == 1, let only = communities.first else {
            throw LinliError.invalid("communityID", communities.isEmpty ? "qa_no_community" : "qa_choose_community")
        }
        return only
    }

    /// Records whether the answer helped (the asker may change their mind).
    static func rate(_ question: AskedQuestion, helpful: Bool, on db: any Database) async throws {
        question.helpful = helpful
        try await question.update(on: db)
    }

    /// Sends the question to the community's workers: a consultation and a task on their list, once (a
    /// repeat, or two at once: 409).
    static func handOff(_ question: AskedQuestion, now: Date, on db: any Database) async throws -> Consultation {
        let questionID = try question.requireID()
        return try await db.writeTransaction { tx in
            let row = Consultation()
            row.communityID = question.communityID
            row.questionID = questionID
            row.personID = question.personID
            row.question = question.text
            row.createdAt = now
            let task = UUID()
            row.taskID = task
            do { try await row.create(on: tx) } catch let error as any DatabaseError where error.isConstraintFailure {
                throw LinliError(.conflict, issues: [FieldIssue(field: "questionID", reason: "qa_already_handed_off")])
            }
            try await StaffTasks.open(
                "task.qa.consultation", .init(role: .communityWorker), community: question.communityID, id: task, now: now, on: tx)
            return row
        }
    }

    /// The worker's reply, once (open → answered as a conditional write, with its task closed and the
    /// resident told); saved as a new FAQ of the community when asked.
    static func reply(
        _ consultation: Consultation, text: String, saveAsFAQ: Bool, by worker: UUID, now: Date, on db: any Database
    ) async throws {
        var v = Validation()
        let reply = v.text(text, "reply", max: 2000, multiline: true) ?? ""
        try v.check()
        let id = try consultation.requireID()
        try await db.writeTransaction { tx in
            let answered = try await tx.conditionalUpdate(Consultation.schema) {
                $0.set("status", to: "answered").set("reply", to: reply).set("replied_by", to: worker).set("replied_at", to: now)
                    .where("id", .equal, id).where("status", .equal, "open")
            }
            guard answered == 1 else { throw LinliError(.conflict, issues: [FieldIssue(field: "status", reason: "qa_already_answered")]) }
            if let task = consultation.taskID { try await StaffTasks.close(task, by: worker.uuidString, now: now, on: tx) }
            if saveAsFAQ {
                let passage = try await KnowledgeBase.learn(
                    question: consultation.question, answer: reply, community: consultation.communityID, now: now, on: tx)
                _ = try await tx.conditionalUpdate(Consultation.schema) { $0.set("faq_passage_id", to: passage).where("id", .equal, id) }
            }
            try await Notifier.send(
                "qa.note.replied", .questions, to: .person(consultation.personID), community: consultation.communityID, now: now, on: tx)
        }
    }
}

extension NotificationTopic {
    static let questions = NotificationTopic("questions")
}
