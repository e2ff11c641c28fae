import Fluent
import Foundation
import LinliCore
import Vapor

/// The property's TV screens: the notices meant for the TV (an emergency one is a red banner on every
/// screen), read aloud on request; and the home services, booked in two presses — the service, then
/// its next free slot — paid at the door.
enum PropertyTV {
    static func register(_ app: Application) {
        app.tvScreens.add("notices", order: 10, show: notices)
        app.tvScreens.add("services", order: 50, show: services, act: book)
        app.tvScreens.addAlerts { req, viewer in
            let day: TimeInterval = 86_400
            return try await tvNotices(req).filter {
                $0.category == .emergency && ($0.expiresAt != nil || req.clock.now().timeIntervalSince($0.publishAt) < 3 * day)
            }.map { TVAlert(text: $0.title, href: TVPaths.item("notices", $0.id ?? UUID()), emergency: true) }
        }
    }

    /// The current notices whose channels include the TV, pinned first.
    static func tvNotices(_ req: Request) async throws -> [Notice] {
        try await Notices.visible(to: try req.user().principal, now: req.clock.now(), on: req)
            .filter { $0.channels.split(separator: ",").contains("tv") }
    }

    @Sendable static func notices(_ req: Request, _ viewer: TVViewer, _ item: String?) async throws -> TVScreen {
        let all = try await tvNotices(req)
        if let item {
            guard let notice = all.first(where: { $0.id?.uuidString == item }) else { throw LinliError(.notFound) }
            try await Notices.markRead(notice, on: req)
            let paragraphs = notice.body.split(whereSeparator: \.isNewline).map { String($0) }.filter { !$0.isEmpty }
            var screen = TVScreen(name: "notices", title: notice.title)
            screen.lead = ConsolePages.time(notice.publishAt, req)
            screen.items = [
                TVItem(id: "notice-read", label: req.t("notice.tv.readAll"), speak: ([notice.title] + paragraphs).joined(separator: "。"))
            ]
            screen.paragraphs = paragraphs
            screen.back = TVPaths.screen("notices")
            screen.backFocus = "notice-\(item)"
            return screen
        }
        var screen = TVScreen(name: "notices", title: req.t("tv.tile.notices"))
        if all.isEmpty { screen.lead = req.t("notice.tv.none") }
        screen.items = all.prefix(20).map { notice in
            TVItem(
                id: "notice-\(notice.id?.uuidString ?? "")", label: notice.title,
                detail: req.t("notice.category.\(notice.category.rawValue)") + " · " + ConsolePages.time(notice.publishAt, req),
                href: TVPaths.item("notices", notice.id ?? UUID()), urgent: notice.category == .emergency)
        }
        return screen
    }

    /// The next free slot of a service from now on, within a week.
    static func nextSlot(_ service: Service, _ req: Request) async throws -> (day: CivilDate, start: Date)? {
        let now = req.clock.now()
        for offset in 0..<7 {
            guard let day = CivilDate(Calendar.chinaDate(now.addingTimeInterval(Double(offset) * 86_400))) else { continue }
            if let slot = try await Services.slots(service, day: day, now: now, on: req.db).first(where: { $0.left > 0 && $0.start > now }) {
                return (day, slot.start)
            }
        }
        return nil
    }

    static func clock(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.timeZone = Calendar.china.timeZone
        formatter.dateFormat = "HH:mm"
        return formatter.string(from: date)
    }

    @Sendable static func services(_ req: Request, _ viewer: TVViewer, _ item: String?) async throws -> TVScreen {
        let offered = try await Service.scoped(to: viewer.community, on: req.db).filter(\.$active == true).sort(\.$name).all()
        if let item {
            guard let service = offered.first(where: { $0.id?.uuidString == item }) else { throw LinliError(.notFound) }
            var screen = TVScreen(name: "services", title: service.name)
            screen.back = TVPaths.screen("services")
            screen.backFocus = "service-\(item)"
            guard let (_, start) = try await nextSlot(service, req) else {
                screen.lead = req.t("service.tv.full")
                return screen
            }
            screen.lead = req.t("service.tv.confirm", ["time": ConsolePages.time(start, req), "price": ServicePages.yuan(service.priceCents)])
            screen.items = [
                TVItem(id: "service-book", label: req.t("service.tv.book"), detail: ConsolePages.time(start, req), post: TVPaths.item("services", try service.requireID()), action: "book")
            ]
            return screen
        }
        var screen = TVScreen(name: "services", title: req.t("tv.tile.services"))
        screen.lead = offered.isEmpty ? req.t("service.tv.none") : req.t("service.tv.choose")
        screen.items = offered.map { service in
            TVItem(
                id: "service-\(service.id?.uuidString ?? "")", label: service.name,
                detail: ServicePages.yuan(service.priceCents) + " · " + service.description, href: TVPaths.item("services", service.id ?? UUID()))
        }
        let mine = try await Booking.query(on: req.db).filter(\.$householdID == viewer.household).filter(\.$status == .booked)
            .filter(\.$slotStart > req.clock.now()).sort(\.$slotStart).limit(5).all()
        let names = Service.byID(offered)
        screen.items += mine.map { booking in
            TVItem(
                id: "booking-\(booking.id?.uuidString ?? "")", label: req.t("service.tv.booked", ["name": names[booking.serviceID]?.name ?? ""]),
                detail: ConsolePages.time(booking.slotStart, req), done: true)
        }
        return screen
    }

    @Sendable static func book(_ req: Request, _ viewer: TVViewer, _ item: String?, _ form: TVForm) async throws -> TVScreen {
        guard form.do == "book", let item, let id = UUID(uuidString: item),
            let service = try await Service.find(id, on: req.db), service.communityID == viewer.community, service.active
        else { throw LinliError(.notFound) }
        // One booking of a service at a time from the TV: a second press finds the first.
        if try await Booking.query(on: req.db).filter(\.$householdID == viewer.household).filter(\.$serviceID == id)
            .filter(\.$status == .booked).filter(\.$slotStart > req.clock.now()).count() > 0
        {
            var screen = try await services(req, viewer, nil)
            screen.message = req.t("service.tv.already")
            screen.tone = "ok"
            return screen
        }
        guard let (day, start) = try await nextSlot(service, req) else {
            throw LinliError(.conflict, issues: [FieldIssue(field: "start", reason: "slot_full")])
        }
        let booking = try await Services.book(
            service, BookingInput(householdID: viewer.household, day: day.description, start: clock(start), payment: PaymentMethod.door.rawValue), on: req)
        var screen = try await services(req, viewer, nil)
        screen.message = req.t("service.tv.done", ["name": service.name, "time": ConsolePages.time(booking.slotStart, req)])
        screen.tone = "ok"
        screen.backFocus = "tile-services"
        return screen
    }
}
