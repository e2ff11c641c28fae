import Fluent
import Foundation
import LinliCore
import Vapor

extension LifeFigures: Content {}

/// Figures of events and clubs (``LifeFigures``) from their registrations and the people's birth years.
enum LifeStats {
    static func figures(_ query: QueryBuilder<Registration>, today: String, on db: any Database) async throws -> LifeFigures {
        let rows = try await query.all()
        let year = Int(today.prefix(4)) ?? 2026
        var born: [UUID: Int] = [:]
        let ids = Array(Set(rows.map(\.personID)))
        for start in stride(from: 0, to: ids.count, by: 500) {
            for person in try await Person.query(on: db).filter(\.$id ~~ Array(ids[start..<min(start + 500, ids.count)])).all() {
                if let id = person.id, let year = person.birthYear { born[id] = year }
            }
        }
        return LifeFigures(
            rows.map {
                LifeFigures.Entry(
                    status: $0.status.rawValue, seats: $0.seats, checkedIn: $0.checkedInAt != nil, noShow: $0.noShow,
                    promoted: $0.promoted, ageGroup: Audience.ageGroup(birthYear: born[$0.personID], year: year))
            })
    }

    /// The figures of a club: every registration for its events.
    static func club(_ club: UUID, today: String, on db: any Database) async throws -> LifeFigures {
        let events = try await LifeEvent.query(on: db).filter(\.$clubID == club).all(\.$id)
        guard !events.isEmpty else { return LifeFigures() }
        return try await figures(Registration.query(on: db).filter(\.$eventID ~~ events), today: today, on: db)
    }
}
