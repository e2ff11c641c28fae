import Fluent
import LinliCore
import Vapor

/// A guardian the community's operators registered for a child: a parent who is a tenant or a family
/// member of the flat, who may then consent for the child (face recognition) as the owner may.
final class Guardian: Model, @unchecked Sendable {
    static let schema = "guardians"
    @ID(key: .id) var id: UUID?
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "child_id") var childID: UUID
    @Field(key: "guardian_id") var guardianID: UUID
    @OptionalField(key: "registered_by") var registeredBy: UUID?
    @Field(key: "registered_at") var registeredAt: Date

    init() {}
}

struct GuardianRead: Content, Equatable {
    let childID: UUID
    let guardianID: UUID
    let guardianName: String
    let registeredAt: Date
}

struct GuardianCreate: Content {
    let guardianID: UUID
}

/// Who may speak for a child: the owner of the child's household, or a guardian the operators registered
/// who lives with the child. Used for consent to face recognition and its withdrawal.
enum Guardians {
    enum Standing: Equatable {
        /// The caller shares no current household with the child (404: they need not learn of them).
        case stranger
        /// The caller lives with the child but is neither its household's owner nor a registered guardian.
        case housemate
        case guardian
    }

    static func standing(of principal: Principal, for child: UUID, on db: any Database) async throws -> Standing {
        let shared = try await Membership.query(on: db).filter(\.$personID == child)
            .filter(\.$householdID ~~ Array(principal.households.keys)).filter(\.$movedOut == nil).all()
        guard !shared.isEmpty else { return .stranger }
        let mine = try await Membership.query(on: db).filter(\.$personID == principal.personID)
            .filter(\.$householdID ~~ shared.map(\.householdID)).filter(\.$movedOut == nil).all()
        if mine.contains(where: { $0.relation == .owner }) { return .guardian }
        let registered = try await Guardian.query(on: db).filter(\.$childID == child)
            .filter(\.$guardianID == principal.personID).filter(\.$communityID ~~ shared.map(\.communityID)).count()
        return registered > 0 ? .guardian : .housemate
    }

    static func isChild(_ person: Person, now: Date) -> Bool {
        person.isChild || (person.birthYear.map { Calendar.chinaYear(now) - $0 } ?? 99) < 14
    }

    static func list(child: UUID, in community: UUID, on db: any Database) async throws -> [GuardianRead] {
        let rows = try await Guardian.query(on: db).filter(\.$communityID == community).filter(\.$childID == child)
            .sort(\.$registeredAt).all()
        let people = try await Person.byID(rows.map(\.guardianID), on: db)
        return rows.map {
            GuardianRead(
                childID: $0.childID, guardianID: $0.guardianID, guardianName: people[$0.guardianID]?.name ?? "",
                registeredAt: $0.registeredAt)
        }
    }

    /// Registers a guardian: the child must be a child living in the community, the guardian an adult
    /// living in the same household. Audited.
    static func register(_ input: GuardianCreate, child: Person, in community: UUID, on req: Request) async throws
        -> GuardianRead
    {
        let childID = try child.requireID()
        let now = req.clock.now()
        guard isChild(child, now: now) else { throw LinliError.invalid("personID", "not_a_child") }
        let homes = try await Membership.scoped(to: community, on: req.db).filter(\.$personID == childID).all()
            .filter { $0.isCurrent(on: req.today) }
        guard let adult = try await Person.find(input.guardianID, on: req.db) else {
            throw LinliError.invalid("guardianID", "not_a_housemate")
        }
        let together = try await Membership.scoped(to: community, on: req.db).filter(\.$personID == input.guardianID)
            .filter(\.$householdID ~~ homes.map(\.householdID)).all().filter { $0.isCurrent(on: req.today) }
        guard !together.isEmpty, input.guardianID != childID else {
            throw LinliError.invalid("guardianID", "not_a_housemate")
        }
        guard !isChild(adult, now: now) else { throw LinliError.invalid("guardianID", "not_an_adult") }
        let row = Guardian()
        row.communityID = community
        row.childID = childID
        row.guardianID = input.guardianID
        row.registeredBy = try req.user().principal.personID
        row.registeredAt = now
        try await req.db.writeTransaction { db in
            let existing = try await Guardian.query(on: db).filter(\.$communityID == community)
                .filter(\.$childID == childID).filter(\.$guardianID == input.guardianID).count()
            guard existing == 0 else { throw LinliError(.conflict) }
            try await row.create(on: db)
            try await Audit.record(
                .grant, "guardian", id: childID, community: community, after: adult.name, by: req, on: db)
        }
        return GuardianRead(
            childID: childID, guardianID: input.guardianID, guardianName: adult.name, registeredAt: now)
    }

    static func remove(guardian: UUID, child: UUID, in community: UUID, on req: Request) async throws {
        try await req.db.writeTransaction { db in
            let removed = try await Guardian.query(on: db).filter(\.$communityID == community)
                .filter(\.$childID == child).filter(\.$guardianID == guardian).count()
            guard removed > 0 else { throw LinliError(.notFound) }
            try await Guardian.query(on: db).filter(\.$communityID == community).filter(\.$childID == child)
                .filter(\.$guardianID == guardian).delete()
            try await Audit.record(
                .revoke, "guardian", id: child, community: community, after: guardian.uuidString, by: req, on: db)
        }
    }

    static func routes(_ app: Application, _ api: any RoutesBuilder) {
        let path = RegistryAPI.c + "/people/{personID}/guardians"
        api.register(
            .init(
                method: .GET, path: path, operationID: "listGuardians",
                summary: "A child's registered guardians (besides the household's owner)", tag: "registry",
                authority: .community(object: "personID") { .viewRegistry($0) },
                response: Schema.page(of: "Guardian"), query: Endpoint.listQuery(.guardians)), in: app, listGuardians)
        api.register(
            .init(
                method: .POST, path: path, operationID: "registerGuardian",
                summary: "Register a guardian who lives with the child: they may consent for the child as the owner may",
                tag: "registry", authority: .community(object: "personID") { .manageRegistry($0) }, body: Schema.ref("GuardianCreate"), status: .created,
                response: Schema.ref("Guardian")), in: app, registerGuardian)
        api.register(
            .init(
                method: .DELETE, path: path + "/{guardianID}", operationID: "removeGuardian",
                summary: "Remove a registered guardian", tag: "registry",
                authority: .community(object: "personID") { .manageRegistry($0) }, status: .noContent), in: app, removeGuardian)
    }

    static let schemas: [(String, JSONValue)] = [
        (
            "Guardian",
            Schema.object(
                [
                    ("childID", Schema.uuid), ("guardianID", Schema.uuid), ("guardianName", Schema.string()),
                    ("registeredAt", Schema.dateTime),
                ], required: ["childID", "guardianID", "guardianName", "registeredAt"])
        ),
        ("GuardianCreate", Schema.object([("guardianID", Schema.uuid)], required: ["guardianID"])),
    ]
}
