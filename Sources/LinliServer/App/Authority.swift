import Fluent
import LinliCore
import Vapor

/// Who may call an endpoint and what it is scoped by. Declared on every ``Endpoint``, checked by the
/// shell before the handler runs (before its body is read), and read by the generated tenancy tests,
/// which attack every route from its declaration: a new route is covered without anyone editing a test.
enum Authority: Sendable {
    /// Anyone, signed in or not: signing in, health, the document.
    case anyone
    /// A device, by its own token (in the path or as the bearer); the handler finds the device.
    case device
    /// Any signed-in person, about themself (`/me`, their tokens).
    case signedIn
    /// A signed-in person with authority over the path's object (`orderID` → a work order): the handler
    /// decides from the object (its household, its assignee) and answers 404 to anyone else.
    case object(String)
    /// A current resident of the path's household (`householdID`), acting for it: nobody else, staff and
    /// administrators included (`AccessRequest.actForHousehold`).
    case resident
    /// The path's household (`householdID`) in the path's community (`communityID`): its staff, and its
    /// residents (`AccessRequest.viewHousehold`); a household of another community is not found.
    case household
    /// `request(communityID)` in the path's community; with `object`, the path's object (`personID`) then
    /// decides further (a person is seen by their own households and by staff), 404 for the others.
    case community(object: String? = nil, _ request: @Sendable (UUID) -> AccessRequest)
    /// A platform-wide request (creating a community: administrators).
    case platform(AccessRequest)

    /// Checks the caller against the declaration and keeps what it resolved in ``Request/scope``.
    func check(_ req: Request) async throws {
        switch self {
        case .anyone, .device:
            return
        case .signedIn, .object:
            _ = try req.user()
        case .platform(let request):
            try req.authorize(request)
        case .resident:
            let id = try req.id("householdID")
            try req.authorize(.actForHousehold(id))
            guard let household = try await Household.find(id, on: req.db) else { throw LinliError(.notFound) }
            req.scope = RequestScope(community: household.communityID, household: household)
        case .household:
            let community = try req.id("communityID")
            let id = try req.id("householdID")
            try req.authorize(.viewHousehold(household: id, community: community))
            let household = try await Household.find(id, in: community, on: req.db)
            req.scope = RequestScope(community: community, household: household)
        case .community(_, let request):
            let community = try req.id("communityID")
            try req.authorize(request(community))
            guard let row = try await Community.find(community, on: req.db) else { throw LinliError(.notFound) }
            req.scope = RequestScope(community: community, household: nil, row: row)
        }
    }
}

extension Endpoint {
    /// Whether the path's object, not the declaration alone, decides who sees it.
    var objectDecides: Bool {
        switch authority {
        case .object, .community(.some, _): true
        case .anyone, .device, .signedIn, .resident, .household, .community(.none, _), .platform: false
        }
    }
}

/// What the endpoint's ``Authority`` resolved for this request, once: the community of the path the
/// caller may act in, and the household. Handlers read it instead of checking again.
struct RequestScope: Sendable {
    let community: UUID?
    let household: Household?
    /// The path's community as read for the check (`.community` declarations), for the page's header.
    var row: Community? = nil

    /// The path's community, checked against the endpoint's declaration.
    func communityID() throws -> UUID {
        guard let community else { throw LinliError(.notFound) }
        return community
    }

    /// The path's household, checked against the endpoint's declaration.
    func home() throws -> Household {
        guard let household else { throw LinliError(.notFound) }
        return household
    }
}

extension Request {
    private struct ScopeKey: StorageKey { typealias Value = RequestScope }

    /// What the endpoint's declared authority resolved (empty for routes scoped by nothing).
    var scope: RequestScope {
        get { storage[ScopeKey.self] ?? RequestScope(community: nil, household: nil) }
        set { storage[ScopeKey.self] = newValue }
    }
}
