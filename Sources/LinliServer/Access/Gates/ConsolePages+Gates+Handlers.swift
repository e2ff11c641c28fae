import Fluent
import LinliCore
import Vapor

extension ConsolePages {
    @Sendable static func gatesPage(_ req: Request) async throws -> Response {
        let header = try await deviceHeader(req, current: "gates")
        let id = header.id
        let filter = try AccessLogFilter(req)
        let gates = try await Gate.scoped(to: id, on: req.db).sort(\.$name).all()
        let gateNames = Dictionary(uniqueKeysWithValues: gates.compactMap { g in g.id.map { ($0, g.name) } })
        let terminals = try await Device.query(on: req.db).filter(\.$id ~~ gates.flatMap(\.deviceIDs)).all()
        let reads = Dictionary(
            uniqueKeysWithValues: zip(terminals.compactMap(\.id), try await DeviceHubAPI.reads(terminals, on: req)))
        let events = try await filter.apply(AccessEvent.scoped(to: id, on: req.db)).sort(\.$at, .descending)
            .limit(filter.queryString.isEmpty ? 30 : 200).all()
        let people = try await Person.byID(events.compactMap(\.personID), on: req.db)
        let now = req.clock.now()
        let dayStart = Calendar.china.startOfDay(for: now)
        let passes = try await VisitorPass.scoped(to: id, on: req.db).filter(\.$revoked == false)
            .filter(\.$validUntil > now).filter(\.$validFrom < dayStart.addingTimeInterval(86_400)).sort(
                \.$validFrom
            ).all()
        let households = try await Household.byID(passes.map(\.householdID), on: req.db)
        let buildings = try await Building.byID(households.values.map(\.buildingID), on: req.db)
        let denied = try await DenyEntry.query(on: req.db).filter(\.$communityID == id).sort(
            \.$createdAt, .descending
        ).all()
        let deniedPeople = try await Person.byID(denied.map(\.personID), on: req.db)
        return try await req.render(
            "access/gates", title: req.t("console.tab.gates"),
            GatesPage(
                header: header,
                decisions: events.map { e in
                    DecisionRow(
                        time: time(e.at, req), gate: e.gateID.flatMap { gateNames[$0] } ?? "",
                        method: req.t("access.method.\(e.method)"),
                        person: e.personID.flatMap { people[$0] }.map { MaskedName.of($0.name) }
                            ?? (e.passID != nil ? req.t("gate.reason.visitor") : ""),
                        result: req.t("gate.reason.\(e.reason)"), allow: e.allow)
                },
                visitors: passes.map { p in
                    let home = households[p.householdID]
                    return VisitorRow(
                        name: p.visitorName,
                        home: "\(home.flatMap { buildings[$0.buildingID]?.name } ?? "") \(home?.room ?? "")",
                        window: time(p.validFrom, req) + " – " + time(p.validUntil, req),
                        entries: "\(p.entriesUsed)/\(p.entriesAllowed)")
                },
                denied: denied.map { d in
                    DenyRow(
                        name: deniedPeople[d.personID]?.name ?? "", reason: d.reason, since: time(d.createdAt, req),
                        remove: AccessRoute.denyRemove(id, d.personID).path)
                },
                gates: gates.map { g in
                    GateRow(
                        id: g.id?.uuidString ?? "", name: g.name, kind: req.t("gate.kind.\(g.kind.rawValue)"),
                        terminals: g.deviceIDs.compactMap { device in
                            guard let read = reads[device] else { return nil }
                            return TerminalRow(
                                name: read.name, href: DeviceRoute.device(id, device).path,
                                status: statusText(read, req), online: read.online && !read.disabled,
                                lastSeen: time(read.lastSeen, req))
                        })
                },
                feed: AlarmFeed.path(id),
                export: AccessRoute.accessLog(id).path + filter.queryString, canDeny: req.can(.handleAlarms(id)),
                denyAction: AccessRoute.denyList(id).path, filtered: !filter.queryString.isEmpty,
                from: filter.from?.description ?? "", to: filter.to?.description ?? "",
                gateChoices: [Choice(value: "", label: req.t("gates.any"), selected: filter.gateID == nil)]
                    + gates.map { g in
                        Choice(value: g.id?.uuidString ?? "", label: g.name, selected: g.id == filter.gateID)
                    },
                methodChoices: [Choice(value: "", label: req.t("gates.any"), selected: filter.method == nil)]
                    + AccessMethod.allCases.map { m in
                        Choice(
                            value: m.rawValue, label: req.t("access.method.\(m.rawValue)"), selected: filter.method == m)
                    },
                resultChoices: [
                    Choice(value: "", label: req.t("gates.any"), selected: filter.allow == nil),
                    Choice(value: "true", label: req.t("gates.allowed"), selected: filter.allow == true),
                    Choice(value: "false", label: req.t("gates.refused"), selected: filter.allow == false),
                ]))
    }

    @Sendable static func postDenyRemove(_ req: Request) async throws -> Response {
        let id = try req.id("communityID")
        try await AccessAPI.undeny(try req.id("personID"), in: id, on: req)
        req.flash(req.t("console.saved"))
        return req.redirect(to: AccessRoute.gates(id).path)
    }

    @Sendable static func faceDataPage(_ req: Request) async throws -> Response {
        let header = try await header(req, current: "faceData")
        try req.authorize(.manageDevices(header.id))
        let data = try await FaceDataRead.of(community: header.id, on: req)
        let options = try req.listOptions(.faceProcessing)
        let page = try await FaceProcessing.scoped(to: header.id, on: req.db).page(options) { $0 }
        let log = try await FaceProcessingRead.list(page.items, on: req.db)
        let share = Double(data.serverPeople) / Double(data.filingThreshold) * 100
        return try await req.render(
            "access/facedata", title: req.t("console.tab.faceData"),
            FaceDataPage(
                header: header, data: data, share: String(format: "%.2f", share),
                log: log.map { row in
                    FaceLogRow(
                        time: time(row.at, req), action: req.t("face.action.\(row.action.rawValue)"),
                        person: row.person, actor: row.actor, vectors: row.vectors)
                }, pager: pager(page.metadata, req)))
    }

    @Sendable static func postDenyList(_ req: Request) async throws -> Response {
        let id = try req.id("communityID")
        try req.authorize(.handleAlarms(id))
        let form = try req.content.decode(DenyForm.self)
        guard let phone = PhoneNumber(form.phone),
            let person = try await Person.query(on: req.db).filter(\.$phone == phone.digits).first()
        else { throw LinliError.invalid("phone", "invalid_phone") }
        try await AccessAPI.deny(try person.requireID(), reason: form.reason, in: id, on: req)
        req.flash(req.t("console.saved"))
        return req.redirect(to: AccessRoute.gates(id).path)
    }

    @Sendable static func accessLogPage(_ req: Request) async throws -> Response {
        let id = try req.id("communityID")
        try req.authorize(.viewDevices(id))
        let events = try await AccessLogFilter(req).apply(AccessEvent.scoped(to: id, on: req.db))
            .sort(\.$at, .descending).limit(100_000).all()
        let gates = Gate.byID(try await Gate.scoped(to: id, on: req.db).all())
        let people = try await Person.byID(events.compactMap(\.personID), on: req.db)
        var lines = ["time,gate,method,person,allow,reason,score,source"]
        let formatter = ISO8601DateFormatter()
        for e in events {
            lines.append(
                CSVTable.line([
                    formatter.string(from: e.at), e.gateID.flatMap { gates[$0]?.name } ?? "", e.method.rawValue,
                    e.personID.flatMap { people[$0] }.map { MaskedName.of($0.name) } ?? "",
                    e.allow ? "yes" : "no",
                    e.reason.rawValue, e.score.map { String(format: "%.4f", $0) } ?? "", e.source,
                ]))
        }
        let response = Response(body: .init(string: "\u{FEFF}" + lines.joined(separator: "\n") + "\n"))
        response.headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        response.headers.contentDisposition = .init(.attachment, filename: "access-log.csv")
        return response
    }
}
