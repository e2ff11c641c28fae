import Fluent
import Foundation
import LinliCore
import SQLKit
import Vapor

/// Creating events: checks the input, the venue (one of the community's; two events overlapping in one
/// venue are refused with 409 naming the other), and makes a weekly series as one event per date.
enum EventCreation {
    static func create(
        _ input: EventInput, community: UUID, club: UUID?, by: UUID, now: Date, on db: any Database
    ) async throws -> [LifeEvent] {
        var v = Validation()
        let title = v.text(input.title, "title", max: 60) ?? ""
        let place = v.text(input.place, "place", max: 60) ?? ""
        let details = v.text(input.description?.nilIfEmpty, "description", max: 2000, required: false, multiline: true) ?? ""
        v.range(input.capacity, "capacity", 1...10_000)
        v.range(input.seatsPerSignup, "seatsPerSignup", 1...10)
        v.range(input.feeFen, "feeFen", 0...1_000_000)
        v.range(input.offerHours, "offerHours", 1...168)
        v.range(input.drawMinutes, "drawMinutes", 1...1440)
        v.range(input.repeatWeeks, "repeatWeeks", 1...52)
        if input.endsAt <= input.startsAt { v.fail("endsAt", "ends_before_start") }
        if input.endsAt.timeIntervalSince(input.startsAt) > 7 * 86_400 { v.fail("endsAt", "event_too_long") }
        if let opens = input.signupOpensAt, let closes = input.signupClosesAt, closes <= opens { v.fail("signupClosesAt", "ends_before_start") }
        if let closes = input.signupClosesAt, closes > input.endsAt { v.fail("signupClosesAt", "after_event") }
        let groups = Set(input.audience?.groups ?? [])
        if !groups.isSubset(of: Audience.groups) { v.fail("audience.groups", "invalid_value") }
        try v.check()
        guard let venue = try await Venue.scoped(to: community, on: db).filter(\.$name == place).first() else {
            throw LinliError.invalid("place", "unknown_venue")
        }
        let buildings = Set(input.audience?.buildings ?? [])
        if !buildings.isEmpty {
            let known = try await Building.query(on: db).filter(\.$communityID == community).filter(\.$id ~~ Array(buildings)).count()
            guard known == buildings.count else { throw LinliError.invalid("audience.buildings", "invalid_value") }
        }
        let weeks = input.repeatWeeks ?? 1
        let series = weeks > 1 ? UUID() : nil
        let venueID = try venue.requireID()
        return try await db.writeTransaction { tx in
            // Every event created in the venue writes its row first: creations there take turns, so two
            // overlapping ones cannot both pass the check below.
            _ = try await tx.conditionalUpdate(Venue.schema) {
                $0.set("bookings", to: SQLRaw("bookings + 1")).where("id", .equal, venueID)
            }
            var made: [LifeEvent] = []
            for week in 0..<weeks {
                let shift = TimeInterval(week) * 7 * 86_400
                let starts = input.startsAt.addingTimeInterval(shift)
                let ends = input.endsAt.addingTimeInterval(shift)
                if let other = try await LifeEvent.query(on: tx).filter(\.$venueID == venueID).filter(\.$cancelledAt == nil)
                    .filter(\.$startsAt < ends).filter(\.$endsAt > starts).first()
                {
                    throw LinliError(
                        .conflict, ["other": other.title, "otherStartsAt": Calendar.chinaMinute(other.startsAt)],
                        issues: [FieldIssue(field: "place", reason: "venue_taken")])
                }
                let row = LifeEvent()
                row.communityID = community
                row.title = title
                row.details = details
                row.place = venue.name
                row.venueID = venueID
                row.startsAt = starts
                row.endsAt = ends
                row.capacity = input.capacity
                row.seatsPerSignup = input.seatsPerSignup ?? 2
                row.confirmedSeats = 0
                row.waiting = 0
                row.createdBy = by
                row.createdAt = now
                row.feeFen = input.feeFen ?? 0
                row.waitlist = input.waitlist ?? .promote
                row.holdSeconds = (input.offerHours ?? 24) * 3600
                row.signupOpensAt = input.signupOpensAt.map { $0.addingTimeInterval(shift) }
                row.signupClosesAt = input.signupClosesAt.map { $0.addingTimeInterval(shift) }
                row.cancelBy = input.cancelBy.map { $0.addingTimeInterval(shift) }
                row.drawUntil = input.drawMinutes.map {
                    max(row.signupOpensAt ?? now, now).addingTimeInterval(TimeInterval($0 * 60))
                }
                row.audienceBuildings = Audience.join(buildings.map(\.uuidString))
                row.audienceGroups = Audience.join(groups)
                row.clubID = club
                row.seriesID = series
                try await row.create(on: tx)
                made.append(row)
            }
            return made
        }
    }
}
