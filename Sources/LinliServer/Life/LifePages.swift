import Fluent
import Foundation
import LinliCore
import Vapor

/// Community life's pages: the residents' `/events` (what's on, my tickets, clubs), a printable ticket,
/// the check-in page at the door (organisers and club leaders), and the console's events tab.
enum LifeRoute: PageRoute {
    /// The name of the id after each collection segment of these pages (`req.id("eventID")`).
    static let parameterNames: [String: String] = ["events": "eventID", "clubs": "clubID"]

    case events
    case signUp(UUID)
    case withdraw(UUID)
    case ticket(UUID)
    case door(UUID)
    case doorScan(UUID)
    case joinClub(UUID)
    case leaveClub(UUID)
    case proposeClub
    case calendar
    case console(UUID)
    case consoleEvent(UUID, UUID)
    case createEvent(UUID)
    case cancelEvent(UUID, UUID)
    case onBehalf(UUID, UUID)
    case createVenue(UUID)
    case createClub(UUID)
    case approveClub(UUID, UUID)

    var path: String {
        switch self {
        case .events: "/events"
        case .signUp(let e): "/events/\(e)/sign-up"
        case .withdraw(let e): "/events/\(e)/withdraw"
        case .ticket(let e): "/events/\(e)/ticket"
        case .door(let e): "/events/\(e)/door"
        case .doorScan(let e): "/events/\(e)/door/scan"
        case .joinClub(let c): "/clubs/\(c)/join"
        case .leaveClub(let c): "/clubs/\(c)/leave"
        case .proposeClub: "/events/clubs"
        case .calendar: "/events/calendar"
        case .console(let c): "/console/\(c)/events"
        case .consoleEvent(let c, let e): "/console/\(c)/events/\(e)"
        case .createEvent(let c): "/console/\(c)/events/new"
        case .cancelEvent(let c, let e): "/console/\(c)/events/\(e)/cancel"
        case .onBehalf(let c, let e): "/console/\(c)/events/\(e)/registrations"
        case .createVenue(let c): "/console/\(c)/venues"
        case .createClub(let c): "/console/\(c)/clubs"
        case .approveClub(let c, let club): "/console/\(c)/clubs/\(club)/approve"
        }
    }
}

enum LifePages {
    static func register(_ app: Application) {
        let web = app.pages
        app.pageLinks.add("events", LifeRoute.events)
        app.pageLinks.add("proposeClub", LifeRoute.proposeClub)
        app.pageLinks.add("eventCalendar", LifeRoute.calendar)
        app.homeTiles.add("events", order: 65, LifeRoute.events)
        app.consoleTabs.add("events", order: 138, shown: { .organiseEvents($0) }) { LifeRoute.console($0) }
        Web.route(web, .GET, { _, _, _ in LifeRoute.events }, authority: .signedIn, eventsPage)
        Web.route(web, .POST, { e, _, _ in LifeRoute.signUp(e) }, authority: .object("eventID"), postSignUp)
        Web.route(web, .POST, { e, _, _ in LifeRoute.withdraw(e) }, authority: .object("eventID"), postWithdraw)
        Web.route(web, .GET, { e, _, _ in LifeRoute.ticket(e) }, authority: .object("eventID"), ticketPage)
        Web.route(web, .GET, { e, _, _ in LifeRoute.door(e) }, authority: .object("eventID"), doorPage)
        Web.route(web, .POST, { e, _, _ in LifeRoute.doorScan(e) }, authority: .object("eventID"), postDoorScan)
        Web.route(web, .POST, { c, _, _ in LifeRoute.joinClub(c) }, authority: .object("clubID"), postJoinClub)
        Web.route(web, .POST, { c, _, _ in LifeRoute.leaveClub(c) }, authority: .object("clubID"), postLeaveClub)
        Web.route(web, .POST, { _, _, _ in LifeRoute.proposeClub }, authority: .signedIn, postProposeClub)
        Web.route(web, .POST, { _, _, _ in LifeRoute.calendar }, authority: .signedIn, postCalendar)
        let organise = Authority.community { .organiseEvents($0) }
        let event = Authority.community(object: "eventID") { .organiseEvents($0) }
        Web.route(web, .GET, { c, _, _ in LifeRoute.console(c) }, authority: organise, consolePage)
        Web.route(web, .GET, { c, e, _ in LifeRoute.consoleEvent(c, e) }, authority: event, consoleEventPage)
        Web.route(web, .POST, { c, _, _ in LifeRoute.createEvent(c) }, authority: organise, postCreateEvent)
        Web.route(web, .POST, { c, e, _ in LifeRoute.cancelEvent(c, e) }, authority: event, postCancelEvent)
        Web.route(web, .POST, { c, e, _ in LifeRoute.onBehalf(c, e) }, authority: event, postOnBehalf)
        Web.route(web, .POST, { c, _, _ in LifeRoute.createVenue(c) }, authority: organise, postCreateVenue)
        Web.route(web, .POST, { c, _, _ in LifeRoute.createClub(c) }, authority: organise, postCreateClub)
        Web.route(web, .POST, { c, club, _ in LifeRoute.approveClub(c, club) }, authority: .community(object: "clubID") { .organiseEvents($0) }, postApproveClub)
    }

    /// A time as the pages show it (China time).
    static func when(_ start: Date, _ end: Date) -> String {
        let day = DateFormatter()
        day.timeZone = Calendar.china.timeZone
        day.dateFormat = "yyyy-MM-dd HH:mm"
        let hour = DateFormatter()
        hour.timeZone = Calendar.china.timeZone
        hour.dateFormat = "HH:mm"
        return day.string(from: start) + "–" + hour.string(from: end)
    }

    static func yuan(_ fen: Int) -> String { String(format: "¥%.2f", Double(fen) / 100) }
}
