import Foundation

/// The registry's console pages. The same value registers the route (`Web.route`) and writes the link.
enum RegistryRoute: PageRoute {
    /// The name of the id after each collection segment of these pages (`req.id("guardianID")`).
    static let parameterNames: [String: String] = ["guardians": "guardianID", "households": "householdID", "members": "membershipID", "people": "personID", "staff": "staffID"]

    case community(UUID)
    case buildings(UUID)
    case editCommunity(UUID)
    case editBuilding(UUID)
    case editHousehold(UUID, UUID)
    case households(UUID)
    case household(UUID, UUID)
    case members(UUID, UUID)
    case moveOut(UUID, UUID, UUID)
    case residents(UUID)
    case person(UUID, UUID)
    case personReset(UUID, UUID)
    case guardians(UUID, UUID)
    case guardianRemove(UUID, UUID, UUID)
    case staff(UUID)
    case revokeStaff(UUID, UUID)
    case importResidents(UUID)
    case audit(UUID)

    var path: String {
        switch self {
        case .community(let c): "/console/\(c)"
        case .buildings(let c): "/console/\(c)/buildings"
        case .editCommunity(let c): "/console/\(c)/edit"
        case .editBuilding(let c): "/console/\(c)/buildings/edit"
        case .editHousehold(let c, let h): "/console/\(c)/households/\(h)/edit"
        case .households(let c): "/console/\(c)/households"
        case .household(let c, let h): "/console/\(c)/households/\(h)"
        case .members(let c, let h): "/console/\(c)/households/\(h)/members"
        case .moveOut(let c, let h, let m): "/console/\(c)/households/\(h)/members/\(m)/move-out"
        case .residents(let c): "/console/\(c)/residents"
        case .person(let c, let p): "/console/\(c)/people/\(p)"
        case .personReset(let c, let p): "/console/\(c)/people/\(p)/password-reset"
        case .guardians(let c, let p): "/console/\(c)/people/\(p)/guardians"
        case .guardianRemove(let c, let p, let g): "/console/\(c)/people/\(p)/guardians/\(g)/remove"
        case .staff(let c): "/console/\(c)/staff"
        case .revokeStaff(let c, let s): "/console/\(c)/staff/\(s)/revoke"
        case .importResidents(let c): "/console/\(c)/import"
        case .audit(let c): "/console/\(c)/audit"
        }
    }
}
