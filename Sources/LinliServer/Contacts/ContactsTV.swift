import Fluent
import Foundation
import LinliCore
import Vapor

/// The strings of this feature (`ContactsStrings` tables beside it).
enum ContactsStrings: LocalizedStrings {}

/// The contacts' TV screen: every number of the directory large; the community's own desks (the
/// property desk, the guard room, the community office) also take "ask them to call me back", a task for
/// their staff — once while it is open.
enum ContactsTV {
    static let name = "contacts"

    /// Who calls back for a desk of the community; nil for the numbers outside it.
    static func role(_ kind: Contact.Kind) -> StaffRole? {
        switch kind {
        case .propertyDesk: .propertyStaff
        case .guardRoom: .guard_
        case .communityOffice: .communityWorker
        default: nil
        }
    }

    static func register(_ app: Application) {
        app.tvScreens.add(name, order: 70, show: show, act: act)
    }

    static func openCall(_ viewer: TVViewer, _ role: StaffRole, on db: any Database) async throws -> Bool {
        try await StaffTask.query(on: db).filter(\.$communityID == viewer.community).filter(\.$personID == viewer.person)
            .filter(\.$title == "contacts.task.callBack").filter(\.$role == role).filter(\.$status == .open).count() > 0
    }

    @Sendable static func show(_ req: Request, _ viewer: TVViewer, _ item: String?) async throws -> TVScreen {
        guard item == nil else { throw LinliError(.notFound) }
        var screen = TVScreen(name: name, title: req.t("tv.tile.contacts"), lead: req.t("contacts.tv.lead"))
        for contact in try await Contacts.list(viewer.community, on: req.db) {
            guard let id = contact.id else { continue }
            let spoken = contact.phone.map(String.init).joined(separator: " ")
            screen.items.append(TVItem(id: "contact-\(id)", label: contact.name, detail: contact.hours, big: contact.phone, speak: contact.name + " " + spoken))
            if let role = role(contact.kind) {
                let asked = try await openCall(viewer, role, on: req.db)
                screen.items.append(
                    asked
                        ? TVItem(id: "callback-\(id)", label: req.t("contacts.tv.asked"), done: true)
                        : TVItem(id: "callback-\(id)", label: req.t("contacts.tv.callBack", ["name": contact.name]), post: TVPaths.item(name, id), action: "call"))
            }
        }
        return screen
    }

    @Sendable static func act(_ req: Request, _ viewer: TVViewer, _ item: String?, _ form: TVForm) async throws -> TVScreen {
        guard form.do == "call", let item, let id = UUID(uuidString: item),
            let contact = try await Contact.find(id, on: req.db), contact.communityID == viewer.community, let role = role(contact.kind)
        else { throw LinliError(.notFound) }
        let now = req.clock.now()
        let opened = try await req.db.writeTransaction { tx -> Bool in
            guard try await !openCall(viewer, role, on: tx) else { return false }
            try await StaffTasks.open("contacts.task.callBack", .init(role: role, person: viewer.person), community: viewer.community, now: now, on: tx)
            try await Notifier.send("contacts.task.callBack", .general, to: .role(role), community: viewer.community, now: now, on: tx)
            return true
        }
        if opened { req.application.events.publish(NotificationsChanged(community: viewer.community)) }
        var screen = try await show(req, viewer, nil)
        screen.message = req.t("contacts.tv.sent", ["name": contact.name])
        screen.tone = "ok"
        screen.backFocus = "tile-\(name)"
        return screen
    }
}

extension ContactsStrings {
    static let zhCN: [String: String] = [
        "contacts.tv.lead": "号码都在下面。社区自己的服务台可以请他们给您回电话。",
        "contacts.tv.callBack": "请{name}给我回电话",
        "contacts.tv.asked": "已请他们回电话，请留意电话",
        "contacts.tv.sent": "已告诉{name}，他们会给您回电话。",
        "contacts.task.callBack": "住户在电视上请求回电",
    ]

    static let en: [String: String] = [
        "contacts.tv.lead": "All the numbers are below. The community's own desks can also call you back.",
        "contacts.tv.callBack": "Ask {name} to call me back",
        "contacts.tv.asked": "They were asked to call you back: watch your phone",
        "contacts.tv.sent": "{name} has been told and will call you back.",
        "contacts.task.callBack": "A resident asks, from the TV, to be called back",
    ]
}
