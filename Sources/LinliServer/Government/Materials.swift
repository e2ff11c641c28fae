import Fluent
import Foundation
import LinliCore
import SQLKit
import Vapor

/// A material (材料) of an application: a photo or a PDF. Its bytes are kept apart (``MaterialFile``) so a
/// list never loads them; income, health and disability papers are sensitive personal information, so
/// every read of the bytes is logged (``MaterialReadRow``) before they are sent.
final class ApplicationMaterial: Model, @unchecked Sendable {
    static let schema = "gov_materials"

    @ID(key: .id) var id: UUID?
    @Field(key: "application_id") var applicationID: UUID
    @Field(key: "community_id") var communityID: UUID
    /// The kind's material code it stands for, or `other`.
    @Field(key: "material") var material: String
    @Field(key: "content_type") var contentType: String
    @Field(key: "size") var size: Int
    @Field(key: "uploaded_by") var uploadedBy: UUID
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

final class MaterialFile: Model, @unchecked Sendable {
    static let schema = "gov_material_files"

    @ID(key: .id) var id: UUID?
    @Field(key: "bytes") var bytes: Data

    init() {}
}

/// One read of a material's bytes: who, when.
final class MaterialReadRow: Model, @unchecked Sendable {
    static let schema = "gov_material_reads"

    @ID(key: .id) var id: UUID?
    @Field(key: "material_id") var materialID: UUID
    @Field(key: "application_id") var applicationID: UUID
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "reader_id") var readerID: UUID
    @Field(key: "at") var at: Date

    init() {}
}

struct CreateMaterials: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ApplicationMaterial.schema).id()
            .field("application_id", .uuid, .required, .references(CivilApplication.schema, .id, onDelete: .cascade))
            .field("community_id", .uuid, .required).field("material", .string, .required).field("content_type", .string, .required)
            .field("size", .int, .required).field("uploaded_by", .uuid, .required).field("created_at", .datetime, .required)
            .create()
        try await IndexSQL.create("gov_materials_application", on: ApplicationMaterial.schema, ["application_id"], database)
        try await database.schema(MaterialFile.schema).id().field("bytes", .data, .required).create()
        try await database.schema(MaterialReadRow.schema).id()
            .field("material_id", .uuid, .required).field("application_id", .uuid, .required).field("community_id", .uuid, .required)
            .field("reader_id", .uuid, .required).field("at", .datetime, .required)
            .create()
        try await IndexSQL.create("gov_material_reads_application", on: MaterialReadRow.schema, ["application_id", "at"], database)
        try await database.schema(ApplicationKindRow.schema).id()
            .field("community_id", .uuid, .required).field("code", .string, .required).field("name", .string, .required)
            .field("materials", .string, .required).field("investigated", .bool, .required).field("help_first", .bool, .required)
            .field("recheck_months", .int).field("created_at", .datetime, .required)
            .unique(on: "community_id", "code")
            .create()
        for (key, type) in [("recheck_due_on", DatabaseSchema.DataType.string), ("recheck_reminded", .string)] {
            try await database.schema(CivilApplication.schema).field(.definition(name: .key(.string(key)), dataType: type, constraints: [])).update()
        }
    }

    func revert(on database: any Database) async throws {
        for schema in [ApplicationKindRow.schema, MaterialReadRow.schema, MaterialFile.schema, ApplicationMaterial.schema] {
            try await database.schema(schema).delete()
        }
    }
}

struct MaterialInfo: Content {
    let id: UUID
    let material: String
    let contentType: String
    let size: Int
    let uploadedAt: Date
}

struct MaterialReadInfo: Content {
    let materialID: UUID
    let readerID: UUID
    let readerName: String
    let at: Date
}

enum Materials {
    static let limit = 5 * 1024 * 1024
    static let perApplication = 20

    /// Stores a material for an open application: a photo or a PDF by its type and its first bytes, at
    /// most 5 MB, 20 an application. One the worker listed as missing is no longer missing.
    static func add(
        _ row: CivilApplication, material: String?, type: String, bytes: Data, by: UUID, now: Date, on db: any Database
    ) async throws -> ApplicationMaterial {
        guard let kind = try await ApplicationKinds.kind(row.kind, community: row.communityID, on: db) else { throw LinliError(.unavailable) }
        let material = material ?? "other"
        guard kind.accepts(material: material) else { throw LinliError.invalid("material", "invalid_value") }
        guard FileSignature.documentTypes.contains(type) else {
            throw LinliError(.unsupportedMediaType, ["expected": FileSignature.documentTypes.joined(separator: ", ")])
        }
        guard !bytes.isEmpty else { throw LinliError.invalid("material", "missing_value") }
        guard bytes.count <= limit else { throw LinliError(.payloadTooLarge, ["limit": "5 MB"]) }
        guard FileSignature.matches(type, bytes) else { throw LinliError.invalid("material", "not_a_document") }
        let id = try row.requireID()
        let item = ApplicationMaterial()
        item.id = UUID()
        item.applicationID = id
        item.communityID = row.communityID
        item.material = material
        item.contentType = type
        item.size = bytes.count
        item.uploadedBy = by
        item.createdAt = now
        let file = MaterialFile()
        file.id = item.id
        file.bytes = bytes
        try await db.writeTransaction { tx in
            // Only while the application is open, and inside its row lock: a decision taken meanwhile refuses
            // the material, and parallel uploads cannot pass 20.
            let open = Applications.Status.allCases.filter(\.isOpen).map(\.rawValue)
            let locked = try await tx.conditionalUpdate(CivilApplication.schema) {
                $0.set("escalated", to: SQLColumn("escalated")).where("id", .equal, id).where("status", .in, open)
            }
            guard locked == 1 else { throw LinliError(.conflict, issues: [FieldIssue(field: "material", reason: "wrong_step")]) }
            guard try await ApplicationMaterial.query(on: tx).filter(\.$applicationID == id).count() < perApplication else {
                throw LinliError.invalid("material", "too_many")
            }
            try await item.create(on: tx)
            try await file.create(on: tx)
            let missing = row.missing.split(separator: ",").map(String.init)
            if missing.contains(material) {
                _ = try await tx.conditionalUpdate(CivilApplication.schema) {
                    $0.set("missing", to: missing.filter { $0 != material }.joined(separator: ","))
                        .where("id", .equal, id).where("missing", .equal, row.missing)
                }
            }
            try await CivilApplications.record(row, "material", note: material, visitors: [], by: by, now: now, on: tx)
        }
        return item
    }

    static func list(_ application: UUID, on db: any Database) async throws -> [MaterialInfo] {
        try await ApplicationMaterial.query(on: db).filter(\.$applicationID == application).sort(\.$createdAt).all().map {
            MaterialInfo(id: try $0.requireID(), material: $0.material, contentType: $0.contentType, size: $0.size, uploadedAt: $0.createdAt)
        }
    }

    /// The material's bytes for `reader`, the read logged first: no log, no bytes.
    static func open(_ row: CivilApplication, material id: UUID, reader: UUID, now: Date, on db: any Database) async throws -> Response {
        guard let item = try await ApplicationMaterial.find(id, on: db), item.applicationID == row.id else { throw LinliError(.notFound) }
        let log = MaterialReadRow()
        log.materialID = id
        log.applicationID = item.applicationID
        log.communityID = item.communityID
        log.readerID = reader
        log.at = now
        try await log.create(on: db)
        guard let file = try await MaterialFile.find(id, on: db) else { throw LinliError(.notFound) }
        let response = Response(body: .init(data: file.bytes))
        response.headers.replaceOrAdd(name: .contentType, value: item.contentType)
        response.headers.cacheControl = .init(noStore: true)
        response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        // A PDF is handed over as a file, never shown inside the site's own pages.
        response.headers.replaceOrAdd(name: .contentDisposition, value: item.contentType == "application/pdf" ? "attachment; filename=\"\(id).pdf\"" : "inline")
        response.headers.replaceOrAdd(name: "Content-Security-Policy", value: "sandbox; default-src 'none'")
        return response
    }

    static func reads(_ application: UUID, on db: any Database) async throws -> [MaterialReadInfo] {
        let rows = try await MaterialReadRow.query(on: db).filter(\.$applicationID == application).sort(\.$at, .descending).limit(500).all()
        let people = try await Person.byID(rows.map(\.readerID), on: db)
        return rows.map { MaterialReadInfo(materialID: $0.materialID, readerID: $0.readerID, readerName: people[$0.readerID]?.name ?? "", at: $0.at) }
    }
}
