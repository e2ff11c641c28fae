import Fluent
import Foundation
import LinliCore
import Vapor

/// The assistant's part of who is active: the homes of those who asked a question on a day, by the
/// channel they asked through (the app, the TV, a kiosk).
enum AskActivity {
    static func register(_ app: Application) {
        app.operationsFigures.addActivity("questions") { community, day, db in
            let (start, end) = ActivityDay.window(day)
            let asked = try await AskedQuestion.query(on: db).filter(\.$communityID == community).filter(\.$askedAt >= start)
                .filter(\.$askedAt < end).all()
            let homes = try await ActivityDay.homes(of: asked.map(\.personID), in: community, on: db)
            return asked.compactMap { question in homes[question.personID].map { ($0, question.channel) } }
        }
    }
}
