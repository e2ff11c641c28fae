import Fluent
import Foundation
import LinliCore
import Vapor

/// The assistant's part of the demand figures: questions asked in the period (by channel, and the share
/// answered confidently), their topics, and the questions handed to a worker still waiting now.
enum QuestionFigures {
    static func register(_ app: Application) {
        app.operationsFigures.addDaily("questions") { community, day, db in
            let (start, end) = ActivityDay.window(day)
            let asked = try await AskedQuestion.query(on: db).filter(\.$communityID == community).filter(\.$askedAt >= start)
                .filter(\.$askedAt < end).all()
            var out: [String: Double] = ["questions.asked": Double(asked.count), "questions.confident": Double(asked.filter(\.confident).count)]
            for question in asked {
                out["questions.channel.\(question.channel)", default: 0] += 1
                out["questions.topic.\(question.topic.isEmpty ? "none" : question.topic)", default: 0] += 1
            }
            return out
        }
        app.operationsFigures.add("questions", order: 50, audience: { .viewAnalytics($0) }) { c in
            let waiting = try await Consultation.query(on: c.db).filter(\.$communityID == c.community).filter(\.$status == "open").count()
            let asked = c.int("questions.asked")
            let topics = c.under("questions.topic").sorted { $0.1 > $1.1 }.prefix(10)
            return .object([
                ("asked", .int(asked)), ("confidentRate", .rate(FeeFigures.rate(Int64(c.int("questions.confident")), Int64(asked)))),
                ("unansweredNow", .int(waiting)),
                ("byChannel", .object(c.under("questions.channel").map { ($0.0, .int(Int($0.1))) })),
                ("topTopics", .array(topics.map { .object([("topic", .string($0.0)), ("asked", .int(Int($0.1)))]) })),
            ])
        }
    }
}
