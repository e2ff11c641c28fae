import Fluent
import Foundation
import LinliCore

struct CreateFaceProcessingLog: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(FaceProcessing.schema).id()
            .field("community_id", .uuid, .required, .references(Community.schema, .id, onDelete: .cascade))
            .field("person_id", .uuid, .required).field("action", .string, .required)
            .field("actor_person_id", .uuid).field("actor_device_id", .uuid)
            .field("vectors", .int, .required).field("at", .datetime, .required).create()
        try await IndexSQL.create(
            "face_processing_community_at", on: FaceProcessing.schema, ["community_id", "at"], database)
    }

    func revert(on database: any Database) async throws { try await database.schema(FaceProcessing.schema).delete() }
}
