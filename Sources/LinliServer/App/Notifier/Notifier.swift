import Fluent
import Foundation
import LinliCore
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// Where a person may be told something: the app's list (`/me/notifications`), the household's TV, the
/// community's kiosk, or a text message (an outbox a gateway sends from).
enum NotificationChannel: String, Codable, Sendable, CaseIterable {
    case app, tv, kiosk, sms
}

/// What a notification is about, as a feature declares it: its name (`bills`, `security`), and whether it
/// is a safety matter — then the app's list always keeps it and a text message goes out unless the person
/// turned texts off for it.
struct NotificationTopic: Sendable, Hashable {
    let name: String
    let safety: Bool

    init(_ name: String, safety: Bool = false) {
        self.name = name
        self.safety = safety
    }

    /// The channels of a person with no preference for this topic.
    var defaultChannels: Set<NotificationChannel> { safety ? Set(NotificationChannel.allCases) : [.app, .tv, .kiosk] }

    /// Who changes their preferences cannot take a safety note off the app's list.
    func allowed(_ channels: Set<NotificationChannel>) -> Set<NotificationChannel> {
        safety ? channels.union([.app]) : channels
    }
}

/// A message to a staff role, a household or one person, from a feature or an operator's rule. The app,
/// the TV and the kiosk read these rows; texts are copied into ``SmsMessage``.
final class Notification: Model, @unchecked Sendable {
    static let schema = "notifications"

    // managed
    @ID(key: .id) var id: UUID?

    // data
    @Field(key: "community_id") var communityID: UUID
    @OptionalField(key: "role") var role: StaffRole?
    @OptionalField(key: "household_id") var householdID: UUID?
    /// For one person only (a family member told of a home they do not live in).
    @OptionalField(key: "person_id") var personID: UUID?
    /// A string key (`bill.note.due`), or an operator's own words (a rule's).
    @Field(key: "title") var title: String
    /// The topic's name (nil: written before topics, read as `general`).
    @OptionalField(key: "topic") var topic: String?
    @OptionalField(key: "device_id") var deviceID: UUID?
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

/// A person's channels for one topic (no row: the topic's defaults).
final class NotificationPreference: Model, @unchecked Sendable {
    static let schema = "notification_preferences"

    @ID(key: .id) var id: UUID?
    @Field(key: "person_id") var personID: UUID
    @Field(key: "topic") var topic: String
    /// Comma-separated channel names.
    @Field(key: "channels") var channelList: String
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    var channels: Set<NotificationChannel> {
        Set(channelList.split(separator: ",").compactMap { NotificationChannel(rawValue: String($0)) })
    }
}

/// A text message waiting for the community's SMS gateway (a device of type `sms_gateway`), which takes
/// the queued ones and reports each sent or failed.
final class SmsMessage: Model, @unchecked Sendable {
    static let schema = "sms_outbox"

    @ID(key: .id) var id: UUID?
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "person_id") var personID: UUID
    @Field(key: "phone") var phone: String
    @Field(key: "text") var text: String
    /// `queued`, `sent`, `failed`.
    @Field(key: "status") var status: String
    @OptionalField(key: "error") var error: String?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "reported_at") var reportedAt: Date?

    init() {}
}

/// The one notifier: every feature tells people through it, inside the transaction that records why.
enum Notifier {
    /// Who is told: a staff role of the community, a household, one person — or a role about a household
    /// (the property team told of a home whose key was pressed).
    struct Recipients: Sendable {
        var role: StaffRole? = nil
        var household: UUID? = nil
        var person: UUID? = nil

        static func role(_ role: StaffRole) -> Recipients { Recipients(role: role) }
        static func household(_ id: UUID) -> Recipients { Recipients(household: id) }
        static func person(_ id: UUID) -> Recipients { Recipients(person: id) }
    }

    /// Writes the notification (what the app, the TV and the kiosk show) and queues a text for each
    /// recipient whose channels for the topic include SMS. The caller publishes `NotificationsChanged`
    /// after its transaction commits.
    static func send(
        _ title: String, _ topic: NotificationTopic, to recipients: Recipients, community: UUID,
        device: UUID? = nil, now: Date, on db: any Database
    ) async throws {
        let note = Notification()
        note.communityID = community
        note.role = recipients.role
        note.householdID = recipients.household
        note.personID = recipients.person
        note.title = title
        note.topic = topic.name
        note.deviceID = device
        note.createdAt = now
        try await note.create(on: db)
        let people = try await self.people(recipients, community: community, on: db)
        guard !people.isEmpty else { return }
        let chosen = try await preferences(people.compactMap(\.id), topic, on: db)
        for person in people {
            guard let id = person.id, chosen[id, default: topic.defaultChannels].contains(.sms) else { continue }
            let message = SmsMessage()
            message.communityID = community
            message.personID = id
            message.phone = person.phone
            message.text = L10n.text(title, Language(setting: person.language) ?? .zhCN)
            message.status = "queued"
            message.createdAt = now
            try await message.create(on: db)
        }
    }

    /// The people a note reaches: the person, the household's current residents, the role's staff.
    static func people(_ to: Recipients, community: UUID, on db: any Database) async throws -> [Person] {
        var ids: Set<UUID> = []
        if let person = to.person { ids.insert(person) }
        if let role = to.role {
            ids.formUnion(
                try await StaffAssignment.query(on: db).filter(\.$communityID == community).filter(\.$role == role)
                    .all(\.$personID))
        } else if let household = to.household {
            ids.formUnion(
                try await Membership.query(on: db).filter(\.$householdID == household).filter(\.$movedOut == nil)
                    .all(\.$personID))
        }
        guard !ids.isEmpty else { return [] }
        return try await Person.query(on: db).filter(\.$id ~~ Array(ids)).all()
    }

    /// Each person's channels for the topic, for those who chose.
    static func preferences(_ people: [UUID], _ topic: NotificationTopic, on db: any Database) async throws
        -> [UUID: Set<NotificationChannel>]
    {
        guard !people.isEmpty else { return [:] }
        let rows = try await NotificationPreference.query(on: db).filter(\.$personID ~~ people)
            .filter(\.$topic == topic.name).all()
        return Dictionary(rows.map { ($0.personID, topic.allowed($0.channels)) }, uniquingKeysWith: { a, _ in a })
    }

    /// The topics a person took off `channel` (their notes there are not shown).
    static func muted(_ person: UUID, on channel: NotificationChannel, topics: [NotificationTopic], on db: any Database)
        async throws -> [String]
    {
        let byName = Dictionary(topics.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        return try await NotificationPreference.query(on: db).filter(\.$personID == person).all().compactMap { row in
            guard let topic = byName[row.topic], !topic.allowed(row.channels).contains(channel) else { return nil }
            return row.topic
        }
    }
}

/// The topics the features declared (for the preferences page and API).
final class NotificationTopics: Sendable {
    private let topics = NIOLockedValueBox([NotificationTopic]())

    func add(_ topic: NotificationTopic) { topics.withLockedValue { if !$0.contains(topic) { $0.append(topic) } } }

    /// In the order the features added them, `general` last.
    var all: [NotificationTopic] {
        let topics = topics.withLockedValue { $0 }
        return topics.filter { $0 != .general } + topics.filter { $0 == .general }
    }

    func named(_ name: String) -> NotificationTopic? { all.first { $0.name == name } }
}

extension Application {
    private struct NotificationTopicsKey: StorageKey { typealias Value = NotificationTopics }

    /// The notification topics (see ``NotificationTopics``).
    var notificationTopics: NotificationTopics {
        if let topics = storage[NotificationTopicsKey.self] { return topics }
        let topics = NotificationTopics()
        topics.add(.general)
        storage[NotificationTopicsKey.self] = topics
        return topics
    }
}

extension NotificationTopic {
    /// Notes of operators' rules and anything without a topic of its own.
    static let general = NotificationTopic("general")
}
