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
        Web.route(web, .GET, { _, _, _ in AccessRoute.myAccess }, authority: .signedIn, myAccessPage)
        Web.route(web, .GET, { _, _, _ in AccessRoute.myQR }, authority: .signedIn, myQRPage)
        Web.route(web, .POST, { _, _, _ in AccessRoute.consent }, authority: .signedIn, postConsent)
        Web.route(web, .POST, { _, _, _ in AccessRoute.consentWithdraw }, authority: .signedIn, postConsentWithdraw)
        Web.route(web, .POST, { _, _, _ in AccessRoute.passes }, authority: .signedIn, postPasses)
        Web.route(web, .POST, { d, _, _ in AccessRoute.lockUnlock(d) }, authority: .object("deviceID"), postLockUnlock)
        Web.route(web, .POST, { d, _, _ in AccessRoute.lockCodes(d) }, authority: .object("deviceID"), postLockCodes)
        Web.route(web, .POST, { d, c, _ in AccessRoute.lockCodeRevoke(d, c) }, authority: .object("deviceID"), postLockCodeRevoke)
        Web.route(web, .POST, { p, _, _ in AccessRoute.passRevoke(p) }, authority: .object("passID"), postPassRevoke)
    }
}
