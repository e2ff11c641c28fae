import Foundation
import LinliCore
import Vapor

// Read, Create and Update shapes of the registry, apart from the models.

struct CommunityRead: Content, Equatable {
    let id: UUID
    let name: String
    let address: String

    init(_ c: Community) throws {
        id = try c.requireID()
        name = c.name
        address = c.address
    }
}

struct CommunityCreate: Decodable {
    let name: String
    let address: String
}

struct CommunityUpdate: Decodable {
    let name: String?
    let address: String?
}

struct BuildingRead: Content, Equatable {
    let id: UUID
    let communityID: UUID
    let name: String
    let floors: Int

    init(_ b: Building) throws {
        id = try b.requireID()
        communityID = b.communityID
        name = b.name
        floors = b.floors
    }
}

struct BuildingCreate: Decodable {
    let name: String
    let floors: Int
}

struct BuildingUpdate: Decodable {
    let name: String?
    let floors: Int?
}

struct HouseholdRead: Content, Equatable {
    let id: UUID
    let communityID: UUID
    let buildingID: UUID
    let floor: Int
    let room: String
    let areaM2: Double

    init(_ h: Household) throws {
        id = try h.requireID()
        communityID = h.communityID
        buildingID = h.buildingID
        floor = h.floor
        room = h.room
        areaM2 = h.areaM2
    }
}

struct HouseholdCreate: Decodable {
    let buildingID: UUID
    let floor: Int
    let room: String
    let areaM2: Double
}

struct HouseholdUpdate: Decodable {
    let floor: Int?
    let room: String?
    let areaM2: Double?
}

struct PersonRead: Content, Equatable {
    let id: UUID
    let name: String
    let phone: String
    let birthYear: Int?
    let isElderly: Bool
    let livesAlone: Bool
    let isChild: Bool

    init(_ p: Person) throws {
        id = try p.requireID()
        name = p.name
        phone = p.phone
        birthYear = p.birthYear
        isElderly = p.isElderly
        livesAlone = p.livesAlone
        isChild = p.isChild
    }
}

/// A new resident: the person and their membership of a household, created together.
struct ResidentCreate: Decodable {
    let name: String
    let phone: String
    let birthYear: Int?
    let isElderly: Bool?
    let livesAlone: Bool?
    let isChild: Bool?
    let householdID: UUID
    let relation: HouseholdRelation
    let movedIn: CivilDate?
}

struct PersonUpdate: Decodable {
    let name: String?
    let birthYear: Int?
    let isElderly: Bool?
    let livesAlone: Bool?
    let isChild: Bool?
    /// Refused: an operator never sets a password (`.../password-reset` starts a reset instead).
    let password: String?
}

struct MembershipRead: Content, Equatable {
    let id: UUID
    let householdID: UUID
    let personID: UUID
    let personName: String
    let relation: HouseholdRelation
    let movedIn: String
    let movedOut: String?
    let isCurrent: Bool

    init(_ m: Membership, person: Person?, today: String) throws {
        id = try m.requireID()
        householdID = m.householdID
        personID = m.personID
        personName = person?.name ?? ""
        relation = m.relation
        movedIn = m.movedIn
        movedOut = m.movedOut
        isCurrent = m.isCurrent(on: today)
    }
}

/// Adds a person who is already known (by phone) to a household.
struct MemberCreate: Decodable {
    let phone: String
    let relation: HouseholdRelation
    let movedIn: CivilDate?
}

struct MembershipUpdate: Decodable {
    let relation: HouseholdRelation?
    /// Moving out: the person keeps their history but loses the household from this date.
    let movedOut: CivilDate?
}

struct StaffRead: Content, Equatable {
    let id: UUID
    let communityID: UUID
    let personID: UUID
    let personName: String
    let phone: String
    let role: StaffRole
    /// `HH:MM-HH:MM` on duty (China time), or nil for all day.
    let shift: String?
    /// Work-order skills; empty: takes any request.
    let skills: [String]

    init(_ s: StaffAssignment, person: Person?) throws {
        id = try s.requireID()
        communityID = s.communityID
        personID = s.personID
        personName = person?.name ?? ""
        phone = person?.phone ?? ""
        role = s.role
        shift = s.shift?.text
        skills = s.skills.sorted()
    }
}

/// Grants a role; a phone not yet known needs a name and creates the person.
struct StaffCreate: Decodable {
    let phone: String
    let name: String?
    let role: StaffRole
    /// An initial password (8+ characters), so the staff member can sign in; never overwrites an existing one.
    let password: String?
    /// `HH:MM-HH:MM` on duty (China time); absent: all day.
    var shift: String? = nil
}

struct StaffSkillsUpdate: Decodable {
    let skills: [String]
}

struct StaffShiftUpdate: Decodable {
    /// `HH:MM-HH:MM` (China time), or null for all day.
    let shift: String?
}

struct AuditRead: Content {
    let id: UUID
    let actorID: UUID?
    let actorName: String
    let action: String
    let entity: String
    let entityID: UUID?
    let before: String?
    let after: String?
    let at: Date

    init(_ e: AuditEntry) throws {
        id = try e.requireID()
        actorID = e.actorID
        actorName = e.actorName
        action = e.action
        entity = e.entity
        entityID = e.entityID
        before = e.before
        after = e.after
        at = e.at
    }
}

struct ImportResult: Content {
    let created: Int
    let people: Int
}
