import Fluent
import LinliCore
import Vapor

extension ConsolePages {
    /// Residents, one person, staff roles.
    static func registerPeople(_ web: any RoutesBuilder) {
        Web.route(web, .GET, { c, _, _ in RegistryRoute.residents(c) }, authority: .community { .viewRegistry($0) }, residentsPage)
        Web.route(web, .POST, { c, _, _ in RegistryRoute.residents(c) }, authority: .community { .manageRegistry($0) }, postResidents)
        Web.route(web, .GET, { c, p, _ in RegistryRoute.person(c, p) }, authority: .community { .viewRegistry($0) }, personPage)
        Web.route(web, .POST, { c, p, _ in RegistryRoute.guardians(c, p) }, authority: .community { .manageRegistry($0) }, postGuardians)
        Web.route(web, .POST, { c, p, g in RegistryRoute.guardianRemove(c, p, g) }, authority: .community { .manageRegistry($0) }, postGuardianRemove)
        Web.route(web, .POST, { c, p, _ in RegistryRoute.person(c, p) }, authority: .community { .manageRegistry($0) }, postPerson)
        Web.route(web, .POST, { c, p, _ in RegistryRoute.personReset(c, p) }, authority: .community { .viewRegistry($0) }, postPersonReset)
        Web.route(web, .GET, { c, _, _ in RegistryRoute.staff(c) }, authority: .community { .viewRegistry($0) }, staffPage)
        Web.route(web, .POST, { c, _, _ in RegistryRoute.staff(c) }, authority: .community { .manageStaff($0) }, postStaff)
        Web.route(web, .POST, { c, s, _ in RegistryRoute.revokeStaff(c, s) }, authority: .community { .manageStaff($0) }, postRevokeStaff)
    }

    /// The guardians section of a child's page: who is registered, and the adults living with the child.
    static func guardianship(_ child: Person, _ memberships: [Membership], in community: UUID, _ req: Request)
        async throws -> Guardianship?
    {
        let now = req.clock.now()
        guard Guardians.isChild(child, now: now) else { return nil }
        let childID = try child.requireID()
        let registered = try await Guardians.list(child: childID, in: community, on: req.db)
        let homes = memberships.filter { $0.isCurrent(on: req.today) }.map(\.householdID)
        let housemates = try await Membership.scoped(to: community, on: req.db).filter(\.$householdID ~~ homes).all()
            .filter { $0.isCurrent(on: req.today) && $0.personID != childID }
        let people = try await Person.byID(housemates.map(\.personID), on: req.db)
        let taken = Set(registered.map(\.guardianID))
        return Guardianship(
            entries: registered.map {
                .init(name: $0.guardianName, remove: RegistryRoute.guardianRemove(community, childID, $0.guardianID).path)
            },
            candidates: people.values.filter { !Guardians.isChild($0, now: now) && !taken.contains($0.id ?? childID) }
                .sorted { $0.name < $1.name }.map { Option(value: $0.id?.uuidString ?? "", label: $0.name) },
            action: RegistryRoute.guardians(community, childID).path)
    }
}
