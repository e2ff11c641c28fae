import Foundation

/// Everything the access policy needs to know about who is asking.
///
/// Built once per request from the person's staff roles and current household memberships.
public struct Principal: Sendable, Equatable {
    public let personID: UUID
    /// A platform administrator (created with `linli create-admin`): may do anything.
    public let isAdmin: Bool
    /// Staff roles, by community.
    public let staffRoles: [UUID: Set<StaffRole>]
    /// Households the person currently lives in, with each one's community.
    public let households: [UUID: UUID]
    /// Since when the person has lived in each current household (the start of the move-in day). A new
    /// occupant sees nothing of the household's records from before: see ``livedIn(_:when:)``.
    public let residentSince: [UUID: Date]
    /// Communities where the person is staff or a resident.
    public let communities: Set<UUID>

    public init(
        personID: UUID, isAdmin: Bool = false, staffRoles: [UUID: Set<StaffRole>] = [:],
        households: [UUID: UUID] = [:], residentSince: [UUID: Date] = [:]
    ) {
        self.personID = personID
        self.isAdmin = isAdmin
        self.staffRoles = staffRoles
        self.households = households
        self.residentSince = residentSince
        self.communities = Set(staffRoles.keys).union(households.values)
    }

    /// Whether the person lives in the household now and already lived there when something was made:
    /// the households' records (members, requests, passes, bookings, lock history, notifications) are
    /// theirs only from the day they moved in.
    public func livedIn(_ household: UUID, when made: Date) -> Bool {
        guard households[household] != nil else { return false }
        return made >= (residentSince[household] ?? .distantPast)
    }
}

/// What someone wants to do, and on what.
public enum AccessRequest: Sendable, Equatable {
    /// Create a community (platform administrators only).
    case createCommunity
    /// See a community's name and address.
    case viewCommunity(UUID)
    /// Change a community's own settings, or delete it.
    case manageCommunity(UUID)
    /// List and read a community's buildings, households and residents.
    case viewRegistry(UUID)
    /// Create, change or remove buildings, households, residents, memberships.
    case manageRegistry(UUID)
    /// Grant or revoke staff roles.
    case manageStaff(UUID)
    /// Read the audit log.
    case viewAudit(UUID)
    /// See a community's devices, telemetry, alarms, rules, commands and tasks (any staff).
    case viewDevices(UUID)
    /// Add, change, disable and delete devices; edit rules and provisioning (operators).
    case manageDevices(UUID)
    /// Acknowledge and clear alarms, finish tasks (operators, property staff, guards).
    case handleAlarms(UUID)
    /// Send commands to devices (operators and property staff).
    case sendCommands(UUID)
    /// Read one household and its members.
    case viewHousehold(household: UUID, community: UUID)
    /// See a work order: its household's residents who lived there when it was filed, the staff member it
    /// is assigned to, dispatchers.
    case viewWorkOrder(household: UUID, community: UUID, assignee: UUID?, filedAt: Date)
    /// See one record of a household (a visitor pass, a booking, a lock code) as a resident: only those who
    /// lived there when it was made. Staff reach records through their own, community-wide routes.
    case viewHouseholdRecord(household: UUID, madeAt: Date)
    /// Assign, accept for others, list and escalate a community's work orders: operators, property staff.
    case dispatchWorkOrders(UUID)
    /// Publish and withdraw notices, see their read rates: operators, property staff, community workers.
    case publishNotices(UUID)
    /// Keep the community's knowledge base and answer the questions handed to a person: operators,
    /// property staff, community workers.
    case answerQuestions(UUID)
    /// Create the community's events, see their registrations and check people in: operators, property
    /// staff, community workers.
    case organiseEvents(UUID)
    /// Take, investigate, decide and track residents' applications (办事): operators, community workers.
    case handleApplications(UUID)
    /// Read one person: themselves, a member of one of their households, or for staff.
    case viewPerson(person: UUID, households: [UUID: UUID], staffIn: Set<UUID>)
    /// Change a person's shared facts (name, birth year, flags) or start a password reset.
    case changePerson(PersonTies)
    /// Start a password reset for someone: as ``changePerson(_:)``, but never for oneself — a reset
    /// skips the current password that changing one's own asks for, so a stolen token could not turn
    /// into the password.
    case resetPassword(PersonTies)
    /// Act for a household as one of its current residents: file a request, book a service, issue a
    /// visitor pass, use its lock. Administrators included: nobody acts for a home they do not live in.
    case actForHousehold(UUID)
    /// Open the operators' console at all (a staff role somewhere, or an administrator).
    case openConsole
    /// Keep the elderly-care watch: who is watched, their checks, the visits (operators, community workers).
    case keepCareWatch(UUID)
    /// Set prices and tariffs, see the community's money: wallets' totals, payouts, reconciliation
    /// (operators only: money is the one thing property staff do not change).
    case manageFinance(UUID)
    /// See the community's operations figures (work, devices, engagement, demand): operators, property
    /// staff, community workers.
    case viewAnalytics(UUID)
    /// See the money among them (fee rates, arrears): operators and property staff.
    case viewMoneyFigures(UUID)
}

/// Where a person belongs, for deciding who may change what is shared across communities.
///
/// People are global (one phone is one person); an operator has authority over a person only when
/// everything the person belongs to is run by that operator, so linking a phone into a household
/// never hands over someone else's account.
public struct PersonTies: Sendable, Equatable {
    public let personID: UUID
    public let isAdmin: Bool
    /// Communities of the person's current memberships and staff roles.
    public let communities: Set<UUID>
    /// Communities where the person is an operator.
    public let operatorIn: Set<UUID>
    /// The community the person was first registered in; nil for people from before it was recorded.
    public let createdIn: UUID?

    public init(personID: UUID, isAdmin: Bool, communities: Set<UUID>, operatorIn: Set<UUID>, createdIn: UUID?) {
        self.personID = personID
        self.isAdmin = isAdmin
        self.communities = communities
        self.operatorIn = operatorIn
        self.createdIn = createdIn
    }
}

/// The outcome of ``AccessPolicy/decide(_:for:)``.
public enum AccessDecision: Sendable, Equatable {
    case allow
    /// The thing exists for this person but they may not do this to it (HTTP 403).
    case forbidden
    /// The person must not even learn that it exists (HTTP 404).
    case hidden
}

/// The one function that decides every access in Linli.
public enum AccessPolicy {
    public static func decide(_ request: AccessRequest, for principal: Principal) -> AccessDecision {
        if case .actForHousehold(let household) = request {
            return principal.households[household] == nil ? .hidden : .allow
        }
        if principal.isAdmin { return .allow }
        switch request {
        case .actForHousehold:
            return .hidden  // answered above
        case .openConsole:
            return principal.staffRoles.values.contains { !$0.isEmpty } ? .allow : .forbidden
        case .createCommunity:
            return .forbidden
        case .viewCommunity(let community):
            return principal.communities.contains(community) ? .allow : .hidden
        case .manageCommunity(let community), .manageRegistry(let community),
            .manageStaff(let community), .viewAudit(let community):
            guard principal.communities.contains(community) else { return .hidden }
            return principal.has(.operator_, in: community) ? .allow : .forbidden
        case .manageDevices(let community), .manageFinance(let community):
            guard principal.communities.contains(community) else { return .hidden }
            return principal.has(.operator_, in: community) ? .allow : .forbidden
        case .handleAlarms(let community):
            guard principal.communities.contains(community) else { return .hidden }
            let roles: Set<StaffRole> = [.operator_, .propertyStaff, .guard_]
            return roles.isDisjoint(with: principal.staffRoles[community] ?? []) ? .forbidden : .allow
        case .sendCommands(let community):
            guard principal.communities.contains(community) else { return .hidden }
            let roles: Set<StaffRole> = [.operator_, .propertyStaff]
            return roles.isDisjoint(with: principal.staffRoles[community] ?? []) ? .forbidden : .allow
        case .viewRegistry(let community), .viewDevices(let community):
            guard principal.communities.contains(community) else { return .hidden }
            return principal.isStaff(in: community) ? .allow : .forbidden
        case .viewWorkOrder(let household, let community, let assignee, let filedAt):
            if assignee == principal.personID || principal.livedIn(household, when: filedAt) { return .allow }
            let roles: Set<StaffRole> = [.operator_, .propertyStaff]
            return roles.isDisjoint(with: principal.staffRoles[community] ?? []) ? .hidden : .allow
        case .publishNotices(let community), .organiseEvents(let community), .answerQuestions(let community),
            .viewAnalytics(let community):
            guard principal.communities.contains(community) else { return .hidden }
            let roles: Set<StaffRole> = [.operator_, .propertyStaff, .communityWorker]
            return roles.isDisjoint(with: principal.staffRoles[community] ?? []) ? .forbidden : .allow
        case .keepCareWatch(let community), .handleApplications(let community):
            guard principal.communities.contains(community) else { return .hidden }
            let roles: Set<StaffRole> = [.operator_, .communityWorker]
            return roles.isDisjoint(with: principal.staffRoles[community] ?? []) ? .forbidden : .allow
        case .dispatchWorkOrders(let community), .viewMoneyFigures(let community):
            guard principal.communities.contains(community) else { return .hidden }
            let roles: Set<StaffRole> = [.operator_, .propertyStaff]
            return roles.isDisjoint(with: principal.staffRoles[community] ?? []) ? .forbidden : .allow
        case .viewHouseholdRecord(let household, let madeAt):
            return principal.livedIn(household, when: madeAt) ? .allow : .hidden
        case .viewHousehold(let household, let community):
            if principal.isStaff(in: community) { return .allow }
            return principal.households[household] == nil ? .hidden : .allow
        case .changePerson(let ties):
            if ties.personID == principal.personID { return .allow }
            let runs = Set(principal.staffRoles.filter { $0.value.contains(.operator_) }.keys)
            guard !runs.isEmpty else { return ties.communities.isDisjoint(with: principal.communities) ? .hidden : .forbidden }
            guard !ties.isAdmin, ties.operatorIn.isEmpty else { return .forbidden }
            // Someone with no ties left is anyone's to claim unless we know where they were registered.
            guard let home = ties.createdIn ?? ties.communities.first, runs.contains(home) else { return .forbidden }
            return ties.communities.isSubset(of: runs) ? .allow : .forbidden
        case .resetPassword(let ties):
            if ties.personID == principal.personID { return .forbidden }
            return decide(.changePerson(ties), for: principal)
        case .viewPerson(let person, let households, let staffIn):
            if person == principal.personID { return .allow }
            if !Set(principal.staffRoles.keys).isDisjoint(with: staffIn) { return .allow }
            if households.values.contains(where: { principal.isStaff(in: $0) }) { return .allow }
            if households.keys.contains(where: { principal.households[$0] != nil }) { return .allow }
            return .hidden
        }
    }
}

extension Principal {
    public func has(_ role: StaffRole, in community: UUID) -> Bool {
        staffRoles[community]?.contains(role) ?? false
    }

    public func isStaff(in community: UUID) -> Bool {
        !(staffRoles[community]?.isEmpty ?? true)
    }
}
