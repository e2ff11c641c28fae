import Foundation

/// Where a gate is.
public enum GateKind: String, Codable, Sendable, CaseIterable {
    /// The community's main gate and pedestrian gates: every resident, staff on shift, visitors.
    case main, pedestrian, garage
    /// A building's door: that building's residents, staff on shift, visitors to that building.
    case building
}

/// How someone asked a gate to open.
public enum AccessMethod: String, Codable, Sendable, CaseIterable {
    case face, card, pin, qr
}

public struct GateFacts: Sendable, Equatable {
    public let community: UUID
    public let kind: GateKind
    /// The building of a building door.
    public let building: UUID?

    public init(community: UUID, kind: GateKind, building: UUID? = nil) {
        self.community = community
        self.kind = kind
        self.building = building
    }
}

/// A person's home in the community, with the dates that bound it (`YYYY-MM-DD`, China time).
public struct Residence: Sendable, Equatable {
    public let community: UUID
    public let building: UUID
    public let movedIn: String
    public let movedOut: String?

    public init(community: UUID, building: UUID, movedIn: String, movedOut: String?) {
        self.community = community
        self.building = building
        self.movedIn = movedIn
        self.movedOut = movedOut
    }

    /// Lives there on `day`: moved in on or before it and not moved out on or before it.
    public func current(on day: String) -> Bool { movedIn <= day && (movedOut.map { day < $0 } ?? true) }
}

/// Staff hours: minutes after midnight (China time); `start > end` spans midnight (a night shift).
public struct Shift: Sendable, Equatable, Codable {
    public let start: Int
    public let end: Int

    public init(start: Int, end: Int) {
        self.start = start
        self.end = end
    }

    public static let allDay = Shift(start: 0, end: 24 * 60)

    /// Reads `HH:MM-HH:MM` (China time; `22:00-06:00` is a night shift); nil for anything else or an
    /// empty span.
    public init?(text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        func minute(_ part: Substring) -> Int? {
            let hm = part.trimmingCharacters(in: .whitespaces).split(separator: ":", omittingEmptySubsequences: false)
            guard hm.count == 2, hm[0].count <= 2, hm[1].count == 2, let h = Int(hm[0]), let m = Int(hm[1]),
                (0...24).contains(h), (0..<60).contains(m), h * 60 + m <= 24 * 60
            else { return nil }
            return h * 60 + m
        }
        guard parts.count == 2, let start = minute(parts[0]), let end = minute(parts[1]), start != end else {
            return nil
        }
        self.init(start: start, end: end)
    }

    /// `HH:MM-HH:MM`.
    public var text: String {
        func clock(_ minute: Int) -> String {
            let h = minute / 60, m = minute % 60
            return (h < 10 ? "0" : "") + "\(h):" + (m < 10 ? "0" : "") + "\(m)"
        }
        return clock(start) + "-" + clock(end)
    }

    public func contains(minute: Int) -> Bool {
        start <= end ? (minute >= start && minute < end) : (minute >= start || minute < end)
    }
}

/// A visitor pass as the gate sees it.
public struct PassFacts: Sendable, Equatable {
    public let community: UUID
    public let building: UUID?
    public let validFrom: Date
    public let validUntil: Date
    public let entriesAllowed: Int
    public let entriesUsed: Int
    public let revoked: Bool

    public init(
        community: UUID, building: UUID?, validFrom: Date, validUntil: Date, entriesAllowed: Int, entriesUsed: Int,
        revoked: Bool
    ) {
        self.community = community
        self.building = building
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.entriesAllowed = entriesAllowed
        self.entriesUsed = entriesUsed
        self.revoked = revoked
    }

    /// Why the pass opens no gate at `now` (revoked, not yet valid, expired, used up), or nil while it is
    /// good: the one rule for the gate decision and for the pass's status on the resident's page.
    public func refusal(at now: Date) -> GateReason? {
        if revoked { return .passRevoked }
        if now < validFrom { return .passNotYetValid }
        if now >= validUntil { return .passExpired }
        if entriesUsed >= entriesAllowed { return .passUsedUp }
        return nil
    }
}

/// Who is at the gate, as far as the credential tells.
public enum Visitor: Sendable, Equatable {
    case person(residences: [Residence], shifts: [UUID: [Shift]], denied: Bool)
    case pass(PassFacts)
}

/// Why a gate opens or stays shut; stable codes, localised by the server.
public enum GateReason: String, Codable, Sendable, CaseIterable {
    case resident, staff, visitor
    case denyList = "deny_list"
    case movedOut = "moved_out"
    case notResident = "not_resident"
    case otherBuilding = "other_building"
    case offShift = "off_shift"
    case passNotYetValid = "pass_not_yet_valid"
    case passExpired = "pass_expired"
    case passUsedUp = "pass_used_up"
    case passRevoked = "pass_revoked"
    case unknownCredential = "unknown_credential"
    case noMatch = "no_match"
    case livenessFailed = "liveness_failed"
    case qrExpired = "qr_expired"
    case qrReplayed = "qr_replayed"
    case faceNotEnabled = "face_not_enabled"
    case wrongGate = "wrong_gate"
}

/// Who may pass which gate when: pure, the one place gate decisions are made.
public enum GateRules {
    /// `day` is `YYYY-MM-DD` and `minute` minutes after midnight, both China time.
    public static func decide(_ visitor: Visitor, at gate: GateFacts, now: Date, day: String, minute: Int) -> (
        allow: Bool, reason: GateReason
    ) {
        switch visitor {
        case .person(let residences, let shifts, let denied):
            if denied { return (false, .denyList) }
            let here = residences.filter { $0.community == gate.community }
            let current = here.filter { $0.current(on: day) }
            if let shiftsHere = shifts[gate.community], !shiftsHere.isEmpty {
                if shiftsHere.contains(where: { $0.contains(minute: minute) }) { return (true, .staff) }
                if current.isEmpty { return (false, .offShift) }
            }
            guard !current.isEmpty else { return (false, here.isEmpty ? .notResident : .movedOut) }
            if gate.kind == .building, let building = gate.building,
                !current.contains(where: { $0.building == building })
            {
                return (false, .otherBuilding)
            }
            return (true, .resident)
        case .pass(let pass):
            guard pass.community == gate.community else { return (false, .wrongGate) }
            if let refusal = pass.refusal(at: now) { return (false, refusal) }
            if gate.kind == .building, let building = gate.building, let visiting = pass.building, visiting != building
            {
                return (false, .otherBuilding)
            }
            return (true, .visitor)
        }
    }
}
