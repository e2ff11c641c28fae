import Fluent
import Foundation
import LinliCore
import Vapor

extension SecurityPages {
    @Sendable static func mySecurityPage(_ req: Request) async throws -> Response {
        let user = try req.user()
        let homesNamed = try await RegistryAPI.myHomes(req)
        var homes: [HomePanel] = []
        for (household, name) in homesNamed {
            let id = try household.requireID()
            let row = try await HomeSecurity.stored(household, on: req.db)
            let read = try await SecurityAPI.read(household, row: row, on: req)
            let since = user.principal.residentSince[id] ?? .distantPast
            let history = try await SecurityEvent.query(on: req.db).filter(\.$householdID == id)
                .filter(\.$hidden == false).filter(\.$at >= since).sort(\.$at, .descending).limit(10).all()
            let calls = try await GuardCall.query(on: req.db).filter(\.$householdID == id)
                .filter(\.$kind != .duress).filter(\.$raisedAt >= since).sort(\.$raisedAt, .descending).limit(3).all()
            let names = Dictionary(uniqueKeysWithValues: read.sensors.map { ($0.id, $0.name) })
            let schedule = row.settings.schedule
            let coming = schedule.next(after: req.clock.now(), calendar: .china)
            homes.append(
                HomePanel(
                    id: id, home: name, state: req.t("security.state.\(read.state.rawValue)"),
                    stateKey: read.state.rawValue, armed: read.state != .disarmed,
                    until: (read.exitEndsAt ?? read.entryEndsAt).map {
                        req.t("security.until", ["time": ConsolePages.time($0, req)])
                    },
                    nextScheduled: coming.map {
                        req.t(
                            "security.nextScheduled",
                            ["time": ConsolePages.time($0.at, req), "action": req.t("security.state.\($0.entry.action)")])
                    },
                    alarm: read.alarm.map { a in
                        req.t(
                            a.reported ? "security.alarm.reported" : "security.alarm.pending",
                            ["sensor": a.sensor.flatMap { names[$0] } ?? "", "time": ConsolePages.time(a.reportAt, req)])
                    },
                    modes: AlarmPanel.Mode.allCases.map {
                        .init(value: $0.rawValue, label: req.t("security.state.\($0.rawValue)"))
                    }, arm: SecurityRoute.arm(id).path, disarm: SecurityRoute.disarm(id).path,
                    codeSet: read.codeSet,
                    sensors: read.sensors.map { s in
                        SensorRow(
                            name: s.name, kind: req.t("security.class.\(s.sensorClass.rawValue)"),
                            state: read.bypassed.contains(s.id)
                                ? req.t("security.bypassed")
                                : read.shutDown.contains(s.id)
                                    ? req.t("security.shutDown") : s.open ? req.t("security.open") : req.t("security.closed"),
                            problems: s.problems.map { req.t("security.problem.\($0)") }.joined(separator: " · "))
                    },
                    history: history.map { e in
                        "\(ConsolePages.time(e.at, req)) · \(req.t("security.note.\(e.kind)"))"
                            + (e.sensorID.flatMap { names[$0] }.map { " · " + $0 } ?? "")
                    },
                    calls: calls.map { c in
                        "\(ConsolePages.time(c.raisedAt, req)) · \(req.t("security.kind.\(c.kind.rawValue)")) · \(req.t("security.step.\(c.step.rawValue)"))"
                            + (c.outcome.map { " · " + req.t("security.outcome.\($0.rawValue)") } ?? "")
                    },
                    contacts: try await EmergencyContacts.list(id, on: req.db).map {
                        EmergencyContactRead(name: $0.name, phone: $0.phone, relation: $0.relation)
                    }, contactsAction: SecurityRoute.contacts(id).path,
                    feed: SecurityAPI.home.replacingOccurrences(of: "{householdID}", with: id.uuidString) + "/live"))
        }
        return try await req.render("security/home", title: req.t("security.title"), Page(homes: homes))
    }

    @Sendable static func postArm(_ req: Request) async throws -> Response {
        struct Form: Content {
            var mode: String
            var force: String?
        }
        let form = try req.content.decode(Form.self)
        let household = try req.scope.home()
        _ = try await SecurityAPI.arm(
            household, ArmInput(mode: form.mode, code: nil, force: form.force != nil),
            by: try req.user().principal.personID, on: req)
        req.flash(req.t("security.armedNow"))
        return req.redirect(to: SecurityRoute.mySecurity.path)
    }

    @Sendable static func postDisarm(_ req: Request) async throws -> Response {
        struct Form: Content { var code: String? }
        let form = try req.content.decode(Form.self)
        let household = try req.scope.home()
        _ = try await SecurityAPI.disarm(
            household, DisarmInput(code: form.code?.nilIfEmpty), by: try req.user().principal.personID, on: req)
        req.flash(req.t("security.disarmedNow"))
        return req.redirect(to: SecurityRoute.mySecurity.path)
    }

    @Sendable static func postContacts(_ req: Request) async throws -> Response {
        struct Form: Content {
            var name: [String]?
            var phone: [String]?
            var relation: [String]?
        }
        let form = try req.content.decode(Form.self)
        let household = try req.scope.home()
        let names = form.name ?? []
        let phones = form.phone ?? []
        let relations = form.relation ?? []
        let entries = names.indices.compactMap { i -> EmergencyContactInput? in
            let name = names[i].trimmingCharacters(in: .whitespaces)
            let phone = i < phones.count ? phones[i].trimmingCharacters(in: .whitespaces) : ""
            guard !(name.isEmpty && phone.isEmpty) else { return nil }
            return EmergencyContactInput(name: name, phone: phone, relation: i < relations.count ? relations[i] : nil)
        }
        _ = try await EmergencyContacts.replace(household, entries, on: req)
        req.flash(req.t("console.saved"))
        return req.redirect(to: SecurityRoute.mySecurity.path)
    }

    @Sendable static func deskPage(_ req: Request) async throws -> Response {
        let header = try await ConsolePages.header(req, current: "security")
        let id = header.id
        try req.authorize(.handleAlarms(id))
        let open = try await GuardCalls.reads(try await GuardCalls.open(id, on: req.db), on: req.db)
        let closedRows = try await GuardCall.scoped(to: id, on: req.db).filter(\.$step == .resolved)
            .sort(\.$resolvedAt, .descending).limit(20).all()
        let closed = try await GuardCalls.reads(closedRows, on: req.db)
        let figures = try await GuardCalls.figures(id, since: req.clock.now().addingTimeInterval(-30 * 86_400), on: req.db)
        func percent(_ value: Double?) -> String { value.map { String(format: "%.1f %%", $0 * 100) } ?? "—" }
        let worst = figures.falseAlarmRateByHousehold.filter { $0.value > 0 }.count
        return try await req.render(
            "security/desk", title: req.t("console.tab.security"),
            DeskPage(
                header: header, calls: open.map { row($0, community: id, req) },
                closed: closed.map { row($0, community: id, req) },
                figures: [
                    req.t("security.figures.calls", ["n": "\(figures.calls)"]),
                    req.t("security.figures.ack60", ["value": percent(figures.acknowledgedWithin60s)]),
                    req.t(
                        "security.figures.onSite",
                        ["value": figures.medianToOnSiteSeconds.map { ConsolePages.duration(Int($0), req) } ?? "—"]),
                    req.t(
                        "security.figures.falseAlarms",
                        [
                            "value": percent(figures.falseAlarmRate),
                            "homes": "\(worst)",
                        ]),
                ],
                feed: SecurityAPI.desk.replacingOccurrences(of: "{communityID}", with: id.uuidString) + "/live"))
    }

    @Sendable static func postCallStep(_ req: Request) async throws -> Response {
        struct Form: Content {
            var outcome: String?
            var note: String?
        }
        let id = try req.id("communityID")
        try req.authorize(.handleAlarms(id))
        // The step is the route's last segment (`…/calls/{callID}/dispatched`).
        guard let step = req.url.path.split(separator: "/").last.flatMap({ GuardDesk.Step(rawValue: String($0)) })
        else { throw LinliError(.notFound) }
        let call = try await GuardCall.find(try req.id("callID"), in: id, on: req.db)
        let form = try req.content.decode(Form.self)
        try await GuardCalls.act(
            call, step, GuardStepInput(guardID: nil, outcome: form.outcome, note: form.note),
            by: try req.user().principal.personID, app: req.application)
        req.flash(req.t("console.saved"))
        return req.redirect(to: SecurityRoute.desk(id).path)
    }
}
