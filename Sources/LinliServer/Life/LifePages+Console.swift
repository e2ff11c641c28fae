import Fluent
import Foundation
import LinliCore
import Vapor

/// The console's events tab: create events and venues, the events with their seats, clubs to approve
/// and their figures; one event's roster, figures, sign-up on someone's behalf, and cancelling it.
extension LifePages {
    struct EventRow: Encodable {
        let title: String
        let when: String
        let place: String
        let seats: String
        let waiting: Int
        let status: String
        let manage: String
        let door: String
    }

    struct ClubRow: Encodable {
        let name: String
        let status: String
        let members: Int
        let figures: String
        let approve: String?
    }

    struct ConsolePage: Encodable {
        let header: ConsolePages.Header
        let events: [EventRow]
        let venues: [ConsolePages.Option]
        let buildings: [ConsolePages.Option]
        let clubs: [ClubRow]
        let createEvent: String
        let createVenue: String
        let createClub: String
    }

    static func figuresLine(_ f: LifeFigures, _ req: Request) -> String {
        req.t(
            "life.figuresLine",
            [
                "signUps": "\(f.signUps)", "waiting": "\(f.waitlisted)", "promotions": "\(f.promotions)",
                "attended": "\(f.attended)", "noShows": "\(f.noShows)",
                "rate": f.attendanceRate.map { String(format: "%.0f%%", $0 * 100) } ?? "—",
            ])
    }

    @Sendable static func consolePage(_ req: Request) async throws -> Response {
        let header = try await ConsolePages.header(req, current: "events")
        let c = header.id
        let events = try await LifeEvent.scoped(to: c, on: req.db).filter(\.$endsAt > req.clock.now().addingTimeInterval(-30 * 86_400))
            .sort(\.$startsAt).limit(200).all()
        let rows = try events.map { e in
            let id = try e.requireID()
            return EventRow(
                title: e.title, when: when(e.startsAt, e.endsAt), place: e.place, seats: "\(e.confirmedSeats)/\(e.capacity)",
                waiting: e.waiting,
                status: req.t(e.cancelledAt != nil ? "life.event.cancelled" : e.closedAt != nil ? "life.event.over" : "life.event.open"),
                manage: LifeRoute.consoleEvent(c, id).path, door: LifeRoute.door(id).path)
        }
        var clubs: [ClubRow] = []
        for club in try await Club.scoped(to: c, on: req.db).sort(\.$name).all() {
            let id = try club.requireID()
            clubs.append(
                ClubRow(
                    name: club.name, status: req.t("life.club.status.\(club.status.rawValue)"),
                    members: try await ClubMember.query(on: req.db).filter(\.$clubID == id).filter(\.$status == .active).count(),
                    figures: figuresLine(try await LifeStats.club(id, today: req.today, on: req.db), req),
                    approve: club.status == .proposed ? LifeRoute.approveClub(c, id).path : nil))
        }
        return try await req.render(
            "life/console", title: req.t("console.tab.events"),
            ConsolePage(
                header: header, events: rows,
                venues: try await Venue.scoped(to: c, on: req.db).sort(\.$name).all().map { .init(value: $0.name, label: $0.name) },
                buildings: try await Building.query(on: req.db).filter(\.$communityID == c).sort(\.$name).all()
                    .compactMap { b in b.id.map { .init(value: $0.uuidString, label: b.name) } },
                clubs: clubs, createEvent: LifeRoute.createEvent(c).path, createVenue: LifeRoute.createVenue(c).path,
                createClub: LifeRoute.createClub(c).path))
    }

    struct RosterRow: Encodable {
        let name: String
        let seats: Int
        let status: String
        let signedUp: String
        let checkedIn: String
    }

    struct EventPage: Encodable {
        let header: ConsolePages.Header
        let title: String
        let when: String
        let place: String
        let seats: String
        let figures: String
        let ages: String
        let draw: String?
        let roster: [RosterRow]
        let onBehalf: String
        let cancel: String?
        let door: String
    }

    @Sendable static func consoleEventPage(_ req: Request) async throws -> Response {
        let header = try await ConsolePages.header(req, current: "events")
        let event = try await LifeEvent.find(try req.id("eventID"), in: header.id, on: req.db)
        let id = try event.requireID()
        let rows = try await Registration.query(on: req.db).filter(\.$eventID == id).sort(\.$signedUpAt).limit(1000).all()
        let people = try await Person.byID(rows.map(\.personID), on: req.db)
        let figures = try await LifeStats.figures(Registration.query(on: req.db).filter(\.$eventID == id), today: req.today, on: req.db)
        let roster = rows.map { r in
            RosterRow(
                name: (people[r.personID]?.name ?? "") + (r.signedUpBy != nil && r.signedUpBy != r.personID ? " · " + req.t("life.onBehalf") : ""),
                seats: r.seats, status: req.t("life.status.\(r.status.rawValue)") + (r.noShow ? " · " + req.t("life.noShow") : ""),
                signedUp: ConsolePages.time(r.signedUpAt, req), checkedIn: r.checkedInAt.map { ConsolePages.time($0, req) } ?? "—")
        }
        return try await req.render(
            "life/event", title: event.title,
            EventPage(
                header: header, title: event.title, when: when(event.startsAt, event.endsAt), place: event.place,
                seats: req.t("life.seatsLeft", ["left": "\(max(0, event.capacity - event.confirmedSeats))", "capacity": "\(event.capacity)", "waiting": "\(event.waiting)"]),
                figures: figuresLine(figures, req),
                ages: figures.byAgeGroup.sorted { $0.key < $1.key }.map { req.t("life.age.\($0.key)") + " \($0.value)" }.joined(separator: " · "),
                draw: event.drawSeed.map { req.t("life.drawn", ["at": ConsolePages.time(event.drawnAt, req), "seed": $0]) },
                roster: roster, onBehalf: LifeRoute.onBehalf(header.id, id).path,
                cancel: event.cancelledAt == nil && event.closedAt == nil ? LifeRoute.cancelEvent(header.id, id).path : nil,
                door: LifeRoute.door(id).path))
    }

    @Sendable static func postCreateEvent(_ req: Request) async throws -> Response {
        struct Form: Content {
            var title: String
            var description: String?
            var place: String
            var startsAt: String
            var endsAt: String
            var capacity: Int
            var seatsPerSignup: Int?
            var feeYuan: String?
            var waitlist: String?
            var drawMinutes: Int?
            var repeatWeeks: Int?
            var groups: [String]?
            var buildings: [UUID]?
        }
        let c = try req.scope.communityID()
        let form = try req.content.decode(Form.self)
        guard let starts = Calendar.chinaLocalTime(form.startsAt) else { throw LinliError.invalid("startsAt", "invalid_date") }
        guard let ends = Calendar.chinaLocalTime(form.endsAt) else { throw LinliError.invalid("endsAt", "invalid_date") }
        var fee: Int?
        if let text = form.feeYuan?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            guard let fen = MoneyText.fen(text) else { throw LinliError.invalid("feeFen", "invalid_value") }
            fee = Int(fen)
        }
        let input = EventInput(
            title: form.title, description: form.description, place: form.place, startsAt: starts, endsAt: ends,
            capacity: form.capacity, seatsPerSignup: form.seatsPerSignup, feeFen: fee, waitlist: WaitlistMode(rawValue: form.waitlist ?? ""),
            offerHours: nil, signupOpensAt: nil, signupClosesAt: nil, cancelBy: nil,
            drawMinutes: form.drawMinutes.flatMap { $0 > 0 ? $0 : nil },
            audience: AudienceInput(buildings: form.buildings, groups: form.groups), repeatWeeks: form.repeatWeeks)
        let made = try await EventCreation.create(input, community: c, club: nil, by: try req.user().principal.personID, now: req.clock.now(), on: req.db)
        try await Audit.record(.create, "event", id: made[0].id, community: c, after: made[0].title, by: req, on: req.db)
        req.flash(req.t("life.flash.created", ["n": "\(made.count)"]))
        return req.redirect(to: LifeRoute.console(c).path)
    }

    @Sendable static func postCancelEvent(_ req: Request) async throws -> Response {
        let event = try await LifeEvent.find(try req.id("eventID"), in: try req.scope.communityID(), on: req.db)
        _ = try await LifeJobs.cancelEvent(event, now: req.clock.now(), on: req.db)
        try await Audit.record(.update, "event", id: event.id, community: event.communityID, after: "cancelled", by: req, on: req.db)
        req.application.events.publish(NotificationsChanged(community: event.communityID))
        req.flash(req.t("life.flash.eventCancelled"))
        return req.redirect(to: LifeRoute.consoleEvent(event.communityID, try event.requireID()).path)
    }

    /// Staff sign a resident up by phone number (a call, a visit).
    @Sendable static func postOnBehalf(_ req: Request) async throws -> Response {
        struct Form: Content {
            var phone: String
            var seats: Int?
        }
        let event = try await LifeEvent.find(try req.id("eventID"), in: try req.scope.communityID(), on: req.db)
        let form = try req.content.decode(Form.self)
        guard let phone = PhoneNumber(form.phone), let person = try await Person.query(on: req.db).filter(\.$phone == phone.digits).first()
        else { throw LinliError.invalid("phone", "invalid_phone") }
        let row = try await CommunityLife.signUpOnBehalf(event, person, seats: form.seats, members: nil, req)
        req.flash(req.t("life.flash.onBehalf", ["name": person.name, "status": req.t("life.status.\(row.status.rawValue)"), "code": row.status == .confirmed ? row.ticketCode : "—"]))
        return req.redirect(to: LifeRoute.consoleEvent(event.communityID, try event.requireID()).path)
    }

    @Sendable static func postCreateVenue(_ req: Request) async throws -> Response {
        struct Form: Content { var name: String }
        let c = try req.scope.communityID()
        _ = try await CommunityLife.addVenue(try req.content.decode(Form.self).name, capacity: nil, community: c, on: req.db)
        req.flash(req.t("life.flash.venue"))
        return req.redirect(to: LifeRoute.console(c).path)
    }

    @Sendable static func postCreateClub(_ req: Request) async throws -> Response {
        struct Form: Content {
            var name: String
            var description: String?
            var joinPolicy: String?
            var leaderPhone: String?
        }
        let c = try req.scope.communityID()
        let form = try req.content.decode(Form.self)
        var leaders: [UUID] = []
        if let text = form.leaderPhone?.nilIfEmpty {
            guard let phone = PhoneNumber(text), let id = try await Person.query(on: req.db).filter(\.$phone == phone.digits).first()?.id
            else { throw LinliError.invalid("leaderPhone", "invalid_phone") }
            leaders = [id]
        }
        _ = try await Clubs.create(
            ClubInput(name: form.name, description: form.description, joinPolicy: Club.JoinPolicy(rawValue: form.joinPolicy ?? ""), audienceGroup: nil, leaderIDs: leaders),
            community: c, by: try req.user().principal.personID, organiser: true, now: req.clock.now(), today: req.today, on: req.db)
        req.flash(req.t("life.flash.club"))
        return req.redirect(to: LifeRoute.console(c).path)
    }

    @Sendable static func postApproveClub(_ req: Request) async throws -> Response {
        _ = try await CommunityLife.approveClub(req)
        req.flash(req.t("life.flash.clubApproved"))
        return req.redirect(to: LifeRoute.console(try req.scope.communityID()).path)
    }
}
