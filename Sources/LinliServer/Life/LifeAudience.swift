import Fluent
import Foundation
import LinliCore
import Vapor

/// Who sees an event or a club: the audience rules (``Audience``) applied to a resident of the community,
/// read from the registry (their homes' buildings, their age and their homes' children) and the clubs.
enum LifeAudience {
    static func of(_ event: LifeEvent) -> Audience {
        Audience(
            buildings: Set(Audience.split(event.audienceBuildings).compactMap(UUID.init(uuidString:))),
            groups: Set(Audience.split(event.audienceGroups)), club: event.clubID)
    }

    /// The resident's households in the community (none: not a resident there).
    static func homes(_ principal: Principal, in community: UUID) -> [UUID] {
        principal.households.filter { $0.value == community }.map(\.key).sorted { $0.uuidString < $1.uuidString }
    }

    /// The person as the audience rules see them in one community; nil when they do not live there.
    static func viewer(_ person: Person, homes: [UUID], community: UUID, today: String, on db: any Database) async throws
        -> Audience.Viewer?
    {
        guard !homes.isEmpty, let id = person.id else { return nil }
        let buildings = try await Household.query(on: db).filter(\.$id ~~ homes).all(\.$buildingID)
        let year = Int(today.prefix(4)) ?? 2026
        let housemates = try await Membership.query(on: db).filter(\.$householdID ~~ homes).all()
            .filter { $0.isCurrent(on: today) && $0.personID != id }.map(\.personID)
        let children =
            housemates.isEmpty
            ? 0
            : try await Person.query(on: db).filter(\.$id ~~ housemates).all()
                .filter { $0.isChild || ($0.birthYear.map { year - $0 < 18 } ?? false) }.count
        let clubs = try await ClubMember.query(on: db).filter(\.$personID == id).filter(\.$communityID == community)
            .filter(\.$status == .active).all(\.$clubID)
        return Audience.Viewer(
            buildings: Set(buildings),
            groups: Audience.groups(birthYear: person.birthYear, markedElderly: person.isElderly, childAtHome: children > 0, year: year),
            clubs: Set(clubs))
    }

    /// The viewer of the signed-in person in the community.
    static func viewer(_ req: Request, community: UUID) async throws -> Audience.Viewer? {
        let user = try req.user()
        return try await viewer(
            user.person, homes: homes(user.principal, in: community), community: community, today: req.today, on: req.db)
    }

    /// The event of a resident's path: in a community they live in and meant for them, else 404 (as if it
    /// did not exist).
    static func visibleEvent(_ req: Request) async throws -> LifeEvent {
        guard let event = try await LifeEvent.find(try req.id("eventID"), on: req.db) else { throw LinliError(.notFound) }
        let audience = of(event)
        // An event for everyone needs only a home in its community (no registry reads).
        if audience == Audience() {
            guard !homes(try req.user().principal, in: event.communityID).isEmpty else { throw LinliError(.notFound) }
            return event
        }
        guard let viewer = try await viewer(req, community: event.communityID), audience.admits(viewer) else {
            throw LinliError(.notFound)
        }
        return event
    }
}
