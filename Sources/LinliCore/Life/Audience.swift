import Foundation

/// Who an event (or a club) is for: everyone in the community, some buildings, some groups (the
/// elderly, parents), or the members of a club. Someone it is not for is not shown it at all.
public struct Audience: Equatable, Sendable {
    /// The groups an audience may name.
    public static let groups: Set<String> = ["elderly", "parents"]

    public var buildings: Set<UUID>
    public var groups: Set<String>
    public var club: UUID?

    public init(buildings: Set<UUID> = [], groups: Set<String> = [], club: UUID? = nil) {
        self.buildings = buildings
        self.groups = groups
        self.club = club
    }

    /// A resident as the audience rules see them.
    public struct Viewer: Sendable {
        public var buildings: Set<UUID>
        public var groups: Set<String>
        public var clubs: Set<UUID>

        public init(buildings: Set<UUID>, groups: Set<String>, clubs: Set<UUID>) {
            self.buildings = buildings
            self.groups = groups
            self.clubs = clubs
        }
    }

    /// Whether the resident is in the audience: a club's event is for its members; otherwise every rule
    /// given must admit them (a building of theirs, a group they are in).
    public func admits(_ viewer: Viewer) -> Bool {
        if let club { return viewer.clubs.contains(club) }
        if !buildings.isEmpty, buildings.isDisjoint(with: viewer.buildings) { return false }
        if !groups.isEmpty, groups.isDisjoint(with: viewer.groups) { return false }
        return true
    }

    /// The groups a person is in: elderly at 60 (or marked so), a parent when a child under 18 lives in
    /// one of their homes.
    public static func groups(birthYear: Int?, markedElderly: Bool, childAtHome: Bool, year: Int) -> Set<String> {
        var out: Set<String> = []
        if markedElderly || (birthYear.map { year - $0 >= 60 } ?? false) { out.insert("elderly") }
        if childAtHome { out.insert("parents") }
        return out
    }

    /// The age group figures are counted by.
    public static func ageGroup(birthYear: Int?, year: Int) -> String {
        guard let birthYear else { return "unknown" }
        switch year - birthYear {
        case ..<18: return "under18"
        case 18..<60: return "18-59"
        case 60..<80: return "60-79"
        default: return "80+"
        }
    }

    /// Comma-separated storage.
    public static func join<S: Sequence>(_ items: S) -> String where S.Element: CustomStringConvertible {
        items.map(\.description).sorted().joined(separator: ",")
    }

    public static func split(_ text: String) -> [String] {
        text.split(separator: ",").map(String.init).filter { !$0.isEmpty }
    }
}
