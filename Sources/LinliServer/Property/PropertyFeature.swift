import Vapor

/// Property management: requests and work orders, contacts, notices, value-added services.
/// The strings of this feature (`PropertyStrings` tables beside it).
enum PropertyStrings: LocalizedStrings {}

enum Property: Feature {
    static var strings: (any LocalizedStrings.Type)? { PropertyStrings.self }

    static func register(_ app: Application) {
        WorkOrderAPI.register(app)
        Contacts.register(app)
        Notices.register(app)
        Services.register(app)
        WorkOrderPages.register(app.pages)
        NoticePages.register(app.pages)
        ServicePages.register(app.pages)
        app.openAPIComponents.add(PropertySchemas.all)
    }
}
