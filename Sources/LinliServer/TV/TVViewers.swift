import Fluent
import Foundation
import LinliCore
import Vapor

/// Who a TV box is and whom it acts for, from the box's cookie: the device token it was set up with.
enum TVViewers {
    static let cookie = "linli_tv"

    /// The box: a TV box of this server, not disabled; nil otherwise (its token changed, it was removed).
    static func device(_ req: Request) async -> DeviceRef? {
        guard let token = req.cookies[cookie]?.string, !token.isEmpty, token.count <= 200,
            let device = try? await req.deviceHub.authenticate(token), device.type == "tv_box", !device.disabled
        else { return nil }
        return device
    }

    /// The household the box is bound to, and its person the TV acts for — the first current resident
    /// marked elderly, else the eldest by birth year, else the owner; never a child. Nil when the box is
    /// unbound, its home is of another community or nobody lives there now. The person is signed in for
    /// this request with a role cut down to that home (``TVViewer``).
    static func viewer(_ device: DeviceRef, _ req: Request) async throws -> TVViewer? {
        guard let householdID = device.facts.householdID,
            let household = try await Household.find(householdID, on: req.db), household.communityID == device.communityID
        else { return nil }
        let stays = try await Membership.query(on: req.db).filter(\.$householdID == householdID).all()
            .filter { $0.isCurrent(on: req.today) }
        let people = try await Person.byID(stays.map(\.personID), on: req.db)
        let candidates = stays.compactMap { stay in people[stay.personID].map { (stay, $0) } }.filter { !$0.1.isChild }
        let chosen = candidates.sorted { a, b in
            if a.1.isElderly != b.1.isElderly { return a.1.isElderly }
            if a.1.birthYear != b.1.birthYear { return (a.1.birthYear ?? 9999) < (b.1.birthYear ?? 9999) }
            if (a.0.relation == .owner) != (b.0.relation == .owner) { return a.0.relation == .owner }
            return a.1.phone < b.1.phone
        }.first
        guard let (_, person) = chosen, let personID = person.id else { return nil }
        let full = try await CurrentUser.load(person, on: req.db, today: req.today)
        let principal = Principal(
            personID: personID, isAdmin: false, staffRoles: [:], households: [householdID: device.communityID],
            residentSince: full.principal.residentSince.filter { $0.key == householdID })
        req.auth.login(
            CurrentUser(person: person, principal: principal, roles: [], homes: full.homes.filter { $0.householdID == householdID }))
        return TVViewer(device: device.id, community: device.communityID, household: householdID, person: personID)
    }
}
