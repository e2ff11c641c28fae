import Fluent
import Foundation
import LinliCore
import Vapor

/// Binding a TV box to a home by its pairing code: an unbound box shows a six-digit code (a new one each
/// time the screen is drawn; only its hash is kept, for `lifetime`); family enter it at `/me/tv` and
/// choose the home — one they live in, or one that lists them (their phone) as its emergency contact,
/// in the box's community. Wrong codes are throttled per person.
enum TVPairing {
    static let lifetime: TimeInterval = 15 * 60

    static func hash(_ code: String) -> String { Secret.hash("tv-pairing:\(code)") }

    /// A new code for the box, replacing its last one (and clearing every expired one).
    static func issue(_ device: DeviceRef, _ req: Request) async throws -> String {
        let now = req.clock.now()
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5 {
            let code = String(format: "%06d", Int.random(in: 0..<1_000_000, using: &generator))
            let row = TVPairingCode()
            row.deviceID = device.id
            row.communityID = device.communityID
            row.codeHash = hash(code)
            row.expiresAt = now.addingTimeInterval(lifetime)
            do {
                try await req.db.writeTransaction { tx in
                    try await TVPairingCode.query(on: tx).group(.or) { $0.filter(\.$deviceID == device.id).filter(\.$expiresAt < now) }
                        .delete()
                    try await row.create(on: tx)
                }
                return code
            } catch {
                continue  // the same code held by another box: draw again
            }
        }
        throw LinliError(.unavailable)
    }

    struct Home: Encodable {
        let id: String
        let label: String
    }

    struct PairPage: Encodable {
        let homes: [Home]
    }

    /// The homes the person may bind a TV to: where they live now, and where they are the emergency
    /// contact (family living elsewhere).
    static func homes(_ req: Request) async throws -> [Household] {
        let user = try req.user()
        let contactOf = try await EmergencyContact.query(on: req.db).filter(\.$phone == user.person.phone).all(\.$householdID)
        let ids = Array(Set(Array(user.principal.households.keys) + contactOf))
        guard !ids.isEmpty else { return [] }
        return try await Household.query(on: req.db).filter(\.$id ~~ ids).all()
    }

    @Sendable static func pairPage(_ req: Request) async throws -> Response {
        let homes = try await homes(req)
        let buildings = try await Building.byID(homes.map(\.buildingID), on: req.db)
        let choices = homes.map { Home(id: $0.id?.uuidString ?? "", label: (buildings[$0.buildingID]?.name ?? "") + $0.room) }
            .sorted { $0.label < $1.label }
        return try await req.render("tv/pair", title: req.t("tv.pair.title"), PairPage(homes: choices), keep: false)
    }

    @Sendable static func postPair(_ req: Request) async throws -> Response {
        struct Form: Content {
            var code: String?
            var householdID: UUID?
        }
        let form = try req.content.decode(Form.self)
        let person = try req.user().principal.personID
        let code = (form.code ?? "").filter { !$0.isWhitespace }
        guard code.count == 6, code.allSatisfy(\.isASCIIDigit) else { throw LinliError.invalid("code", "tv_code_shape") }
        let homes = try await homes(req)
        guard let home = homes.first(where: { $0.id == form.householdID }) ?? (homes.count == 1 ? homes.first : nil) else {
            throw LinliError.invalid("householdID", "missing_value")
        }
        var rules = LoginThrottle()
        rules.slowAfter = 3
        rules.lockAfter = 5
        var pairing: TVPairingCode?
        try await AttemptThrottle.guarded([("tv-pair:\(person)", rules)], failure: LinliError.invalid("code", "tv_code_wrong"), on: req) {
            pairing = try await TVPairingCode.query(on: req.db).filter(\.$codeHash == hash(code))
                .filter(\.$expiresAt > req.clock.now()).first()
            return pairing?.communityID == home.communityID
        }
        guard let pairing, let pairingID = pairing.id else { throw LinliError.invalid("code", "tv_code_wrong") }
        let bound = try await DeviceRegistry.bind(
            pairing.deviceID, to: home, alsoIn: { tx in try await TVPairingCode.query(on: tx).filter(\.$id == pairingID).delete() }, by: req)
        guard bound else { throw LinliError(.conflict, issues: [FieldIssue(field: "code", reason: "tv_already_bound")]) }
        req.flash(req.t("tv.pair.done"))
        return req.redirect(to: TVRoute.pair.path)
    }
}
