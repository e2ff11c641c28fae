/// How a person belongs to a household.
public enum HouseholdRelation: String, Codable, Sendable, CaseIterable {
    case owner
    case tenant
    case family
}

/// A staff role a person holds in one community.
public enum StaffRole: String, Codable, Sendable, CaseIterable {
    case operator_ = "operator"
    case propertyStaff = "property_staff"
    case guard_ = "guard"
    case communityWorker = "community_worker"
}
