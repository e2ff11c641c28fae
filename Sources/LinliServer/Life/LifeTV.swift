import Fluent
import Foundation
import LinliCore
import Vapor

/// The events' TV screen: what is on for the viewer, soonest first; an event's page says when and where,
/// signs up in one press (with the household PIN when it has a fee, paid from the wallet) and shows the
/// ticket's short code large, for the door.
enum LifeTV {
    static let name = "events"

    static func register(_ app: Application) {
        app.tvScreens.add(name, order: 60, show: show, act: act)
    }

    @Sendable static func show(_ req: Request, _ viewer: TVViewer, _ item: String?) async throws -> TVScreen {
        let events = try await CommunityLife.visibleEvents(req).filter { $0.cancelledAt == nil }
        let mine = try await Registration.query(on: req.db).filter(\.$personID == viewer.person)
            .filter(\.$eventID ~~ events.compactMap(\.id)).filter(\.$status != .cancelled).all()
        let byEvent = Dictionary(mine.map { ($0.eventID, $0) }, uniquingKeysWith: { a, _ in a })
        if let item {
            guard let event = events.first(where: { $0.id?.uuidString == item }), let id = event.id else { throw LinliError(.notFound) }
            var screen = TVScreen(name: name, title: event.title)
            screen.back = TVPaths.screen(name)
            screen.backFocus = "event-\(item)"
            screen.lead = ConsolePages.time(event.startsAt, req) + " · " + event.place
            screen.paragraphs = event.details.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.isEmpty }.prefix(6).map { $0 }
            if let row = byEvent[id] {
                screen.items.append(
                    TVItem(
                        id: "event-ticket", label: req.t("life.status.\(row.status.rawValue)"), detail: req.t("life.tv.ticketHint"),
                        big: row.ticketCode, done: row.status == .confirmed, speak: row.ticketCode.map(String.init).joined(separator: " ")))
            } else {
                let fee = event.feeFen > 0 ? " · " + LifePages.yuan(event.feeFen) : ""
                screen.items.append(
                    TVItem(
                        id: "event-join", label: req.t("life.tv.join"), detail: req.t("life.tv.seats", ["left": "\(max(0, event.capacity - event.confirmedSeats))"]) + fee,
                        post: TVPaths.item(name, id), action: "join", needsPIN: event.feeFen > 0))
            }
            return screen
        }
        var screen = TVScreen(name: name, title: req.t("tv.tile.events"))
        screen.lead = events.isEmpty ? req.t("life.tv.none") : req.t("life.tv.lead")
        screen.items = events.prefix(20).map { event in
            let row = event.id.flatMap { byEvent[$0] }
            return TVItem(
                id: "event-\(event.id?.uuidString ?? "")", label: event.title,
                detail: ConsolePages.time(event.startsAt, req) + " · " + event.place + (row.map { " · " + req.t("life.status.\($0.status.rawValue)") } ?? ""),
                href: TVPaths.item(name, event.id ?? UUID()), done: row?.status == .confirmed)
        }
        return screen
    }

    @Sendable static func act(_ req: Request, _ viewer: TVViewer, _ item: String?, _ form: TVForm) async throws -> TVScreen {
        guard form.do == "join", let item, let id = UUID(uuidString: item),
            let event = try await CommunityLife.visibleEvents(req).first(where: { $0.id == id })
        else { throw LinliError(.notFound) }
        if event.feeFen > 0 { _ = try await req.application.householdPINs.confirm(viewer, pin: form.pin, on: req) }
        let message: String
        do {
            let (row, _) = try await CommunityLife.signUpSelf(event, seats: 1, members: nil, req)
            req.application.events.publish(NotificationsChanged(community: event.communityID))
            message = req.t("life.tv.done", ["status": req.t("life.status.\(row.status.rawValue)"), "code": row.ticketCode])
        } catch let error as LinliError where error.issues.contains(where: { $0.reason == "already_registered" }) {
            message = req.t("life.tv.already")
        }
        var screen = try await show(req, viewer, item)
        screen.message = message
        screen.tone = "ok"
        return screen
    }
}
