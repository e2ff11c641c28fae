import Foundation

/// The figures of an event or a club's events: sign-ups, the waitlist, promotions from it, attendance and
/// no-shows, and sign-ups by age group. Counted from registrations alone, so a list and its figures agree.
public struct LifeFigures: Equatable, Sendable, Codable {
    public struct Entry: Sendable {
        public let status: String
        public let seats: Int
        public let checkedIn: Bool
        public let noShow: Bool
        public let promoted: Bool
        public let ageGroup: String

        public init(status: String, seats: Int, checkedIn: Bool, noShow: Bool, promoted: Bool, ageGroup: String) {
            self.status = status
            self.seats = seats
            self.checkedIn = checkedIn
            self.noShow = noShow
            self.promoted = promoted
            self.ageGroup = ageGroup
        }
    }

    public var signUps = 0
    public var confirmed = 0
    public var waitlisted = 0
    public var cancelled = 0
    public var promotions = 0
    public var attended = 0
    public var noShows = 0
    /// Attended / (attended + no-shows): of those who held a seat at a finished event, how many came.
    public var attendanceRate: Double?
    public var byAgeGroup: [String: Int] = [:]

    public init() {}

    public init(_ entries: [Entry]) {
        for e in entries {
            signUps += 1
            byAgeGroup[e.ageGroup, default: 0] += 1
            switch e.status {
            case "confirmed": confirmed += 1
            case "waitlisted", "pending", "offered": waitlisted += 1
            default: cancelled += 1
            }
            if e.promoted { promotions += 1 }
            if e.checkedIn { attended += 1 }
            if e.noShow { noShows += 1 }
        }
        attendanceRate = attended + noShows == 0 ? nil : Double(attended) / Double(attended + noShows)
    }
}
