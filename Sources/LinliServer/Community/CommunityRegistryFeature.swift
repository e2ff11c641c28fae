import Fluent
import Vapor

/// The community registry: communities, buildings, households, residents, staff, audit.
/// The strings of this feature (`CommunityStrings` tables beside it).
enum CommunityStrings: LocalizedStrings {}

enum CommunityRegistry: Feature {
    static var strings: (any LocalizedStrings.Type)? { CommunityStrings.self }

    static func register(_ app: Application) {
        let tabs = app.consoleTabs
        tabs.add("overview", order: 10, shown: { .viewRegistry($0) }) { RegistryRoute.community($0) }
        tabs.add("households", order: 20, shown: { .viewRegistry($0) }) { RegistryRoute.households($0) }
        tabs.add("residents", order: 30, shown: { .viewRegistry($0) }) { RegistryRoute.residents($0) }
        tabs.add("staff", order: 40, shown: { .viewRegistry($0) }) { RegistryRoute.staff($0) }
        tabs.add("import", order: 140, shown: { .manageRegistry($0) }) { RegistryRoute.importResidents($0) }
        tabs.add("audit", order: 150, shown: { .manageRegistry($0) }) { RegistryRoute.audit($0) }
        app.stampWithClock(Community.self)
        app.stampWithClock(Building.self)
        app.stampWithClock(Household.self)
        app.stampWithClock(Person.self)
        app.stampWithClock(Membership.self)
        app.stampWithClock(StaffAssignment.self)
        app.migrations.add(CreateCommunity())
        app.migrations.add(CreateBuilding())
        app.migrations.add(CreateHousehold())
        app.migrations.add(CreatePerson())
        app.migrations.add(CreateMembership())
        app.migrations.add(CreateStaffAssignment())
        app.migrations.add(CreateAuditEntry())
        app.migrations.add(AddStaffShift())
        app.migrations.add(CreateGuardian())
        RegistryAPI.register(app, app.api.authenticated)
        EmergencyContacts.register(app, app.api.authenticated)
        app.openAPIComponents.add(RegistrySchemas.all + Guardians.schemas)
    }
}
