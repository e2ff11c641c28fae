import Fluent
import Foundation
import LinliCore
import Vapor

extension LifePages {
    @Sendable static func postJoinClub(_ req: Request) async throws -> Response {
        struct Form: Content { var showName: String? }
        let form = try req.content.decode(Form.self)
        let club = try await Clubs.visible(req)
        let member = try await Clubs.join(club, showName: form.showName == "on", req)
        let pending = member.status == .pending
        req.flash(req.t(pending ? "life.flash.joinPending" : "life.flash.joined"))
        return req.redirect(to: LifeRoute.events.path)
    }

    @Sendable static func postLeaveClub(_ req: Request) async throws -> Response {
        let club = try await Clubs.visible(req)
        guard let m = try await CommunityLife.membership(club, req), m.role != .leader else { throw LinliError(.notFound) }
        try await m.delete(on: req.db)
        req.flash(req.t("life.flash.left"))
        return req.redirect(to: LifeRoute.events.path)
    }

    @Sendable static func postProposeClub(_ req: Request) async throws -> Response {
        struct Form: Content {
            var communityID: UUID
            var name: String
            var description: String?
        }
        let form = try req.content.decode(Form.self)
        let principal = try req.user().principal
        guard !LifeAudience.homes(principal, in: form.communityID).isEmpty else { throw LinliError(.notFound) }
        _ = try await Clubs.create(
            ClubInput(name: form.name, description: form.description, joinPolicy: .open, audienceGroup: nil, leaderIDs: nil),
            community: form.communityID, by: principal.personID, organiser: false, now: req.clock.now(), today: req.today,
            on: req.db)
        req.flash(req.t("life.flash.proposed"))
        return req.redirect(to: LifeRoute.events.path)
    }

    /// The private calendar URL, shown once on the answer to the form that made it.
    @Sendable static func postCalendar(_ req: Request) async throws -> Response {
        let path = try await CommunityLife.newCalendarFeed(for: try req.user().principal.personID, now: req.clock.now(), on: req.db)
        let base = "\(req.url.scheme ?? "http")://\(req.headers.first(name: .host) ?? "localhost")"
        return try await req.renderSecret(
            heading: req.t("life.calendar.heading"), message: req.t("life.calendar.message"),
            secret: base + path, back: LifeRoute.events.path)
    }
}
