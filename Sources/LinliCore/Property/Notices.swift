import Foundation

/// Whom a notice is for: everyone in the community, some buildings, and/or groups of residents.
public struct NoticeAudience: Sendable, Equatable, Codable {
    public enum Group: String, Codable, Sendable, CaseIterable {
        /// 60 or older, or marked elderly.
        case elderly
        /// Living in a household with a child under 14.
        case parents
        /// Elderly and living alone.
        case livingAlone = "living_alone"
    }

    /// Empty: every building.
    public var buildings: Set<UUID>
    /// Empty: every resident; otherwise residents in any of the groups.
    public var groups: Set<Group>

    public init(buildings: Set<UUID> = [], groups: Set<Group> = []) {
        self.buildings = buildings
        self.groups = groups
    }

    /// What the audience needs to know about one resident.
    public struct Resident: Sendable, Equatable {
        public let buildings: Set<UUID>
        public let groups: Set<Group>

        public init(buildings: Set<UUID>, groups: Set<Group>) {
            self.buildings = buildings
            self.groups = groups
        }

        /// The groups of a person from their facts (`age` nil when the birth year is unknown).
        public static func groups(age: Int?, markedElderly: Bool, livesAlone: Bool, childInHome: Bool) -> Set<Group> {
            var groups: Set<Group> = []
            let elderly = markedElderly || (age ?? 0) >= 60
            if elderly { groups.insert(.elderly) }
            if elderly && livesAlone { groups.insert(.livingAlone) }
            if childInHome { groups.insert(.parents) }
            return groups
        }
    }

    /// Every resident of the community: nothing about the reader needs to be known.
    public var isEveryone: Bool { buildings.isEmpty && groups.isEmpty }

    public func includes(_ resident: Resident) -> Bool {
        if !buildings.isEmpty, buildings.isDisjoint(with: resident.buildings) { return false }
        if !groups.isEmpty, groups.isDisjoint(with: resident.groups) { return false }
        return true
    }
}

/// Read rate of a notice: reads among its audience, as a percentage with one decimal.
public enum NoticeStatistics {
    public static func readRate(reads: Int, audience: Int) -> Double {
        guard audience > 0 else { return 0 }
        return (Double(min(reads, audience)) / Double(audience) * 1000).rounded() / 10
    }
}
