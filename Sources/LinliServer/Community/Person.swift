import Fluent
import Foundation
import LinliCore

/// A person known to Linli: a resident, a staff member, or both, in one or more communities.
///
/// People are the one registry table without a `community_id`: one phone is one person
/// wherever they live or work. Their ties to communities are memberships and staff roles.
final class Person: Model, @unchecked Sendable {
    static let schema = "people"

    // managed
    @ID(key: .id) var id: UUID?
    @OptionalField(key: "created_at") var createdAt: Date?
    @OptionalField(key: "updated_at") var updatedAt: Date?

    // data
    @Field(key: "name") var name: String
    @Field(key: "phone") var phone: String
    @OptionalField(key: "birth_year") var birthYear: Int?
    @Field(key: "is_elderly") var isElderly: Bool
    @Field(key: "lives_alone") var livesAlone: Bool
    @Field(key: "is_child") var isChild: Bool
    @OptionalField(key: "password_hash") var passwordHash: String?
    @Field(key: "is_admin") var isAdmin: Bool
    /// `zh-CN` or `en`; nil follows the browser.
    @OptionalField(key: "language") var language: String?
    @Field(key: "elder_mode") var elderMode: Bool
    @Field(key: "high_contrast") var highContrast: Bool
    /// 1 (normal) to 4 (largest), see `DisplaySettings`.
    @Field(key: "text_size") var textSize: Int
    /// The community the person was first registered in (see `PersonTies`); nil for older rows.
    @OptionalField(key: "created_in") var createdIn: UUID?

    init() {}

    init(
        id: UUID? = nil, name: String, phone: String, birthYear: Int? = nil, isElderly: Bool = false,
        livesAlone: Bool = false, isChild: Bool = false, passwordHash: String? = nil, isAdmin: Bool = false
    ) {
        self.id = id
        self.name = name
        self.phone = phone
        self.birthYear = birthYear
        self.isElderly = isElderly
        self.livesAlone = livesAlone
        self.isChild = isChild
        self.passwordHash = passwordHash
        self.isAdmin = isAdmin
        self.language = nil
        self.elderMode = false
        self.highContrast = false
        self.textSize = 1
    }

    /// A row of its own with the same stored values (for the principal cache, which hands each request
    /// its own copy to change). `PrincipalCacheTests` checks every field is carried.
    func copy() -> Person {
        let copy = Person(
            id: id, name: name, phone: phone, birthYear: birthYear, isElderly: isElderly, livesAlone: livesAlone,
            isChild: isChild, passwordHash: passwordHash, isAdmin: isAdmin)
        copy.$id.exists = $id.exists
        copy.createdAt = createdAt
        copy.updatedAt = updatedAt
        copy.language = language
        copy.elderMode = elderMode
        copy.highContrast = highContrast
        copy.textSize = textSize
        copy.createdIn = createdIn
        return copy
    }
}

/// A person living in a household, from a move-in date until a move-out date.
/// Moving out sets `moved_out`; the row stays, so history is kept.
final class Membership: Model, @unchecked Sendable {
    static let schema = "memberships"

    // managed
    @ID(key: .id) var id: UUID?
    @OptionalField(key: "created_at") var createdAt: Date?

    // data
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "household_id") var householdID: UUID
    @Field(key: "person_id") var personID: UUID
    @Enum(key: "relation") var relation: HouseholdRelation
    /// `YYYY-MM-DD`
    @Field(key: "moved_in") var movedIn: String
    /// `YYYY-MM-DD`, nil while living there.
    @OptionalField(key: "moved_out") var movedOut: String?

    init() {}

    init(
        id: UUID? = nil, communityID: UUID, householdID: UUID, personID: UUID, relation: HouseholdRelation,
        movedIn: String, movedOut: String? = nil
    ) {
        self.id = id
        self.communityID = communityID
        self.householdID = householdID
        self.personID = personID
        self.relation = relation
        self.movedIn = movedIn
        self.movedOut = movedOut
    }

    /// Whether the person lives there on `day` (`YYYY-MM-DD`).
    func isCurrent(on day: String) -> Bool {
        movedIn <= day && (movedOut.map { $0 > day } ?? true)
    }
}

/// A staff role held by a person in a community.
final class StaffAssignment: Model, @unchecked Sendable {
    static let schema = "staff_assignments"

    // managed
    @ID(key: .id) var id: UUID?
    @OptionalField(key: "created_at") var createdAt: Date?

    // data
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "person_id") var personID: UUID
    @Enum(key: "role") var role: StaffRole
    /// Hours on duty (minutes after midnight, China time) for gate access; nil: all day.
    @OptionalField(key: "shift_start") var shiftStart: Int?
    @OptionalField(key: "shift_end") var shiftEnd: Int?
    /// Work-order skills, comma-separated (`WorkCategory.skill`); empty: a generalist.
    @OptionalField(key: "skills") var skillList: String?

    var skills: Set<String> {
        get { Set((skillList ?? "").split(separator: ",").map(String.init)) }
        set { skillList = newValue.isEmpty ? nil : newValue.sorted().joined(separator: ",") }
    }

    var shift: Shift? {
        get { shiftStart.flatMap { start in shiftEnd.map { Shift(start: start, end: $0) } } }
        set {
            shiftStart = newValue?.start
            shiftEnd = newValue?.end
        }
    }

    init() {}

    init(id: UUID? = nil, communityID: UUID, personID: UUID, role: StaffRole) {
        self.id = id
        self.communityID = communityID
        self.personID = personID
        self.role = role
    }
}
