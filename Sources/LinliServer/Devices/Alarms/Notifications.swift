import Fluent
import LinliCore
import Vapor

struct NotificationRead: Content, Equatable {
    let id: UUID
    let communityID: UUID
    let title: String
    let role: StaffRole?
    let householdID: UUID?
    let deviceID: UUID?
    let createdAt: Date

    init(_ n: Notification, _ req: Request) throws {
        id = try n.requireID()
        communityID = n.communityID
        title = Notifications.title(n, req)
        role = n.role
        householdID = n.householdID
        deviceID = n.deviceID
        createdAt = n.createdAt
    }
}

extension Sorting {
    static let notifications = Sorting(keys: ["created_at"], defaultSort: "-created_at")
}

/// What rules and features told a person: notes to them, to their current households and to the staff
/// roles they hold.
enum Notifications {
    /// A notification's title in the reader's language: features write a string key (`security.note.…`),
    /// rules the operator's own words.
    static func title(_ n: Notification, _ req: Request) -> String {
        L10n.table(req.language)[n.title] ?? n.title
    }

    static func query(for principal: Principal, on db: any Database) -> QueryBuilder<Notification>? {
        let households = Array(principal.households.keys)
        let roles = principal.staffRoles.filter { !$0.value.isEmpty }
        return Notification.query(on: db).group(.or) { any in
            any.filter(\.$personID == principal.personID)
            if !households.isEmpty { any.madeInHomes(of: principal) }
            for (community, held) in roles {
                any.group(.and) { both in
                    both.filter(\.$communityID == community).filter(\.$role ~~ Array(held))
                }
            }
        }
    }

    static func register(_ app: Application, _ api: any RoutesBuilder) {
        api.register(
            .init(
                method: .GET, path: "/api/v1/me/notifications", operationID: "listMyNotifications",
                summary: "Notifications rules sent to my households and my staff roles, newest first", tag: "me", authority: .signedIn,
                response: Schema.page(of: "Notification"), query: Endpoint.listQuery(.notifications)), in: app, listMyNotifications)
    }

    static let schema: (String, JSONValue) = (
        "Notification",
        Schema.object(
            [
                ("id", Schema.uuid), ("communityID", Schema.uuid), ("title", Schema.string()),
                ("role", Schema.nullable(Schema.enumeration(StaffRole.allCases.map(\.rawValue)))),
                ("householdID", Schema.nullable(Schema.uuid)), ("deviceID", Schema.nullable(Schema.uuid)),
                ("createdAt", Schema.dateTime),
            ], required: ["id", "communityID", "title", "createdAt"])
    )
}
