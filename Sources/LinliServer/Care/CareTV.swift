import Fluent
import Foundation
import LinliCore
import Vapor

/// The care screen of the TV: 我很好 in one press (the daily check-in, which also answers an open
/// reminder), and "please call me", a task for the community worker; an open reminder is an alert on
/// every screen until it is answered.
enum CareTV {
    static let name = "care"

    static func register(_ app: Application) {
        app.tvScreens.add(name, order: 20, show: show, act: act)
        app.tvScreens.addAlerts { req, viewer in
            let open = try await CareCheck.query(on: req.db).filter(\.$personID == viewer.person)
                .filter(\.$step ~~ [.reminder, .family, .worker]).count()
            return open > 0 ? [TVAlert(text: req.t("care.tv.reminder"), href: TVPaths.screen(name), emergency: false)] : []
        }
    }

    static func callOpen(_ viewer: TVViewer, on db: any Database) async throws -> Bool {
        try await StaffTask.query(on: db).filter(\.$communityID == viewer.community).filter(\.$personID == viewer.person)
            .filter(\.$title == "care.task.callMe").filter(\.$status == .open).count() > 0
    }

    @Sendable static func show(_ req: Request, _ viewer: TVViewer, _ item: String?) async throws -> TVScreen {
        let watch = try await CareWatch.query(on: req.db).filter(\.$personID == viewer.person).filter(\.$active == true).first()
        let open = try await CareCheck.query(on: req.db).filter(\.$personID == viewer.person)
            .filter(\.$step ~~ [.reminder, .family, .worker]).count() > 0
        var screen = TVScreen(name: name, title: req.t("care.tv.title"))
        if let watch {
            screen.lead =
                open
                ? req.t("care.tv.asking")
                : req.t("care.tv.last", ["time": watch.lastCheckInAt.map { ConsolePages.time($0, req) } ?? req.t("care.never")])
            screen.items.append(
                TVItem(id: "care-fine", label: req.t("care.tv.fine"), detail: req.t("care.tv.fineHint"), post: TVPaths.screen(name), action: "fine", urgent: open))
        } else {
            screen.lead = req.t("care.tv.notWatched")
        }
        if try await callOpen(viewer, on: req.db) {
            screen.items.append(TVItem(id: "care-call", label: req.t("care.tv.callAsked"), done: true))
        } else {
            screen.items.append(
                TVItem(id: "care-call", label: req.t("care.tv.call"), detail: req.t("care.tv.callHint"), post: TVPaths.screen(name), action: "call"))
        }
        return screen
    }

    @Sendable static func act(_ req: Request, _ viewer: TVViewer, _ item: String?, _ form: TVForm) async throws -> TVScreen {
        let now = req.clock.now()
        let message: String
        switch form.do {
        case "fine":
            _ = try await CareWatchService.checkIn(person: viewer.person, by: viewer.person, now: now, app: req.application)
            message = req.t("care.tv.thanks")
        case "call":
            // Asked once: a second press, or two at once, finds the open task (the task list keeps one).
            let opened = try await req.db.writeTransaction { tx -> Bool in
                guard try await !callOpen(viewer, on: tx) else { return false }
                try await StaffTasks.open(
                    "care.task.callMe", .init(role: .communityWorker, person: viewer.person), community: viewer.community, now: now, on: tx)
                try await Notifier.send("care.task.callMe", .care, to: .role(.communityWorker), community: viewer.community, now: now, on: tx)
                return true
            }
            if opened { req.application.events.publish(NotificationsChanged(community: viewer.community)) }
            message = req.t("care.tv.callSent")
        default:
            throw LinliError.invalid("do", "invalid_value")
        }
        var screen = try await show(req, viewer, nil)
        screen.message = message
        screen.tone = "ok"
        return screen
    }
}
