import Fluent
import Foundation
import LinliCore
import Vapor

extension AccessAPI {
    @Sendable static func decideAccess(_ req: Request) async throws -> some AsyncResponseEncodable {
        try await AccessService.decide(req) 
    }

    @Sendable static func enrolFace(_ req: Request) async throws -> some AsyncResponseEncodable {
        let (device, _) = try await AccessService.terminal(req, enrolling: true)
        let input = try req.decode(EnrolInput.self)
        return Created(value: try await enrol(input, from: device, on: req))
    }

    @Sendable static func syncAccessLibrary(_ req: Request) async throws -> some AsyncResponseEncodable {
        let (device, gates) = try await AccessService.terminal(req)
        let since = try req.int64Query("since").map(Int.init) ?? 0
        guard since >= 0 else { throw LinliError.invalid("since", "out_of_range") }
        return try await AccessSync.changes(community: device.communityID, since: since, for: gates, on: req)
    }

    @Sendable static func getCredentialKey(_ req: Request) async throws -> some AsyncResponseEncodable {
        let (device, _) = try await AccessService.terminal(req)
        let key = try await req.application.accessDirectory.credentialKey(device.communityID, on: req.db)
        let response = try await ["algorithm": "HMAC-SHA256(key, hex(SHA-256(value)))", "key": key.base64]
            .encodeResponse(for: req)
        response.headers.cacheControl = .init(noStore: true)
        return response
    }

    @Sendable static func uploadAccessEvents(_ req: Request) async throws -> some AsyncResponseEncodable {
        let (device, gates) = try await AccessService.terminal(req)
        let stored = try await AccessSync.upload(
            try req.decode([EdgeEvent].self), from: device, gates: gates, on: req)
        return ["stored": stored]
    }

    @Sendable static func getFaceConsent(_ req: Request) async throws -> some AsyncResponseEncodable {
        let me = try req.user().principal.personID
        let rows = try await FaceConsent.query(on: req.db).filter(\.$givenBy == me).sort(\.$acceptedAt, .descending)
            .all()
        return ConsentStatus(version: FaceConsentText.version, consents: rows.map(ConsentRead.init))
    }

    @Sendable static func giveFaceConsent(_ req: Request) async throws -> some AsyncResponseEncodable {
        Created(value: ConsentRead(try await giveConsent(try req.decode(ConsentInput.self), on: req))) 
    }

    @Sendable static func withdrawFaceConsent(_ req: Request) async throws -> some AsyncResponseEncodable {
        guard let community = req.query[UUID.self, at: "communityID"] else {
            throw LinliError.invalid("communityID", "missing_value")
        }
        try await withdraw(person: try req.id("personID"), community: community, on: req)
        return NoContent()
    }

    @Sendable static func getMyQR(_ req: Request) async throws -> some AsyncResponseEncodable {
        let secret = try await qrSecret(for: try req.user().principal.personID, on: req.db)
        let now = req.clock.now()
        let window = RotatingCode.window(at: now)
        let left = Int((window + 1) * RotatingCode.window) - Int(now.timeIntervalSince1970)
        return QRRead(
            payload: RotatingCode.payload(handle: secret.handle, secret: Array(secret.secret), at: now),
            refreshIn: left)
    }

    @Sendable static func getMyAccessHistory(_ req: Request) async throws -> some AsyncResponseEncodable {
        let options = try req.listOptions(.accessEvents)
        return try await history(for: try req.user().principal, on: req.db).page(options, map: EventRead.init)
    }

    @Sendable static func createVisitorPass(_ req: Request) async throws -> some AsyncResponseEncodable {
        Created(value: try await createPass(try req.decode(PassInput.self), on: req)) 
    }

    @Sendable static func listVisitorPasses(_ req: Request) async throws -> some AsyncResponseEncodable {
        let options = try req.listOptions(.passes)
        return try await VisitorPass.query(on: req.db).madeInHomes(of: try req.user().principal).page(
            options, map: PassRead.init)
    }

    @Sendable static func revokeVisitorPass(_ req: Request) async throws -> some AsyncResponseEncodable {
        try PassRead(try await revokePass(try req.id("passID"), on: req)) 
    }
}
