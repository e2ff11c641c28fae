import Fluent
import Foundation
import LinliCore
import NIOConcurrencyHelpers
import SQLKit
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

/// The durable job runner: recurring jobs run once per turn across workers, a job due while the server
/// was down runs once, failures back off and are recorded, a dead worker's job is taken over.
@Suite struct JobsTests {
    struct Boom: Error {}

    @Test func theRulesOfWhenAJobRunsNext() {
        let now = Date(timeIntervalSince1970: 1_000_000)
        #expect(JobPlan.after(succeeded: true, every: 60, attempts: 1, maxAttempts: 3, now: now) == .runAt(now + 60, attempts: 0))
        #expect(JobPlan.after(succeeded: true, every: nil, attempts: 1, maxAttempts: 3, now: now) == .done)
        #expect(JobPlan.after(succeeded: false, every: nil, attempts: 1, maxAttempts: 3, now: now) == .runAt(now + 5, attempts: 1))
        #expect(JobPlan.after(succeeded: false, every: nil, attempts: 2, maxAttempts: 3, now: now) == .runAt(now + 10, attempts: 2))
        #expect(JobPlan.after(succeeded: false, every: nil, attempts: 3, maxAttempts: 3, now: now) == .failed)
        // A recurring job never waits longer than its turn, and starts counting again after it.
        #expect(JobPlan.after(succeeded: false, every: 8, attempts: 2, maxAttempts: 5, now: now) == .runAt(now + 8, attempts: 0))
        #expect(JobPlan.after(succeeded: false, every: 60, attempts: 3, maxAttempts: 3, now: now) == .runAt(now + 60, attempts: 0))
        #expect(JobPlan.backoff(afterFailures: 30) == JobPlan.longestBackoff)
    }

    @Test func aRecurringJobRunsOnceATurnAndOnceAfterTheServerWasDown() async throws {
        try await withLinli { h in
            let count = NIOLockedValueBox(0)
            h.app.jobs.every("test.count", seconds: 60) { _, _ in count.withLockedValue { $0 += 1 } }
            try await h.app.jobs.schedule(now: h.clock.now(), on: h.app.db)
            try await h.app.jobs.runDue(h.app)
            #expect(count.withLockedValue { $0 } == 0)
            // Its first turn comes soon after the start, not one interval later.
            h.clock.advance(by: Jobs.firstTurn)
            // Eight workers at once: one runs it.
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<8 { group.addTask { try await h.app.jobs.runDue(h.app) } }
                for try await _ in group {}
            }
            #expect(count.withLockedValue { $0 } == 1)
            h.clock.advance(by: 50)
            try await h.app.jobs.runDue(h.app)
            #expect(count.withLockedValue { $0 } == 1)
            // Down for ten turns: it runs once when back, then keeps its rhythm.
            h.clock.advance(by: 600)
            try await h.app.jobs.runDue(h.app)
            try await h.app.jobs.runDue(h.app)
            #expect(count.withLockedValue { $0 } == 2)
            h.clock.advance(by: 59)
            try await h.app.jobs.runDue(h.app)
            #expect(count.withLockedValue { $0 } == 2)
            h.clock.advance(by: 1)
            try await h.app.jobs.runDue(h.app)
            #expect(count.withLockedValue { $0 } == 3)
            let runs = try await JobRun.query(on: h.app.db).filter(\.$name == "test.count").all()
            #expect(runs.count == 3 && runs.allSatisfy(\.succeeded))
            // The platform's own sweeps are rows too, scheduled once each.
            let names = Set(try await JobRecord.query(on: h.app.db).all().map(\.name))
            #expect(names.isSuperset(of: ["devices.commands", "devices.rules", "identity.purge", "work-orders.sweep"]))
        }
    }

    @Test func aFailingJobBacksOffIsRecordedAndEnqueuedOnce() async throws {
        try await withLinli { h in
            let tries = NIOLockedValueBox(0)
            h.app.jobs.on("test.fail") { _, job in
                tries.withLockedValue { $0 += 1 }
                #expect(job.payload == "p")
                throw Boom()
            }
            for _ in 0..<3 {
                try await h.app.jobs.enqueue(
                    "test.fail", name: "fail-1", payload: "p", at: h.clock.now(), maxAttempts: 3, on: h.app.db)
            }
            #expect(try await JobRecord.query(on: h.app.db).filter(\.$name == "fail-1").count() == 1)
            func attempt() async throws -> Int {
                try await h.app.jobs.runDue(h.app)
                return tries.withLockedValue { $0 }
            }
            #expect(try await attempt() == 1)
            #expect(try await attempt() == 1)  // backing off 5 s
            h.clock.advance(by: 5)
            #expect(try await attempt() == 2)
            h.clock.advance(by: 9)
            #expect(try await attempt() == 2)  // then 10 s
            h.clock.advance(by: 1)
            #expect(try await attempt() == 3)
            h.clock.advance(by: 3600)
            #expect(try await attempt() == 3)
            let job = try #require(try await JobRecord.query(on: h.app.db).filter(\.$name == "fail-1").first())
            #expect(job.status == .failed && job.attempts == 3 && job.lastError?.contains("Boom") == true)
            #expect(tries.withLockedValue { $0 } == 3)
            let runs = try await JobRun.query(on: h.app.db).filter(\.$name == "fail-1").all()
            #expect(runs.count == 3 && runs.allSatisfy { !$0.succeeded })
        }
    }

    @Test func aDeadWorkersJobIsTakenOverAndItsLateAnswerChangesNothing() async throws {
        try await withLinli { h in
            let count = NIOLockedValueBox(0)
            h.app.jobs.on("test.once") { _, _ in count.withLockedValue { $0 += 1 } }
            try await h.app.jobs.enqueue("test.once", name: "once-1", at: h.clock.now(), on: h.app.db)
            // Another instance claimed it and died.
            let sql = try #require(h.app.db as? any SQLDatabase)
            try await sql.update(JobRecord.schema).set("status", to: "running").set("locked_by", to: "dead-worker")
                .set("locked_until", to: h.clock.now().addingTimeInterval(h.app.jobs.lease)).where("name", .equal, "once-1")
                .run()
            try await h.app.jobs.runDue(h.app)
            #expect(count.withLockedValue { $0 } == 0)  // its lease still holds
            h.clock.advance(by: h.app.jobs.lease + 1)
            try await h.app.jobs.runDue(h.app)
            #expect(count.withLockedValue { $0 } == 1)
            let job = try #require(try await JobRecord.query(on: h.app.db).filter(\.$name == "once-1").first())
            #expect(job.status == .done && job.lockedBy == nil)
        }
    }

    /// A live worker renews the lease of the job it runs: a job that runs longer than the lease is not
    /// taken over (and run a second time) while its worker is alive. Takes 12 s of real time, the renewal's.
    @Test func aLongJobKeepsItsLeaseWhileItsWorkerLives() async throws {
        try await withLinli { h in
            let runs = NIOLockedValueBox(0)
            let takenOver = NIOLockedValueBox<Int?>(nil)
            let lease = h.app.jobs.lease
            h.app.jobs.on("test.long") { app, _ in
                guard runs.withLockedValue({ $0 += 1; return $0 }) == 1 else { return }
                h.clock.advance(by: lease - 5)
                try await Task.sleep(nanoseconds: UInt64((lease / 3 + 2) * 1_000_000_000))  // one renewal
                h.clock.advance(by: 10)  // past the first lease
                takenOver.withLockedValue { $0 = nil }
                let ran = try await app.jobs.runDue(app)
                takenOver.withLockedValue { $0 = ran }
            }
            try await h.app.jobs.enqueue("test.long", name: "long-1", at: h.clock.now(), on: h.app.db)
            try await h.app.jobs.runDue(h.app)
            #expect(takenOver.withLockedValue { $0 } == 0)
            #expect(runs.withLockedValue { $0 } == 1)
            let job = try #require(try await JobRecord.query(on: h.app.db).filter(\.$name == "long-1").first())
            #expect(job.status == .done && job.lockedBy == nil)
        }
    }

    /// Several servers on one PostgreSQL: each turn of a recurring job runs on exactly one of them.
    /// A job of a kind this server has no handler for (a newer version's) is left for one that has.
    @Test func aJobNoHandlerHereKnowsWaitsForOneThatDoes() async throws {
        try await withLinli { h in
            try await h.app.jobs.enqueue("test.newer", name: "newer-1", at: h.clock.now(), on: h.app.db)
            #expect(try await h.app.jobs.runDue(h.app) == 0)
            let waiting = try #require(try await JobRecord.query(on: h.app.db).filter(\.$name == "newer-1").first())
            #expect(waiting.status == .scheduled && waiting.attempts == 0)
            let ran = NIOLockedValueBox(false)
            h.app.jobs.on("test.newer") { _, _ in ran.withLockedValue { $0 = true } }
            #expect(try await h.app.jobs.runDue(h.app) >= 1)
            #expect(ran.withLockedValue { $0 })
        }
    }

    @Test(.enabled(if: onPostgres)) func threeInstancesOnOnePostgreSQLRunEachTurnOnce() async throws {
        try await withLinli { h in
            let count = NIOLockedValueBox(0)
            try await h.withOtherServers(2, boot: false) { others in
                let apps = [h.app] + others.map(\.app)
                for app in apps {
                    app.jobs.every("test.shared", seconds: 30) { _, _ in
                        count.withLockedValue { $0 += 1 }
                        try await Task.sleep(nanoseconds: 20_000_000)
                    }
                    try await app.jobs.schedule(now: h.clock.now(), on: app.db)
                }
                for _ in 0..<5 {
                    h.clock.advance(by: 30)
                    try await withThrowingTaskGroup(of: Int.self) { group in
                        for app in apps { for _ in 0..<3 { group.addTask { try await app.jobs.runDue(app) } } }
                        for try await _ in group {}
                    }
                }
            }
            #expect(count.withLockedValue { $0 } == 5)
            let instances = Set(try await JobRun.query(on: h.app.db).filter(\.$name == "test.shared").all().map(\.instance))
            #expect(!instances.isEmpty)
        }
    }
}
