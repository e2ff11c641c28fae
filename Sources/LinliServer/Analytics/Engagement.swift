import Fluent
import Foundation
import LinliCore
import Vapor

/// Who uses what was built: the community's households, those active in the period (any channel, and
/// per channel), and the same among the elderly households — so the community sees who is left out.
enum Engagement {
    /// A household is elderly when one of its current residents is marked elderly or is 60 or older.
    static func elderly(_ people: [Person], year: Int) -> Bool {
        people.contains { $0.isElderly || ($0.birthYear.map { year - $0 >= 60 } ?? false) }
    }

    @Sendable static func figures(_ c: FigureContext) async throws -> JSONValue {
        let stays = try await Membership.query(on: c.db).filter(\.$communityID == c.community).filter(\.$movedOut == nil).all()
        let households = Set(stays.map(\.householdID))
        let people = try await Person.byID(stays.map(\.personID), on: c.db)
        let byHome = Dictionary(grouping: stays, by: \.householdID)
        let elderlyHomes = Set(households.filter { home in elderly((byHome[home] ?? []).compactMap { people[$0.personID] }, year: c.period.to.year) })
        let active = c.active.values.reduce(Set<UUID>()) { $0.union($1) }.intersection(households)
        let channels = ["app", "tv", "kiosk", "bin"]
        return .object([
            ("households", .int(households.count)), ("activeHouseholds", .int(active.count)),
            ("activeRate", .rate(FeeFigures.rate(Int64(active.count), Int64(households.count)))),
            ("elderlyHouseholds", .int(elderlyHomes.count)), ("elderlyActive", .int(active.intersection(elderlyHomes).count)),
            ("elderlyActiveRate", .rate(FeeFigures.rate(Int64(active.intersection(elderlyHomes).count), Int64(elderlyHomes.count)))),
            ("byChannel", .object(channels.map { ($0, .int((c.active[$0] ?? []).intersection(households).count)) })),
            ("elderlyByChannel", .object(channels.map { ($0, .int((c.active[$0] ?? []).intersection(elderlyHomes).count)) })),
        ])
    }
}
