import Foundation

/// What a resident asks the property team for; each kind has its deadlines and the skill it needs.
public enum WorkCategory: String, Codable, Sendable, CaseIterable {
    case repairWater = "repair_water"
    case repairElectricity = "repair_electricity"
    case repairDoor = "repair_door"
    case repairLift = "repair_lift"
    case repairPublic = "repair_public"
    case helpLaundry = "help_laundry"
    case helpParcel = "help_parcel"
    case helpMoving = "help_moving"
    /// Someone at home asks for a hand — the green service key of a home's call button, or a request.
    case helpAtHome = "help_at_home"
    case cleaning
    case complaint
    case suggestion

    /// Minutes from filing until someone must have accepted it.
    public var responseMinutes: Int {
        switch self {
        case .repairLift, .repairWater, .helpAtHome: 15
        case .repairElectricity, .helpLaundry: 30
        case .repairDoor, .helpParcel: 60
        case .repairPublic, .cleaning, .helpMoving: 120
        case .complaint: 240
        case .suggestion: 24 * 60
        }
    }

    /// Minutes from filing until the work must be done.
    public var completionMinutes: Int {
        switch self {
        case .repairLift: 120
        case .helpLaundry, .helpAtHome: 60
        case .repairWater, .repairElectricity: 4 * 60
        case .helpParcel: 3 * 60
        case .repairDoor: 8 * 60
        case .cleaning, .helpMoving: 24 * 60
        case .repairPublic: 48 * 60
        case .complaint: 72 * 60
        case .suggestion: 7 * 24 * 60
        }
    }

    /// The skill a staff member needs to be given it automatically.
    public var skill: String {
        switch self {
        case .repairWater: "water"
        case .repairElectricity: "electricity"
        case .repairDoor: "door"
        case .repairLift: "lift"
        case .repairPublic: "public_area"
        case .helpLaundry, .helpParcel, .helpMoving, .helpAtHome: "help"
        case .cleaning: "cleaning"
        case .complaint, .suggestion: "service"
        }
    }

    public static var skills: [String] { Array(Set(allCases.map(\.skill))).sorted() }
}

public enum WorkStatus: String, Codable, Sendable, CaseIterable {
    case submitted, accepted
    case onTheWay = "on_the_way"
    case done, confirmed, cancelled

    /// Still waiting for the property team.
    public var isOpen: Bool { [.submitted, .accepted, .onTheWay].contains(self) }
}

/// A step of a work order's life.
public enum WorkAction: String, Codable, Sendable, CaseIterable {
    case accept, depart, complete, confirm, reopen, cancel
}

/// Who takes a step: the household that filed it, the staff member it is assigned to, a dispatcher
/// (operator or property staff of the community), or Linli itself (auto-confirmation).
public enum WorkActor: Sendable, Equatable {
    case resident, assignee, dispatcher, system
}

/// Why a step is refused.
public enum WorkRefusal: String, Error, Sendable {
    /// The order is not in a state where this step applies.
    case wrongStatus = "wrong_status"
    /// This person may not take this step.
    case notAllowed = "not_allowed"
}

/// The rules of a work order's life: pure, the one place they are decided.
public enum WorkOrderRules {
    /// A done order the resident neither confirms nor reopens is confirmed after this long.
    public static let autoConfirmAfter: TimeInterval = 3 * 86_400

    /// The status after `action` by `actor`, or why not.
    public static func next(_ status: WorkStatus, _ action: WorkAction, by actor: WorkActor, hasAssignee: Bool)
        -> Result<WorkStatus, WorkRefusal>
    {
        let allowed: [WorkActor]
        let from: [WorkStatus]
        var to: WorkStatus
        switch action {
        case .accept:
            (allowed, from, to) = ([.assignee, .dispatcher], [.submitted], .accepted)
        case .depart:
            (allowed, from, to) = ([.assignee, .dispatcher], [.accepted], .onTheWay)
        case .complete:
            (allowed, from, to) = ([.assignee, .dispatcher], [.accepted, .onTheWay], .done)
        case .confirm:
            (allowed, from, to) = ([.resident, .system], [.done], .confirmed)
        case .reopen:
            (allowed, from, to) = ([.resident, .dispatcher], [.done, .confirmed], .accepted)
            if !hasAssignee { to = .submitted }
        case .cancel:
            (allowed, from, to) = ([.resident, .dispatcher], [.submitted, .accepted], .cancelled)
        }
        guard allowed.contains(actor) else { return .failure(.notAllowed) }
        guard from.contains(status) else { return .failure(.wrongStatus) }
        return .success(to)
    }

    /// When an order filed (or reopened) at `start` must be accepted and done.
    public static func deadlines(_ category: WorkCategory, from start: Date) -> (respondBy: Date, completeBy: Date) {
        (
            start.addingTimeInterval(Double(category.responseMinutes) * 60),
            start.addingTimeInterval(Double(category.completionMinutes) * 60)
        )
    }

    public enum Overdue: String, Codable, Sendable {
        /// Nobody accepted it in time.
        case response
        /// Not done in time.
        case completion
    }

    public static func overdue(_ status: WorkStatus, respondBy: Date, completeBy: Date, now: Date) -> Overdue? {
        guard status.isOpen else { return nil }
        if now > completeBy { return .completion }
        if status == .submitted, now > respondBy { return .response }
        return nil
    }

    /// A staff member who could take an order.
    public struct Candidate: Sendable, Equatable {
        public let id: UUID
        /// Empty: a generalist, takes anything.
        public let skills: Set<String>
        /// Hours on duty, China time; empty: all day.
        public let shifts: [Shift]
        /// Orders assigned to them and still open.
        public let openOrders: Int

        public init(id: UUID, skills: Set<String>, shifts: [Shift], openOrders: Int) {
            self.id = id
            self.skills = skills
            self.shifts = shifts
            self.openOrders = openOrders
        }
    }

    /// Automatic assignment: among staff on duty now who have the skill (specialists before
    /// generalists), the least loaded; ties go to the lowest id so the choice is stable. Nil: nobody,
    /// a dispatcher assigns it.
    public static func assign(_ category: WorkCategory, among candidates: [Candidate], minute: Int) -> UUID? {
        let onDuty = candidates.filter { c in c.shifts.isEmpty || c.shifts.contains { $0.contains(minute: minute) } }
        let specialists = onDuty.filter { $0.skills.contains(category.skill) }
        let pool = specialists.isEmpty ? onDuty.filter(\.skills.isEmpty) : specialists
        return pool.min { a, b in
            a.openOrders != b.openOrders ? a.openOrders < b.openOrders : a.id.uuidString < b.id.uuidString
        }?.id
    }
}
