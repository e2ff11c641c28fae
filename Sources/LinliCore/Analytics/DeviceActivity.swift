import Foundation

/// Whether what was built is used: each device online, offline (silent longer than its type's interval)
/// or idle (online, but nobody used it lately); and per type, the share installed that is barely used —
/// the built-but-unused index.
public enum DeviceActivity {
    public enum State: String, Sendable, Codable, CaseIterable {
        case online, offline, idle
    }

    /// Times in ms. Never seen is offline; a device that only reports (no use to count) is never idle.
    public static func state(lastSeen: Int64?, lastUse: Int64?, countsUse: Bool, interval: Int64, idleAfter: Int64, now: Int64)
        -> State
    {
        guard let lastSeen, now - lastSeen <= interval else { return .offline }
        guard countsUse else { return .online }
        guard let lastUse, now - lastUse <= idleAfter else { return .idle }
        return .online
    }

    public struct Device: Sendable, Equatable {
        public let id: UUID
        public let type: String
        /// Households it serves (a gate: its buildings' homes; a lock or a TV: 1; a kiosk or bin: all).
        public let households: Int
        /// Uses in the window (passages, unlocks, screens, weighings).
        public let uses: Int

        public init(id: UUID, type: String, households: Int, uses: Int) {
            self.id = id
            self.type = type
            self.households = households
            self.uses = uses
        }
    }

    public struct TypeIndex: Sendable, Equatable, Codable {
        public let type: String
        public let installed: Int
        public let unused: Int
        /// unused ÷ installed.
        public let share: Double
        public let devices: [UUID]
    }

    /// Barely used: fewer uses in the window than `perHousehold` × the households it serves (at least
    /// one household). Types in name order.
    public static func unusedIndex(_ devices: [Device], perHousehold: (String) -> Double) -> [TypeIndex] {
        Dictionary(grouping: devices, by: \.type).map { type, group in
            let threshold = perHousehold(type)
            let unused = group.filter { Double($0.uses) < threshold * Double(max(1, $0.households)) }.map(\.id)
            return TypeIndex(
                type: type, installed: group.count, unused: unused.count,
                share: FeeFigures.rate(Int64(unused.count), Int64(group.count)) ?? 0, devices: unused)
        }.sorted { $0.type < $1.type }
    }
}
