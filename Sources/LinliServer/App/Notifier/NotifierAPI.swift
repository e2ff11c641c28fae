import Fluent
import LinliCore
import Vapor

struct NotificationRead: Content, Equatable {
    let id: UUID
    let communityID: UUID
    let title: String
    let topic: String
    let role: StaffRole?
    let householdID: UUID?
    let deviceID: UUID?
    let createdAt: Date

    init(_ n: Notification, _ req: Request) throws {
        id = try n.requireID()
        communityID = n.communityID
        title = Notifications.title(n, req)
        topic = n.topic ?? NotificationTopic.general.name
        role = n.role
        householdID = n.householdID
        deviceID = n.deviceID
        createdAt = n.createdAt
    }
}

/// A person's channels for a topic.
struct PreferenceRead: Content, Equatable {
    let topic: String
    let label: String
    let safety: Bool
    let channels: [String]
}

struct PreferenceInput: Content {
    let topic: String
    let channels: [String]
}

/// A text for the gateway to send.
struct SmsRead: Content {
    let id: UUID
    let phone: String
    let text: String
    let createdAt: Date

    init(_ m: SmsMessage) throws {
        id = try m.requireID()
        phone = m.phone
        text = m.text
        createdAt = m.createdAt
    }
}

struct SmsReportInput: Content {
    /// `sent` or `failed`.
    let status: String
    let error: String?
}

extension Sorting {
    static let notifications = Sorting(keys: ["created_at"], defaultSort: "-created_at")
}

/// The app's channel of the notifier (what rules and features told a person: notes to them, to their
/// current households and to the staff roles they hold, less the topics they took off the app), their
/// preferences, and the SMS gateway's outbox.
enum Notifications {
    /// A notification's title in the reader's language: features write a string key (`security.note.…`),
    /// rules the operator's own words.
    static func title(_ n: Notification, _ req: Request) -> String {
        L10n.table(req.language)[n.title] ?? n.title
    }

    /// The person's notes on `channel`, less the topics they muted there.
    static func query(for principal: Principal, on req: Request, channel: NotificationChannel = .app) async throws
        -> QueryBuilder<Notification>?
    {
        let households = Array(principal.households.keys)
        let roles = principal.staffRoles.filter { !$0.value.isEmpty }
        let muted = try await Notifier.muted(
            principal.personID, on: channel, topics: req.application.notificationTopics.all, on: req.db)
        let query = Notification.query(on: req.db).group(.or) { any in
            any.filter(\.$personID == principal.personID)
            if !households.isEmpty { any.madeInHomes(of: principal) }
            for (community, held) in roles {
                any.group(.and) { both in
                    both.filter(\.$communityID == community).filter(\.$role ~~ Array(held))
                }
            }
        }
        if !muted.isEmpty {
            query.group(.or) { either in either.filter(\.$topic == nil).filter(\.$topic !~ muted) }
        }
        return query
    }

    static func register(_ app: Application) {
        let api = app.api.authenticated
        api.register(
            .init(
                method: .GET, path: "/api/v1/me/notifications", operationID: "listMyNotifications",
                summary: "Notifications to me, my households and my staff roles, newest first (less the topics I took off the app)",
                tag: "me", authority: .signedIn,
                response: Schema.page(of: "Notification"), query: Endpoint.listQuery(.notifications)), in: app, listMyNotifications)
        api.register(
            .init(
                method: .GET, path: "/api/v1/me/notification-preferences", operationID: "listNotificationPreferences",
                summary: "My channels (app, tv, kiosk, sms) for each topic", tag: "me", authority: .signedIn,
                response: Schema.array(Schema.ref("NotificationPreference"))), in: app, listNotificationPreferences)
        api.register(
            .init(
                method: .PUT, path: "/api/v1/me/notification-preferences", operationID: "setNotificationPreference",
                summary: "Choose my channels for one topic (a safety topic always stays on the app)", tag: "me",
                authority: .signedIn, body: bodySchema, response: Schema.ref("NotificationPreference")), in: app,
            setNotificationPreference)
        app.api.open.register(
            .init(
                method: .GET, path: "/api/v1/devices/sms/outbox", operationID: "takeSmsOutbox",
                summary: "SMS gateway: the community's queued texts, oldest first, at most 50 (device token as bearer)",
                tag: "devices", authority: .device, response: Schema.array(Schema.ref("SmsMessage"))), in: app, takeSmsOutbox)
        app.api.open.register(
            .init(
                method: .POST, path: "/api/v1/devices/sms/outbox/{messageID}", operationID: "reportSms",
                summary: "SMS gateway: a queued text was sent or failed (once; 409 after)", tag: "devices",
                authority: .device, body: reportSchema, response: Schema.ref("SmsMessage")), in: app, reportSms)
        app.openAPIComponents.add(schemas)
    }

    static let bodySchema = Schema.object(
        [("topic", Schema.string(min: 1, max: 40)), ("channels", Schema.array(Schema.enumeration(NotificationChannel.allCases.map(\.rawValue))))],
        required: ["topic", "channels"])
    static let reportSchema = Schema.object(
        [("status", Schema.enumeration(["sent", "failed"])), ("error", Schema.nullable(Schema.string(max: 200)))],
        required: ["status"])

    static let schemas: [(String, JSONValue)] = [
        (
            "Notification",
            Schema.object(
                [
                    ("id", Schema.uuid), ("communityID", Schema.uuid), ("title", Schema.string()), ("topic", Schema.string()),
                    ("role", Schema.nullable(Schema.enumeration(StaffRole.allCases.map(\.rawValue)))),
                    ("householdID", Schema.nullable(Schema.uuid)), ("deviceID", Schema.nullable(Schema.uuid)),
                    ("createdAt", Schema.dateTime),
                ], required: ["id", "communityID", "title", "topic", "createdAt"])
        ),
        (
            "NotificationPreference",
            Schema.object(
                [
                    ("topic", Schema.string()), ("label", Schema.string()), ("safety", Schema.bool),
                    ("channels", Schema.array(Schema.enumeration(NotificationChannel.allCases.map(\.rawValue)))),
                ], required: ["topic", "label", "safety", "channels"])
        ),
        (
            "SmsMessage",
            Schema.object(
                [("id", Schema.uuid), ("phone", Schema.string()), ("text", Schema.string()), ("createdAt", Schema.dateTime)],
                required: ["id", "phone", "text", "createdAt"])
        ),
    ]
}
