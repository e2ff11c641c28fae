import Fluent
import Foundation
import LinliCore
import Vapor

/// Materials and kinds: uploading a photo or PDF (the applicant, their household's adults, the workers),
/// reading one (each read logged), the read log for workers; the kinds of application, and adding one.
extension GovernmentServices {
    static func registerMaterials(_ app: Application, _ api: any RoutesBuilder) {
        let one = Authority.community(object: "applicationID") { .handleApplications($0) }
        let c = RegistryAPI.c + "/applications/{applicationID}"
        let me = "/api/v1/me/applications/{applicationID}"
        let upload = "A photo (JPEG, PNG, WebP) or a PDF as the request body, at most 5 MB, 20 an application; `?material=` names what it is (one of the kind's materials, or `other`)"
        let query = [Endpoint.Parameter(name: "material", schema: Schema.string(max: 40))]
        func add<R: AsyncResponseEncodable>(_ e: Endpoint, _ handler: @escaping @Sendable (Request) async throws -> R) {
            api.register(e, in: app, handler)
        }
        add(
            .init(
                method: .POST, path: c + "/materials", operationID: "addApplicationMaterial", summary: upload, tag: "government",
                authority: one, body: Schema.string(), bodyContentType: FileSignature.documentTypes.joined(separator: ", "), maxBody: "6mb", status: .created,
                response: Schema.ref("ApplicationMaterial"), query: query), addMaterial)
        add(
            .init(
                method: .GET, path: c + "/materials/{materialID}", operationID: "getApplicationMaterial",
                summary: "The material itself (the read is logged)", tag: "government", authority: one,
                response: Schema.string(), responseContentType: "application/octet-stream"), getMaterial)
        add(
            .init(
                method: .GET, path: c + "/material-reads", operationID: "listMaterialReads",
                summary: "Who read the application's materials, and when (newest first)", tag: "government", authority: one,
                response: Schema.page(of: "MaterialRead"), query: Endpoint.listQuery(.materialReads)), listMaterialReads)
        add(
            .init(
                method: .POST, path: me + "/materials", operationID: "addMyApplicationMaterial", summary: upload, tag: "government",
                authority: .object("applicationID"), body: Schema.string(), bodyContentType: FileSignature.documentTypes.joined(separator: ", "), maxBody: "6mb",
                status: .created, response: Schema.ref("ApplicationMaterial"), query: query), addMyMaterial)
        add(
            .init(
                method: .GET, path: me + "/materials/{materialID}", operationID: "getMyApplicationMaterial",
                summary: "A material of my application or my household's (the read is logged)", tag: "government",
                authority: .object("applicationID"), response: Schema.string(), responseContentType: "application/octet-stream"),
            getMyMaterial)
        add(
            .init(
                method: .GET, path: RegistryAPI.c + "/application-kinds", operationID: "listApplicationKinds",
                summary: "The kinds of application: the built-in ones and the community's own, each with its materials", tag: "government",
                authority: .community { .viewCommunity($0) }, response: Schema.page(of: "ApplicationKind"), query: Endpoint.listQuery(.applicationKinds)),
            listKinds)
        add(
            .init(
                method: .POST, path: RegistryAPI.c + "/application-kinds", operationID: "addApplicationKind",
                summary: "Add a kind of application: its code, name and materials; home visit and publicity, help first, re-checks",
                tag: "government", authority: .community { .manageCommunity($0) }, body: ApplicationKinds.input, status: .created,
                response: Schema.ref("ApplicationKind")), addKind)
    }

    static func upload(_ row: CivilApplication, _ req: Request) async throws -> Created<MaterialInfo> {
        let bytes = req.body.data.map { Data(buffer: $0) } ?? Data()
        let item = try await Materials.add(
            row, material: req.query[String.self, at: "material"], type: req.headers.contentType.map(\.essence) ?? "", bytes: bytes,
            by: try req.user().principal.personID, now: req.clock.now(), on: req.db)
        return Created(
            value: MaterialInfo(id: try item.requireID(), material: item.material, contentType: item.contentType, size: item.size, uploadedAt: item.createdAt))
    }

    @Sendable static func addMaterial(_ req: Request) async throws -> Created<MaterialInfo> { try await upload(try await pathApplication(req), req) }

    @Sendable static func addMyMaterial(_ req: Request) async throws -> Created<MaterialInfo> { try await upload(try await myApplication(req), req) }

    @Sendable static func getMaterial(_ req: Request) async throws -> Response {
        try await Materials.open(
            try await pathApplication(req), material: try req.id("materialID"), reader: try req.user().principal.personID, now: req.clock.now(), on: req.db)
    }

    @Sendable static func getMyMaterial(_ req: Request) async throws -> Response {
        try await Materials.open(
            try await myApplication(req), material: try req.id("materialID"), reader: try req.user().principal.personID, now: req.clock.now(), on: req.db)
    }

    @Sendable static func listMaterialReads(_ req: Request) async throws -> ListPage<MaterialReadInfo> {
        try req.page(try await Materials.reads(try await pathApplication(req).requireID(), on: req.db), .materialReads)
    }

    @Sendable static func listKinds(_ req: Request) async throws -> ListPage<KindRead> {
        try req.page(try await ApplicationKinds.all(try req.scope.communityID(), on: req.db).map { ApplicationKinds.read($0, req) }, .applicationKinds)
    }

    @Sendable static func addKind(_ req: Request) async throws -> Created<KindRead> {
        let community = try req.scope.communityID()
        let row = try await ApplicationKinds.add(try req.decode(KindInput.self), community: community, now: req.clock.now(), on: req.db)
        try await Audit.record(.create, "application_kind", id: row.id, community: community, after: row.code, by: req, on: req.db)
        return Created(value: ApplicationKinds.read(row.kind, req))
    }
}

extension Sorting {
    /// Newest first.
    static let materialReads = Sorting(keys: ["at"], defaultSort: "-at")
    /// The built-in kinds first, then the community's own as they were added.
    static let applicationKinds = Sorting(keys: ["created_at"], defaultSort: "created_at")
}
