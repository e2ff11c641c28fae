import Fluent
import Vapor

/// Property management: requests and work orders, notices, value-added services.
/// The strings of this feature (`PropertyStrings` tables beside it).
enum PropertyStrings: LocalizedStrings {}

enum Property: Feature {
    static var strings: (any LocalizedStrings.Type)? { PropertyStrings.self }

    static func seedDemo(_ world: DemoWorld, on db: any Database) async throws {
        try await Notices.seedDemo(
            db, community: world.community, by: world.staffMember(.communityWorker), buildings: world.communityBuildings,
            now: world.now)
        try await Services.seedDemo(
            db, community: world.community, households: world.communityHouseholds,
            memberships: world.communityMemberships, now: world.now)
        try await DemoWorkOrders.seed(
            db, community: world.community, households: world.communityHouseholds,
            memberships: world.communityMemberships, generalist: world.staffMember(.propertyStaff),
            passwordHash: world.passwordHash, now: world.now)
    }

    static func register(_ app: Application) {
        app.notificationTopics.add(.property)
        PropertyTV.register(app)
        WorkOrderFigures.register(app)
        PropertyActivity.register(app)
        BookingFigures.register(app)
        for (name, route) in [
            ("requests", PropertyRoute.myRequests), ("tasks", .myTasks), ("notices", .myNotices),
            ("services", .myServices),
        ] { app.pageLinks.add(name, route) }
        app.homeTiles.add("requests", order: 20, PropertyRoute.myRequests)
        app.homeTiles.add("notices", order: 30, PropertyRoute.myNotices)
        app.homeTiles.add("services", order: 40, PropertyRoute.myServices)
        app.homeTiles.add("tasks", order: 100, staffOnly: true, PropertyRoute.myTasks)
        let tabs = app.consoleTabs
        tabs.add("notices", order: 110, shown: { .publishNotices($0) }) { PropertyRoute.notices($0) }
        tabs.add("workOrders", order: 120, shown: { .dispatchWorkOrders($0) }) { PropertyRoute.workOrders($0) }
        tabs.add("services", order: 130, shown: { .dispatchWorkOrders($0) }) { PropertyRoute.services($0) }
        WorkOrderAPI.register(app)
        ServiceKey.register(app)
        _ = app.noticeBoard  // made before serving, with their subscriptions
        _ = app.workOrderLists
        Notices.register(app)
        Services.register(app)
        WorkOrderPages.register(app.pages)
        NoticePages.register(app.pages)
        ServicePages.register(app.pages)
        app.openAPIComponents.add(PropertySchemas.all)
    }
}

extension NotificationTopic {
    static let property = NotificationTopic("property")
}

extension Property {
    static var css: String? { "property/property.css" }
}

/// A notice of the community was published or withdrawn: notice boards drop the community.
struct NoticesChanged: LinliEvent {
    let community: UUID
}

/// A person read a notice: what they see is computed again (its receipts).
struct NoticeWasRead: LinliEvent {
    let person: UUID
}

/// A work order of the community was filed, moved on, assigned or rated: lists of orders drop it.
struct WorkOrdersChanged: LinliEvent {
    let community: UUID
}
