import Fluent
import Foundation
import LinliCore
import SQLKit
import Vapor

/// Gate access: gates, consent and face enrolment, decisions, QR, visitor passes.
/// The strings of this feature (`AccessStrings` tables beside it).
enum AccessStrings: LocalizedStrings {}

enum Access: Feature {
    static var strings: (any LocalizedStrings.Type)? { AccessStrings.self }

    static func seedDemo(_ world: DemoWorld, on db: any Database) async throws {
        try await DemoGates.seed(
            db, community: world.community, buildings: world.communityBuildings, households: world.households,
            memberships: world.communityMemberships, now: world.now)
    }

    static func register(_ app: Application) throws {
        GateUse.register(app)
        app.notificationTopics.add(.access)
        app.pageLinks.add("access", AccessRoute.myAccess)
        app.homeTiles.add("access", order: 10, AccessRoute.myAccess)
        app.pageLinks.add("consent", AccessRoute.consent)
        app.pageLinks.add("consentWithdraw", AccessRoute.consentWithdraw)
        app.pageLinks.add("passes", AccessRoute.passes)
        app.consoleTabs.add("gates", order: 90, shown: { .viewDevices($0) }) { AccessRoute.gates($0) }
        app.consoleTabs.add("faceData", order: 100, shown: { .manageDevices($0) }) { AccessRoute.faceData($0) }
        app.migrations.add(CreateAccess())
        // A resident's access card also signs them in where another feature takes cards (recycling bins).
        app.cardHolders.add { community, card, db in
            guard !card.isEmpty, card.count <= 128 else { return nil }
            let key = try await CredentialKey.of(community, on: db)
            return try await AccessCredential.query(on: db).filter(\.$communityID == community).filter(\.$kind == .card)
                .filter(\.$valueHash == key.hash(card)).filter(\.$revoked == false).filter(\.$personID != nil).first()?
                .personID
        }
        // The app's rotating QR code, shown to a kiosk's scanner: each 30-second window opens once, as at a gate.
        app.terminalCredentials.addCode { community, payload, now, db in
            guard payload.count <= 200, let (handle, code) = RotatingCode.parse(payload),
                let secret = try await QRSecret.query(on: db).filter(\.$handle == handle).first(), let id = secret.id,
                case .valid(let window) = RotatingCode.verify(code, secret: Array(secret.secret), now: now, lastUsed: secret.lastWindow)
            else { return nil }
            let used = try await db.conditionalUpdate(QRSecret.schema) {
                $0.set("last_window", to: window).where("id", .equal, id).where {
                    $0.where("last_window", .is, SQLLiteral.null).orWhere("last_window", .lessThan, window)
                }
            }
            return used == 1 ? secret.personID : nil
        }
        app.migrations.add(CreateFaceProcessingLog())
        app.migrations.add(CreateLockCodes())
        app.migrations.add(CreateAccessChanges())
        app.migrations.add(CreateCredentialKey())
        app.migrations.add(KeyAccessCredentialHashes())
        app.migrations.add(IndexAccessEventsByPerson())
        app.migrations.add(AddAccessDirection())
        // A gate that let the person through saw them.
        app.activity.addLastSeen("gate") { person, db in
            try await AccessEvent.query(on: db).filter(\.$personID == person).filter(\.$allow == true)
                .sort(\.$at, .descending).first()?.at
        }
        // Out by the community's gate (a main, pedestrian or garage exit reader) and not back in since.
        app.activity.addOut { person, db in
            guard
                let last = try await AccessEvent.query(on: db).filter(\.$personID == person).filter(\.$allow == true)
                    .sort(\.$at, .descending).first(),
                last.direction == "out", let gate = last.gateID, let row = try await Gate.find(gate, on: db),
                row.kind != .building
            else { return nil }
            return last.at
        }
        try app.prepareFaces()
        app.migrations.add(AddLivenessRequired())
        app.prepareAccessLog()
        app.prepareAccessDirectory()
        let hub = app.deviceHub
        let galleries = try app.faceGalleries
        let directory = try app.accessDirectory
        app.departures.onDeparture { departure, db in
            try await AccessDeparture.takeBack(departure, hub: hub, on: db)
            // The gallery in memory and the directory learn it at once.
            galleries.reload(departure.community)
            directory.forgetAll()
        }
        app.lifecycle.use(AccessLogFlush())
        AccessAPI.register(app)
        AccessPages.register(app.pages)
        app.openAPIComponents.add(AccessSchemas.all)
        Locks.register(app)
    }
}

/// Writes the access-log rows still waiting for their group commit before the server stops.
struct AccessLogFlush: LifecycleHandler {
    func shutdownAsync(_ app: Application) async {
        await (try? app.accessLog)?.idle()
    }
}

/// The access log's search: result, gate, method, days (China time). One filter for the API, the console
/// table and the CSV export.
struct AccessLogFilter {
    var allow: Bool?
    var gateID: UUID?
    var method: AccessMethod?
    var from: CivilDate?
    var to: CivilDate?

    static let parameters: [Endpoint.Parameter] = [
        .init(name: "allow", schema: Schema.bool), .init(name: "gateID", schema: Schema.uuid),
        .init(name: "method", schema: Schema.enumeration(AccessMethod.allCases.map(\.rawValue))),
        .init(name: "from", schema: Schema.date), .init(name: "to", schema: Schema.date),
    ]

    init() {}

    /// From the query string; a malformed value is a 400 naming it, an empty one means no filter.
    init(_ req: Request) throws {
        func text(_ name: String) -> String? { (req.query[String.self, at: name]).flatMap { $0.isEmpty ? nil : $0 } }
        func bad(_ name: String) -> LinliError {
            LinliError(.invalidListQuery, ["field": name], issues: [FieldIssue(field: name, reason: "invalid_value")])
        }
        if let value = text("allow") {
            guard let flag = Bool(value) else { throw bad("allow") }
            allow = flag
        }
        if let value = text("gateID") {
            guard let id = UUID(uuidString: value) else { throw bad("gateID") }
            gateID = id
        }
        if let value = text("method") {
            guard let value = AccessMethod(rawValue: value) else { throw bad("method") }
            method = value
        }
        if let value = text("from") {
            guard let day = CivilDate(value) else { throw bad("from") }
            from = day
        }
        if let value = text("to") {
            guard let day = CivilDate(value) else { throw bad("to") }
            to = day
        }
    }

    func apply(_ query: QueryBuilder<AccessEvent>) -> QueryBuilder<AccessEvent> {
        var query = query
        if let allow { query = query.filter(\.$allow == allow) }
        if let gateID { query = query.filter(\.$gateID == gateID) }
        if let method { query = query.filter(\.$method == method) }
        if let from { query = query.filter(\.$at >= Calendar.chinaStart(of: from)) }
        if let to { query = query.filter(\.$at < Calendar.chinaStart(of: to).addingTimeInterval(86_400)) }
        return query
    }

    /// The same filter as a query string (for the CSV link of a filtered console table).
    var queryString: String {
        var pairs: [String] = []
        if let allow { pairs.append("allow=\(allow)") }
        if let gateID { pairs.append("gateID=\(gateID)") }
        if let method { pairs.append("method=\(method.rawValue)") }
        if let from { pairs.append("from=\(from)") }
        if let to { pairs.append("to=\(to)") }
        return pairs.isEmpty ? "" : "?" + pairs.joined(separator: "&")
    }
}

extension NotificationTopic {
    static let access = NotificationTopic("access")
}

extension Access {
    static var commands: [(name: String, command: any AnyAsyncCommand)] { [("seed-faces", SeedFacesCommand())] }
}

extension Access {
    static var css: String? { "access/access.css" }
}

/// Gates, access settings, people, homes, staff or the deny list changed: the access directory drops what
/// it holds.
struct AccessDirectoryChanged: LinliEvent {}

/// Face consents or vectors of a community changed: its galleries are loaded again.
struct GalleryChanged: LinliEvent {
    let community: UUID
}
