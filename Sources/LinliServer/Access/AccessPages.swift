import Fluent
import LinliCore
import Vapor

/// The resident's gate page: rotating QR, face consent, visitor passes, access history.
enum AccessPages {
    struct PassRow: Encodable {
        let visitor: String
        let window: String
        let entries: String
        let status: String
        let qr: String
        let revoke: String?
    }

    struct HistoryRow: Encodable {
        let time: String
        let method: String
        let result: String
        let allow: Bool
    }

    struct ConsentRow: Encodable {
        let community: String
        let communityID: UUID
        /// Whose face: me, or a child under 14 of my household (a guardian's consent).
        let personID: UUID
        let who: String
        let accepted: String?
        let faces: Int
    }

    struct LockRow: Encodable {
        let name: String
        let state: String
        let last: String
        let unlock: String
        let codes: String
        let codeRows: [CodeRow]
    }

    struct CodeRow: Encodable {
        let label: String
        let until: String
        let state: String
        let revoke: String?
    }

    struct Page: Encodable {
        let locks: [LockRow]
        let qr: String
        let refreshIn: Int
        let consents: [ConsentRow]
        let version: String
        let households: [ConsolePages.Option]
        let passes: [PassRow]
        let history: [HistoryRow]
        let today: String
    }

    struct PassForm: Content {
        var householdID: UUID
        var visitorName: String
        var visitorPhone: String?
        var day: String
        var hours: String?
        var entries: String?
    }

    struct ConsentForm: Content {
        var communityID: UUID
        var personID: UUID?
        var agree: String?
        var serverMatching: String?
    }

    /// Children under 14 living in the caller's current households whom the caller may speak for (as the
    /// household's owner or a registered guardian), by community.
    static func children(_ req: Request) async throws -> [(community: UUID, person: Person)] {
        let user = try req.user()
        let memberships = try await Membership.query(on: req.db)
            .filter(\.$householdID ~~ Array(user.principal.households.keys)).filter(\.$movedOut == nil).all()
            .filter { $0.personID != user.principal.personID }
        let people = try await Person.byID(memberships.map(\.personID), on: req.db)
        var seen: Set<UUID> = []
        var children: [(community: UUID, person: Person)] = []
        for m in memberships {
            guard let person = people[m.personID], Guardians.isChild(person, now: req.clock.now()),
                seen.insert(m.personID).inserted,
                try await Guardians.standing(of: user.principal, for: m.personID, on: req.db) == .guardian
            else { continue }
            children.append((m.communityID, person))
        }
        return children
    }

    static func qrSVG(_ req: Request) async throws -> (String, Int) {
        let secret = try await AccessAPI.qrSecret(for: try req.user().principal.personID, on: req.db)
        let now = req.clock.now()
        let payload = RotatingCode.payload(handle: secret.handle, secret: Array(secret.secret), at: now)
        let left = Int((RotatingCode.window(at: now) + 1) * RotatingCode.window) - Int(now.timeIntervalSince1970)
        return (try QRCode(payload).svg(title: req.t("access.qrTitle")), left)
    }

    static func register(_ web: any RoutesBuilder) {
        Web.route(web, .GET, { _, _, _ in AccessRoute.myAccess }) { req -> Response in
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
        Web.route(web, .GET, { _, _, _ in AccessRoute.myQR }) { req -> Response in
            let (svg, left) = try await qrSVG(req)
            let response = Response(body: .init(string: svg))
            response.headers.contentType = HTTPMediaType(type: "image", subType: "svg+xml")
            response.headers.replaceOrAdd(name: "X-Refresh-In", value: "\(left)")
            response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
            return response
        }
        Web.route(web, .POST, { _, _, _ in AccessRoute.consent }) { req -> Response in
            let form = try req.content.decode(ConsentForm.self)
            guard form.agree != nil else { throw LinliError.invalid("agree", "missing_value") }
            _ = try await AccessAPI.giveConsent(
                ConsentInput(
                    communityID: form.communityID, personID: form.personID, version: FaceConsentText.version,
                    serverMatching: form.serverMatching != nil), on: req)
            req.flash(req.t("access.consent.saved"))
            return req.redirect(to: AccessRoute.myAccess.path)
        }
        Web.route(web, .POST, { _, _, _ in AccessRoute.consentWithdraw }) { req -> Response in
            let form = try req.content.decode(ConsentForm.self)
            try await AccessAPI.withdraw(
                person: form.personID ?? (try req.user().principal.personID), community: form.communityID, on: req)
            req.flash(req.t("access.consent.withdrawn"))
            return req.redirect(to: AccessRoute.myAccess.path)
        }
        Web.route(web, .POST, { _, _, _ in AccessRoute.passes }) { req -> Response in
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
        Web.route(web, .POST, { d, _, _ in AccessRoute.lockUnlock(d) }) { req -> Response in
            _ = try await Locks.unlock(try await Locks.lock(req), on: req)
            req.flash(req.t("lock.sent"))
            return req.redirect(to: AccessRoute.myAccess.path)
        }
        Web.route(web, .POST, { d, _, _ in AccessRoute.lockCodes(d) }) { req -> Response in
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
        Web.route(web, .POST, { d, c, _ in AccessRoute.lockCodeRevoke(d, c) }) { req -> Response in
            _ = try await Locks.revokeCode(try await Locks.lock(req), try req.id("codeID"), on: req)
            req.flash(req.t("lock.code.revokedNow"))
            return req.redirect(to: AccessRoute.myAccess.path)
        }
        Web.route(web, .POST, { p, _, _ in AccessRoute.passRevoke(p) }) { req -> Response in
            _ = try await AccessAPI.revokePass(try req.id("passID"), on: req)
            req.flash(req.t("access.pass.revokedNow"))
            return req.redirect(to: AccessRoute.myAccess.path)
        }
    }
}
