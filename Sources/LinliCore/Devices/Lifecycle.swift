import Foundation

/// Alarm severity, most urgent first.
public enum Severity: String, Codable, Sendable, CaseIterable, Comparable {
    case critical, major, minor, warning

    public var rank: Int { Severity.allCases.firstIndex(of: self) ?? 0 }
    public static func < (a: Severity, b: Severity) -> Bool { a.rank > b.rank }
}

/// ThingsBoard's alarm states.
public enum AlarmStatus: String, Codable, Sendable, CaseIterable {
    case activeUnack = "ACTIVE_UNACK"
    case activeAck = "ACTIVE_ACK"
    case clearedUnack = "CLEARED_UNACK"
    case clearedAck = "CLEARED_ACK"

    public var isActive: Bool { self == .activeUnack || self == .activeAck }
    public var isAcknowledged: Bool { self == .activeAck || self == .clearedAck }

    public func acknowledged() -> AlarmStatus? {
        switch self {
        case .activeUnack: .activeAck
        case .clearedUnack: .clearedAck
        case .activeAck, .clearedAck: nil
        }
    }

    public func cleared() -> AlarmStatus? {
        switch self {
        case .activeUnack: .clearedUnack
        case .activeAck: .clearedAck
        case .clearedUnack, .clearedAck: nil
        }
    }
}

/// ThingsBoard's persistent RPC states.
public enum CommandStatus: String, Codable, Sendable, CaseIterable {
    case queued = "QUEUED"
    case sent = "SENT"
    case delivered = "DELIVERED"
    case successful = "SUCCESSFUL"
    case failed = "FAILED"
    case timeout = "TIMEOUT"
    case expired = "EXPIRED"

    public var isFinal: Bool { [.successful, .failed, .timeout, .expired].contains(self) }
}

/// The decisions of the command queue, as pure functions of time.
public enum CommandPolicy {
    /// A command SENT but not confirmed within this many seconds is handed out again.
    public static let redeliverAfter: TimeInterval = 30

    /// What a command not yet final becomes at `now`, or nil when it stays as it is.
    public static func sweep(
        status: CommandStatus, now: Date, expiresAt: Date, sentAt: Date?, deliveredAt: Date?, retries: Int,
        maxRetries: Int, replyTimeout: TimeInterval
    ) -> CommandStatus? {
        switch status {
        case .queued:
            return now >= expiresAt ? .expired : nil
        case .sent:
            guard let sentAt, now.timeIntervalSince(sentAt) >= redeliverAfter else {
                return now >= expiresAt ? .expired : nil
            }
            if now >= expiresAt { return .expired }
            return retries >= maxRetries ? .failed : .queued
        case .delivered:
            guard let deliveredAt else { return nil }
            return now.timeIntervalSince(deliveredAt) >= replyTimeout ? .timeout : nil
        case .successful, .failed, .timeout, .expired:
            return nil
        }
    }
}
