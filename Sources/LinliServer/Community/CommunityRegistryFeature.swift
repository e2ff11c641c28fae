import Fluent
import Vapor

/// The community registry: communities, buildings, households, residents, staff, audit.
/// The strings of this feature (`CommunityStrings` tables beside it).
enum CommunityStrings: LocalizedStrings {}

enum CommunityRegistry: Feature {
    static var strings: (any LocalizedStrings.Type)? { CommunityStrings.self }

    static func register(_ app: Application) {
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
        app.openAPIComponents.add(RegistrySchemas.all + Guardians.schemas)
    }
}
