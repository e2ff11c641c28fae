import Fluent
import LinliCore
import Vapor

extension AccessPages {
    @Sendable static func myAccessPage(_ req: Request) async throws -> Response {
        let user = try req.user()
        let (svg, left) = try await qrSVG(req)
        let communities = try await Community.query(on: req.db)
            .filter(\.$id ~~ Array(Set(user.principal.households.values))).all()
        let children = try await children(req)
        let subjects = [user.principal.personID] + children.compactMap(\.person.id)
        let consents = try await FaceConsent.query(on: req.db).filter(\.$personID ~~ subjects)
            .filter(\.$withdrawnAt == nil).all()
        let faces = try await FaceVector.query(on: req.db).filter(\.$personID ~~ subjects).all()
        let households = try await Household.byID(Array(user.principal.households.keys), on: req.db)
        let buildings = try await Building.byID(households.values.map(\.buildingID), on: req.db)
        let passes = try await VisitorPass.query(on: req.db).madeInHomes(of: user.principal)
            .sort(\.$createdAt, .descending).limit(20).all()
        let now = req.clock.now()
        let history = try await AccessAPI.history(for: user.principal, on: req.db).sort(\.$at, .descending)
            .limit(20).all()
        var codeRows: [UUID: [CodeRow]] = [:]
        for device in try await Locks.devices(req) {
            codeRows[try device.requireID()] = try await Locks.codes(device, on: req).map { code in
                let state: String
                if code.revokedAt != nil {
                    state =
                        req.t("lock.code.revoked") + " · "
                        + req.t("command.status.\((code.deleteStatus ?? .queued).rawValue)")
                } else {
                    state = req.t("command.status.\(code.setStatus.rawValue)")
                }
                return CodeRow(
                    label: code.label + (code.oneTime ? " · " + req.t("lock.oneTime") : ""),
                    until: ConsolePages.time(code.validUntil, req), state: state,
                    revoke: code.revokedAt == nil
                        ? AccessRoute.lockCodeRevoke(try device.requireID(), code.id).path : nil)
            }
        }
        let locks = try await Locks.mine(req).map { lock in
            LockRow(
                name: lock.name,
                state: !lock.online
                    ? req.t("device.offline")
                    : lock.locked.map { req.t($0 ? "lock.locked" : "lock.unlocked") } ?? "",
                last: lock.lastCommand.map {
                    req.t("command.\($0.method)") + " · " + req.t("command.status.\($0.status.rawValue)")
                } ?? "",
                unlock: AccessRoute.lockUnlock(lock.id).path, codes: AccessRoute.lockCodes(lock.id).path,
                codeRows: codeRows[lock.id] ?? [])
        }
        return try await req.render(
            "access/access", title: req.t("access.title"),
            Page(
                locks: locks, qr: svg, refreshIn: left,
                consents: try communities.flatMap { c in
                    let id = try c.requireID()
                    let people =
                        [(user.principal.personID, req.t("access.face.me"))]
                        + children.filter { $0.community == id }.compactMap { child in
                            child.person.id.map { ($0, req.t("access.face.child", ["name": child.person.name])) }
                        }
                    return people.map { person, who in
                        let consent = consents.first { $0.communityID == id && $0.personID == person }
                        return ConsentRow(
                            community: c.name, communityID: id, personID: person, who: who,
                            accepted: consent.map { ConsolePages.time($0.acceptedAt, req) },
                            faces: faces.filter { $0.communityID == id && $0.personID == person }.count)
                    }
                }, version: FaceConsentText.version,
                households: households.values.map { h in
                    ConsolePages.Option(
                        value: h.id?.uuidString ?? "", label: "\(buildings[h.buildingID]?.name ?? "") \(h.room)")
                },
                passes: try passes.map { p in
                    let facts = PassFacts(
                        community: p.communityID, building: nil, validFrom: p.validFrom, validUntil: p.validUntil,
                        entriesAllowed: p.entriesAllowed, entriesUsed: p.entriesUsed, revoked: p.revoked)
                    let status = facts.refusal(at: now).map { req.t("gate.reason.\($0.rawValue)") }
                        ?? req.t("access.pass.valid")
                    return PassRow(
                        visitor: p.visitorName,
                        window: ConsolePages.time(p.validFrom, req) + " – " + ConsolePages.time(p.validUntil, req),
                        entries: "\(p.entriesUsed)/\(p.entriesAllowed)", status: status,
                        qr: try QRCode("P1:" + p.qrToken).svg(
                            title: req.t("access.pass.qr", ["name": p.visitorName])),
                        revoke: p.revoked ? nil : AccessRoute.passRevoke(try p.requireID()).path)
                },
                history: history.map { e in
                    HistoryRow(
                        time: ConsolePages.time(e.at, req), method: req.t("access.method.\(e.method)"),
                        result: req.t("gate.reason.\(e.reason)"), allow: e.allow)
                }, today: Calendar.chinaDate(now)))
    }

    @Sendable static func myQRPage(_ req: Request) async throws -> Response {
        let (svg, left) = try await qrSVG(req)
        let response = Response(body: .init(string: svg))
        response.headers.contentType = HTTPMediaType(type: "image", subType: "svg+xml")
        response.headers.replaceOrAdd(name: "X-Refresh-In", value: "\(left)")
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    @Sendable static func postConsent(_ req: Request) async throws -> Response {
        let form = try req.content.decode(ConsentForm.self)
        guard form.agree != nil else { throw LinliError.invalid("agree", "missing_value") }
        _ = try await AccessAPI.giveConsent(
            ConsentInput(
                communityID: form.communityID, personID: form.personID, version: FaceConsentText.version,
                serverMatching: form.serverMatching != nil), on: req)
        req.flash(req.t("access.consent.saved"))
        return req.redirect(to: AccessRoute.myAccess.path)
    }

    @Sendable static func postConsentWithdraw(_ req: Request) async throws -> Response {
        let form = try req.content.decode(ConsentForm.self)
        try await AccessAPI.withdraw(
            person: form.personID ?? (try req.user().principal.personID), community: form.communityID, on: req)
        req.flash(req.t("access.consent.withdrawn"))
        return req.redirect(to: AccessRoute.myAccess.path)
    }

    @Sendable static func postPasses(_ req: Request) async throws -> Response {
        let form = try req.content.decode(PassForm.self)
        guard let day = CivilDate(form.day) else { throw LinliError.invalid("day", "invalid_date") }
        let hours = Int(form.hours ?? "") ?? 24
        guard (1...72).contains(hours) else { throw LinliError.invalid("hours", "out_of_range") }
        var components = DateComponents()
        components.year = day.year
        components.month = day.month
        components.day = day.day
        guard let start = Calendar.china.date(from: components) else {
            throw LinliError.invalid("day", "invalid_date")
        }
        let from = max(start, req.clock.now().addingTimeInterval(-60))
        let created = try await AccessAPI.createPass(
            PassInput(
                householdID: form.householdID, visitorName: form.visitorName,
                visitorPhone: form.visitorPhone?.nilIfEmpty,
                validFrom: from, validUntil: from.addingTimeInterval(Double(hours) * 3600),
                entries: Int(form.entries ?? "") ?? 1), on: req)
        return try await req.renderSecret(
            heading: req.t("access.pass.title"), message: req.t("access.pass.created"), secret: created.pin,
            back: AccessRoute.myAccess.path)
    }

    @Sendable static func postLockUnlock(_ req: Request) async throws -> Response {
        _ = try await Locks.unlock(try await Locks.lock(req), on: req)
        req.flash(req.t("lock.sent"))
        return req.redirect(to: AccessRoute.myAccess.path)
    }

    @Sendable static func postLockCodes(_ req: Request) async throws -> Response {
        struct Form: Content {
            var label: String
            var hours: String?
            var oneTime: String?
        }
        let form = try req.content.decode(Form.self)
        let created = try await Locks.createCode(
            try await Locks.lock(req),
            LockCodeInput(label: form.label, hours: Int(form.hours ?? "") ?? 4, oneTime: form.oneTime != nil),
            on: req)
        return try await req.renderSecret(
            heading: req.t("lock.codeTitle"), message: req.t("lock.codeCreated"), secret: created.code,
            back: AccessRoute.myAccess.path)
    }

    @Sendable static func postLockCodeRevoke(_ req: Request) async throws -> Response {
        _ = try await Locks.revokeCode(try await Locks.lock(req), try req.id("codeID"), on: req)
        req.flash(req.t("lock.code.revokedNow"))
        return req.redirect(to: AccessRoute.myAccess.path)
    }

    @Sendable static func postPassRevoke(_ req: Request) async throws -> Response {
        _ = try await AccessAPI.revokePass(try req.id("passID"), on: req)
        req.flash(req.t("access.pass.revokedNow"))
        return req.redirect(to: AccessRoute.myAccess.path)
    }
}
