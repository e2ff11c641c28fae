import Fluent
import Foundation
import LinliCore
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// The one job runner. Features register their recurring jobs (`every`) and one-off handlers (`on`)
/// while the application is configured; `enqueue` schedules a one-off job durably (in the caller's
/// transaction when given one). `runDue` claims and runs what is due — the background worker calls it
/// four times a second in a server, tests call it after moving the clock.
final class Jobs: Sendable {
    typealias Handler = @Sendable (Application, JobContext) async throws -> Void

    struct JobContext: Sendable {
        let name: String
        let payload: String?
        let now: Date
        let attempt: Int
    }

    private struct Recurring: Sendable {
        let name: String
        let every: TimeInterval
        let maxAttempts: Int
    }

    /// This process, as it appears in `locked_by` and the run log.
    let instance: String
    /// How long a claimed job stays with its worker unless renewed: a killed worker's job is taken over
    /// this long after the kill. A running job's lease is renewed every third of it.
    let lease: TimeInterval = 30
    private let handlers = NIOLockedValueBox([String: Handler]())
    private let recurring = NIOLockedValueBox([Recurring]())

    init() {
        instance = "\(ProcessInfo.processInfo.hostName)-\(getpid())-\(UUID().uuidString.prefix(8))"
    }

    /// A recurring job: runs `every` seconds after its last run ended, once across all instances.
    func every(_ name: String, seconds: TimeInterval, maxAttempts: Int = 3, run: @escaping Handler) {
        handlers.withLockedValue { $0[name] = run }
        recurring.withLockedValue { $0.append(Recurring(name: name, every: seconds, maxAttempts: maxAttempts)) }
    }

    /// A handler for one-off jobs of a kind.
    func on(_ handler: String, run: @escaping Handler) {
        handlers.withLockedValue { $0[handler] = run }
    }

    var recurringNames: [String] { recurring.withLockedValue { $0.map(\.name) } }

    /// Schedules a one-off job; `name` is its idempotency key (a second enqueue of the same name does nothing).
    func enqueue(
        _ handler: String, name: String, payload: String? = nil, at: Date, maxAttempts: Int = 5, on db: any Database
    ) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.insert(into: JobRecord.schema)
            .columns(
                "id", "name", "handler", "payload", "status", "run_at", "attempts", "max_attempts", "created_at")
            .values(
                SQLBind(UUID()), SQLBind(name), SQLBind(handler), SQLBind(payload), SQLBind(JobStatus.scheduled.rawValue),
                SQLBind(at), SQLBind(0), SQLBind(maxAttempts), SQLBind(at)
            )
            .ignoringConflicts(with: "name").run()
    }

    /// How soon after a recurring job's row is made its first turn runs: a new server (or a new job)
    /// does its work soon after it starts, not one interval (an hour, a day) later.
    static let firstTurn: TimeInterval = 10

    /// Creates the rows of recurring jobs that do not have one yet (first run ``firstTurn`` from now,
    /// or one interval if that is shorter) and keeps the others' intervals in step with the code. A row
    /// that exists keeps its turn: a job due while the servers were down runs once when one is back.
    func schedule(now: Date, on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        for job in recurring.withLockedValue({ $0 }) {
            try await sql.insert(into: JobRecord.schema)
                .columns(
                    "id", "name", "handler", "status", "run_at", "every_seconds", "attempts", "max_attempts",
                    "created_at"
                )
                .values(
                    SQLBind(UUID()), SQLBind(job.name), SQLBind(job.name), SQLBind(JobStatus.scheduled.rawValue),
                    SQLBind(now.addingTimeInterval(min(job.every, Self.firstTurn))), SQLBind(job.every), SQLBind(0), SQLBind(job.maxAttempts),
                    SQLBind(now)
                )
                .ignoringConflicts(with: "name").run()
            try await sql.update(JobRecord.schema).set("every_seconds", to: job.every)
                .set("max_attempts", to: job.maxAttempts).where("name", .equal, job.name).run()
        }
    }

    private struct Claimed: Decodable {
        let id: UUID
        let name: String
        let handler: String
        let payload: String?
        let every_seconds: Double?
        let attempts: Int
        let max_attempts: Int
    }

    /// Claims due jobs (and jobs whose worker's lease ran out) one at a time and runs each, up to `limit`.
    /// Answers how many ran. One at a time, so no claimed job waits for another's handler while its lease
    /// runs out. Only jobs this server has a handler for are claimed: a job of a newer version (servers
    /// upgraded one by one) waits for a server that knows it instead of failing here.
    @discardableResult
    func runDue(_ app: Application, limit: Int = 20) async throws -> Int {
        var ran = 0
        while ran < limit, let job = try await claim(app) {
            try await run(job, app)
            ran += 1
        }
        return ran
    }

    private func claim(_ app: Application) async throws -> Claimed? {
        guard let sql = app.db as? any SQLDatabase else { return nil }
        let now = app.clock.now()
        let known: [any Encodable & Sendable] = handlers.withLockedValue { Array($0.keys) }
        guard !known.isEmpty else { return nil }
        let skipLocked = sql.dialect.name == "postgresql" ? " FOR UPDATE SKIP LOCKED" : ""
        // A read first: most seconds nothing is due, and then no write is needed.
        let due = try await sql.raw(
            """
            SELECT id FROM \(ident: JobRecord.schema) \
            WHERE ((status = \(bind: JobStatus.scheduled.rawValue) AND run_at <= \(bind: now)) \
            OR (status = \(bind: JobStatus.running.rawValue) AND locked_until < \(bind: now))) \
            AND handler IN (\(binds: known)) LIMIT 1
            """
        ).first()
        guard due != nil else { return nil }
        let instance = instance
        let lease = lease
        return try await app.db.writeTransaction { db in
            try await (db as! any SQLDatabase).raw(
            """
            UPDATE \(ident: JobRecord.schema) SET status = \(bind: JobStatus.running.rawValue), \
            locked_by = \(bind: instance), locked_until = \(bind: now.addingTimeInterval(lease)), \
            attempts = attempts + 1 \
            WHERE id IN (SELECT id FROM \(ident: JobRecord.schema) \
            WHERE ((status = \(bind: JobStatus.scheduled.rawValue) AND run_at <= \(bind: now)) \
            OR (status = \(bind: JobStatus.running.rawValue) AND locked_until < \(bind: now))) \
            AND handler IN (\(binds: known)) \
            ORDER BY run_at LIMIT 1\(unsafeRaw: skipLocked)) \
            RETURNING id, name, handler, payload, every_seconds, attempts, max_attempts
            """
            ).first(decoding: Claimed.self)
        }
    }

    /// Renews the lease of a job this worker holds every third of the lease until cancelled.
    private func keepLease(_ job: Claimed, _ app: Application) -> Task<Void, Never> {
        let instance = instance
        let lease = lease
        return Task {
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: UInt64(lease / 3 * 1_000_000_000))
                guard !Task.isCancelled else { return }
                do {
                    _ = try await app.db.writeTransaction { db in
                        try await db.conditionalUpdate(JobRecord.schema) { update in
                            update.set("locked_until", to: app.clock.now().addingTimeInterval(lease))
                                .where("id", .equal, job.id).where("locked_by", .equal, instance)
                        }
                    }
                } catch { app.logger.warning("job \(job.name): lease not renewed: \(error)") }
            }
        }
    }

    private func run(_ job: Claimed, _ app: Application) async throws {
        let started = app.clock.now()
        var failure: String?
        let renewal = keepLease(job, app)
        defer { renewal.cancel() }
        if let handler = handlers.withLockedValue({ $0[job.handler] }) {
            do {
                try await handler(
                    app, JobContext(name: job.name, payload: job.payload, now: started, attempt: job.attempts))
            } catch {
                failure = String(describing: error).prefix(500).description
                app.logger.warning("job \(job.name) failed (attempt \(job.attempts)): \(failure ?? "")")
            }
        } else {
            failure = "no handler \(job.handler)"  // unregistered since the claim (not expected)
        }
        let finished = app.clock.now()
        let error = failure
        let next = JobPlan.after(
            succeeded: failure == nil, every: job.every_seconds, attempts: job.attempts, maxAttempts: job.max_attempts,
            now: finished)
        let instance = instance
        try await app.db.writeTransaction { db in
            // Only the worker that holds the job finishes it: one whose lease ran out and was taken over
            // changes nothing.
            let changed = try await db.conditionalUpdate(JobRecord.schema) { update in
                var update = update.set("locked_by", to: SQLLiteral.null).set("locked_until", to: SQLLiteral.null)
                    .set("last_error", to: error.map { SQLBind($0) as any SQLExpression } ?? SQLLiteral.null)
                switch next {
                case .runAt(let at, let attempts):
                    update = update.set("status", to: JobStatus.scheduled.rawValue).set("run_at", to: at)
                        .set("attempts", to: attempts)
                case .done: update = update.set("status", to: JobStatus.done.rawValue)
                case .failed: update = update.set("status", to: JobStatus.failed.rawValue)
                }
                return update.where("id", .equal, job.id).where("locked_by", .equal, instance)
            }
            guard changed == 1 else { return }
            let run = JobRun()
            run.jobID = job.id
            run.name = job.name
            run.instance = instance
            run.startedAt = started
            run.finishedAt = finished
            run.succeeded = error == nil
            run.error = error
            try await run.create(on: db)
        }
    }

    /// Runs older than a week are deleted, and one-off jobs that ended as long ago.
    static func prune(now: Date, on db: any Database) async throws {
        let week = now.addingTimeInterval(-7 * 86_400)
        try await JobRun.query(on: db).filter(\.$startedAt < week).delete()
        try await JobRecord.query(on: db).filter(\.$status ~~ [.done, .failed]).filter(\.$runAt < week).delete()
    }
}

extension Application {
    private struct JobsKey: StorageKey { typealias Value = Jobs }

    /// The job runner's registry (see ``Jobs``).
    var jobs: Jobs {
        if let jobs = storage[JobsKey.self] { return jobs }
        let jobs = Jobs()
        storage[JobsKey.self] = jobs
        return jobs
    }
}

/// Runs due jobs four times a second while the server runs (not in tests, which call `runDue`).
struct JobWorker: LifecycleHandler {
    private let task = NIOLockedValueBox<Task<Void, Never>?>(nil)
    let poll: TimeInterval

    func didBootAsync(_ app: Application) async throws {
        guard poll > 0, app.runsBackgroundWork else { return }
        let logger = app.logger
        task.withLockedValue {
            $0 = Task {
                var scheduled = false
                while !Task.isCancelled {
                    do {
                        if !scheduled {
                            try await app.jobs.schedule(now: app.clock.now(), on: app.db)
                            scheduled = true
                        }
                        // Drain what is due, then wait.
                        while try await app.jobs.runDue(app) > 0, !Task.isCancelled {}
                    } catch { logger.report(error: error) }
                    try? await Task.sleep(nanoseconds: UInt64(poll * 1_000_000_000))
                }
            }
        }
    }

    func shutdownAsync(_ app: Application) async {
        let running = task.withLockedValue { $0 }
        running?.cancel()
        await running?.value
    }
}
