import Fluent
import Foundation
import LinliCore
import NIOConcurrencyHelpers
import SQLKit
import Vapor

struct CreateJobs: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(JobRecord.schema).id()
            .field("name", .string, .required).field("handler", .string, .required).field("payload", .string)
            .field("status", .string, .required).field("run_at", .datetime, .required).field("every_seconds", .double)
            .field("attempts", .int, .required).field("max_attempts", .int, .required).field("locked_by", .string)
            .field("locked_until", .datetime).field("last_error", .string).field("created_at", .datetime, .required)
            .unique(on: "name").create()
        try await IndexSQL.create("jobs_due", on: JobRecord.schema, ["status", "run_at"], database)
        try await database.schema(JobRun.schema).id()
            .field("job_id", .uuid, .required).field("name", .string, .required).field("instance", .string, .required)
            .field("started_at", .datetime, .required).field("finished_at", .datetime, .required)
            .field("succeeded", .bool, .required).field("error", .string).create()
        try await IndexSQL.create("job_runs_name", on: JobRun.schema, ["name", "started_at"], database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema(JobRun.schema).delete()
        try await database.schema(JobRecord.schema).delete()
    }
}
