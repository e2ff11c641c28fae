import Fluent
import LinliCore
import Vapor

/// The signed-in person and what they may do, loaded once per request.
struct CurrentUser: Authenticatable, @unchecked Sendable {
    let person: Person
    let principal: Principal
    /// The staff roles and current homes as `/me` shows them, read with the principal (and cached with
    /// it: a rename of a community, building or home drops every cached principal).
    let roles: [MeRead.Role]
    let homes: [MeRead.Home]

    /// Loads the person's staff roles and current households.
    static func load(_ person: Person, on db: any Database, today: String) async throws -> CurrentUser {
        let id = try person.requireID()
        let roles = try await StaffAssignment.query(on: db).filter(\.$personID == id).all()
        let memberships = try await Membership.query(on: db).filter(\.$personID == id).all()
        var staff: [UUID: Set<StaffRole>] = [:]
        for role in roles { staff[role.communityID, default: []].insert(role.role) }
        var households: [UUID: UUID] = [:]
        // Since when each stay began (the start of the move-in day, China time): records of the home from
        // before are the former occupants'.
        var since: [UUID: Date] = [:]
        for membership in memberships where membership.isCurrent(on: today) {
            households[membership.householdID] = membership.communityID
            let start = CivilDate(membership.movedIn).map(Calendar.chinaStart(of:)) ?? .distantPast
            since[membership.householdID] = min(since[membership.householdID] ?? start, start)
        }
        // The current homes with their buildings in one query, then the community names in another.
        let rows =
            households.isEmpty
            ? []
            : try await Household.query(on: db).join(Building.self, on: \Household.$buildingID == \Building.$id)
                .filter(\.$id ~~ Array(households.keys)).all()
        let communityIDs = Set(roles.map(\.communityID)).union(rows.map(\.communityID))
        let names =
            communityIDs.isEmpty
            ? [:] : Community.byID(try await Community.query(on: db).filter(\.$id ~~ Array(communityIDs)).all())
        func name(_ id: UUID) -> String { names[id]?.name ?? "" }
        let homes = rows.compactMap { home -> MeRead.Home? in
            guard let homeID = home.id,
                let stay = memberships.first(where: { $0.householdID == homeID && $0.isCurrent(on: today) })
            else { return nil }
            return MeRead.Home(
                householdID: homeID, communityID: home.communityID, communityName: name(home.communityID),
                building: (try? home.joined(Building.self).name) ?? "", room: home.room, floor: home.floor,
                areaM2: home.areaM2, relation: stay.relation)
        }
        return CurrentUser(
            person: person,
            principal: Principal(
                personID: id, isAdmin: person.isAdmin, staffRoles: staff, households: households,
                residentSince: since),
            roles: roles.map { .init(communityID: $0.communityID, communityName: name($0.communityID), role: $0.role) },
            homes: homes)
    }
}

/// Signs in API clients that send `Authorization: Bearer <token>`; what a token signs in is cached
/// (``PrincipalCache``).
struct BearerUserAuthenticator: AsyncBearerAuthenticator {
    func authenticate(bearer: BearerAuthorization, for request: Request) async throws {
        let hash = UserToken.hash(bearer.token)
        let now = request.clock.now()
        let cache = request.application.principals
        if let (user, tokenID) = cache.user(token: hash, now: now) {
            request.storage[CurrentTokenKey.self] = tokenID
            request.auth.login(user)
            return
        }
        let ticket = cache.ticket()
        // One query for the token and its person.
        guard
            let token = try await UserToken.query(on: request.db)
                .join(Person.self, on: \UserToken.$personID == \Person.$id)
                .filter(\.$tokenHash == hash).first(),
            token.expiresAt > now, let tokenID = token.id,
            let person = try? token.joined(Person.self)
        else { return }
        let user = try await CurrentUser.load(person, on: request.db, today: request.today)
        cache.store(token: hash, id: tokenID, tokenExpires: token.expiresAt, user, now: now, ticket: ticket)
        request.storage[CurrentTokenKey.self] = tokenID
        request.auth.login(user)
    }
}

struct CurrentTokenKey: StorageKey { typealias Value = UUID }

/// Signs in browsers by the person id in their session (the session row is read on every request, so
/// a session ended elsewhere ends here; the person is cached like a token's).
struct SessionUserAuthenticator: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        // Only a request that came with a session is looked at (reading one would make a new session).
        if request.hasSession, let text = request.session.data["person"], let id = UUID(uuidString: text) {
            let now = request.clock.now()
            let cache = request.application.principals
            if let user = cache.user(session: id, now: now) {
                request.auth.login(user)
            } else {
                let ticket = cache.ticket()
                if let person = try await Person.find(id, on: request.db) {
                    let user = try await CurrentUser.load(person, on: request.db, today: request.today)
                    cache.store(session: user, now: now, ticket: ticket)
                    request.auth.login(user)
                }
            }
        }
        return try await next.respond(to: request)
    }
}

extension Request {
    /// The signed-in user, or a 401 problem.
    func user() throws -> CurrentUser {
        guard let user = auth.get(CurrentUser.self) else { throw LinliError(.unauthorized) }
        return user
    }

    /// Asks the access policy; a denial becomes 403, or 404 where existence must not leak.
    func authorize(_ access: AccessRequest) throws {
        switch AccessPolicy.decide(access, for: try user().principal) {
        case .allow: return
        case .forbidden: throw LinliError(.forbidden)
        case .hidden: throw LinliError(.notFound)
        }
    }

    func can(_ access: AccessRequest) -> Bool {
        guard let user = auth.get(CurrentUser.self) else { return false }
        return AccessPolicy.decide(access, for: user.principal) == .allow
    }
}
