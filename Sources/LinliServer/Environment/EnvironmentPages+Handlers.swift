import Fluent
import Foundation
import LinliCore
import Vapor

extension EnvironmentPages {
    @Sendable static func consolePage(_ req: Request) async throws -> Response {
        let header = try await ConsolePages.header(req, current: "environment")
        try req.authorize(.viewDevices(header.id))
        return try await req.render("environment/console", title: req.t("console.tab.environment"), try await page(header, req))
    }

    @Sendable static func roundPage(_ req: Request) async throws -> Response {
        let header = try await ConsolePages.header(req, current: "environment")
        try req.authorize(.handleAlarms(header.id))
        let bins = try await BinsAPI.round(header.id, now: req.clock.now(), on: req.db).map { row(header.id, $0, req) }
        return try await req.render("environment/round", title: req.t("env.round"), RoundPage(header: header, bins: bins))
    }

    @Sendable static func postZone(_ req: Request) async throws -> Response {
        struct Form: Content {
            var action: String
            var minutes: Int?
            var hours: Double?
        }
        let id = try req.id("communityID")
        try req.authorize(.sendCommands(id))
        let zone = try await IrrigationZone.find(try req.id("zoneID"), in: id, on: req.db)
        let form = try req.content.decode(Form.self)
        let action: IrrigationAPI.Override
        switch form.action {
        case "run": action = .run(minutes: form.minutes ?? 0)
        case "stop": action = .stop
        case "hold": action = .hold(hours: form.hours ?? 0, rain: false)
        case "resume": action = .resume
        default: throw LinliError.invalid("action", "invalid_value")
        }
        try await IrrigationAPI.override(zone, action, req)
        if form.action == "run" { req.flash(req.t("env.started", ["zone": zone.name])) }
        if form.action != "run" { req.flash(req.t("console.saved")) }
        return req.redirect(to: EnvironmentRoute.console(id).path + "#zone-\(try zone.requireID())")
    }

    @Sendable static func postBinDone(_ req: Request) async throws -> Response {
        let id = try req.id("communityID")
        try req.authorize(.handleAlarms(id))
        let (device, bin) = try await BinsAPI.bin(req, id)
        let done = try await Bins.done(bin, by: try req.user().person.name, now: req.clock.now(), app: req.application)
        req.flash(req.t(done ? "env.binDone" : "env.binNothing", ["bin": device.name]))
        return req.redirect(to: EnvironmentRoute.round(id).path)
    }
}
