import Fluent
import Foundation

enum JobStatus: String, Codable, Sendable, CaseIterable {
    case scheduled, running, done, failed
}

/// One background job: recurring (every N seconds) or one-off, due at `runAt`. Claimed by one worker at a
/// time (`FOR UPDATE SKIP LOCKED` on PostgreSQL, the single writer on SQLite) for a short lease that the
/// worker renews while the job runs; a worker that died stops renewing, and another takes the job when
/// the lease runs out.
final class JobRecord: Model, @unchecked Sendable {
    static let schema = "jobs"
    @ID(key: .id) var id: UUID?
    /// Unique: the recurring job's name, or the one-off job's idempotency key.
    @Field(key: "name") var name: String
    @Field(key: "handler") var handler: String
    @OptionalField(key: "payload") var payload: String?
    @Field(key: "status") var status: JobStatus
    @Field(key: "run_at") var runAt: Date
    @OptionalField(key: "every_seconds") var everySeconds: Double?
    @Field(key: "attempts") var attempts: Int
    @Field(key: "max_attempts") var maxAttempts: Int
    @OptionalField(key: "locked_by") var lockedBy: String?
    @OptionalField(key: "locked_until") var lockedUntil: Date?
    @OptionalField(key: "last_error") var lastError: String?
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

/// One run of a job: when, where, how it ended. Kept a week.
final class JobRun: Model, @unchecked Sendable {
    static let schema = "job_runs"
    @ID(key: .id) var id: UUID?
    @Field(key: "job_id") var jobID: UUID
    @Field(key: "name") var name: String
    @Field(key: "instance") var instance: String
    @Field(key: "started_at") var startedAt: Date
    @Field(key: "finished_at") var finishedAt: Date
    @Field(key: "succeeded") var succeeded: Bool
    @OptionalField(key: "error") var error: String?

    init() {}
}
