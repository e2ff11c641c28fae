import Fluent
import Foundation
import SQLKit
import Vapor

/// One request made in a terminal's session (a kiosk), or its sign-in and sign-out: what was done,
/// by whom, on which device, with its answer.
final class TerminalAction: Model, @unchecked Sendable {
    static let schema = "terminal_actions"

    @ID(key: .id) var id: UUID?
    @Field(key: "device_id") var deviceID: UUID
    @Field(key: "community_id") var communityID: UUID
    @OptionalField(key: "person_id") var personID: UUID?
    /// `sign_in.card`, `sign_in.qr`, `sign_in.pin`, `sign_in.refused`, `sign_out`, `sign_out.idle`, or
    /// the request (`POST /ask`).
    @Field(key: "action") var action: String
    @Field(key: "status") var status: Int
    @Field(key: "at") var at: Date

    init() {}
}

struct CreateTerminalActions: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(TerminalAction.schema).id()
            .field("device_id", .uuid, .required).field("community_id", .uuid, .required).field("person_id", .uuid)
            .field("action", .string, .required).field("status", .int, .required).field("at", .datetime, .required)
            .create()
        try await IndexSQL.create("terminal_actions_device", on: TerminalAction.schema, ["device_id", "at"], database)
    }

    func revert(on database: any Database) async throws { try await database.schema(TerminalAction.schema).delete() }
}

/// A person signed in at a shared terminal: the session says which device (`terminal`), its community,
/// and when the person last did something. Past `idleLimit` without a request the session ends on the
/// server, whatever the screen did; every request in it is logged with the device; nothing of it may be
/// kept by the browser (`no-store`), so going back after the sign-out shows nothing personal.
enum TerminalSessions {
    static let idleLimit: TimeInterval = 60
    /// The screen's own countdown runs its last ten seconds before this; a little more for the network.
    static let grace: TimeInterval = 15

    static func begin(_ req: Request, person: UUID, device: UUID, community: UUID, how: String) async throws {
        try await req.renewSession(signingIn: person)
        req.session.data["terminal"] = device.uuidString
        req.session.data["terminalCommunity"] = community.uuidString
        req.session.data["terminalSeen"] = "\(Int(req.clock.now().timeIntervalSince1970))"
        try await log(device: device, community: community, person: person, "sign_in.\(how)", status: 200, at: req.clock.now(), on: req.db)
    }

    static func log(device: UUID, community: UUID, person: UUID?, _ action: String, status: Int, at: Date, on db: any Database) async throws {
        let row = TerminalAction()
        row.deviceID = device
        row.communityID = community
        row.personID = person
        row.action = String(action.prefix(200))
        row.status = status
        row.at = at
        try await row.create(on: db)
    }

    /// The device and community of this request's terminal session, if it is one.
    static func current(_ req: Request) -> (device: UUID, community: UUID)? {
        guard req.hasSession, let device = req.session.data["terminal"].flatMap(UUID.init(uuidString:)),
            let community = req.session.data["terminalCommunity"].flatMap(UUID.init(uuidString:))
        else { return nil }
        return (device, community)
    }

    static func end(_ req: Request, idle: Bool) async throws {
        if let (device, community) = current(req) {
            let person = req.session.data["person"].flatMap(UUID.init(uuidString:))
            try await log(device: device, community: community, person: person, idle ? "sign_out.idle" : "sign_out", status: 200, at: req.clock.now(), on: req.db)
        }
        // Nothing of the session may sign anyone in later in this request (the data outlives `destroy`).
        req.session.data = SessionData()
        req.session.destroy()
        req.auth.logout(CurrentUser.self)
    }
}

/// Ends idle terminal sessions before anyone is signed in by them, and logs what the others do.
struct TerminalSessionMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let (device, community) = TerminalSessions.current(request) else { return try await next.respond(to: request) }
        let now = request.clock.now()
        let seen = request.session.data["terminalSeen"].flatMap(Double.init) ?? 0
        if now.timeIntervalSince1970 - seen > TerminalSessions.idleLimit + TerminalSessions.grace {
            try await TerminalSessions.end(request, idle: true)
            return try await next.respond(to: request)
        }
        request.session.data["terminalSeen"] = "\(Int(now.timeIntervalSince1970))"
        let person = request.session.data["person"].flatMap(UUID.init(uuidString:))
        let response: Response
        do { response = try await next.respond(to: request) } catch {
            try? await TerminalSessions.log(
                device: device, community: community, person: person, "\(request.method.rawValue) \(request.url.path)",
                status: Int((error as? LinliError)?.code.status.code ?? (error as? any AbortError)?.status.code ?? 500), at: now, on: request.db)
            throw error
        }
        response.headers.cacheControl = .init(noStore: true)
        try await TerminalSessions.log(
            device: device, community: community, person: person, "\(request.method.rawValue) \(request.url.path)",
            status: Int(response.status.code), at: now, on: request.db)
        return response
    }
}
