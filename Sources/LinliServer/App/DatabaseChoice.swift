import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import NIOPosix
import Vapor

/// Which database Linli stores into.
public enum DatabaseChoice: Sendable {
    /// Embedded SQLite in a file (WAL mode, synchronous FULL).
    case sqlite(path: String)
    /// Embedded SQLite in memory (tests).
    case sqliteMemory
    /// PostgreSQL; `schema` isolates a test run in its own schema.
    case postgres(url: String, schema: String? = nil)

    /// `DATABASE_URL=postgres://...` wins; else `LINLI_DATABASE`, else `./linli.sqlite`.
    public static func fromEnvironment(defaultPath: String = "linli.sqlite") -> DatabaseChoice {
        if let url = Environment.get("DATABASE_URL"), !url.isEmpty { return .postgres(url: url) }
        return .sqlite(path: Environment.get("LINLI_DATABASE") ?? defaultPath)
    }

    /// Whether several servers may use the database at once (PostgreSQL); one SQLite file has one server.
    var isShared: Bool {
        switch self {
        case .sqlite, .sqliteMemory: false
        case .postgres: true
        }
    }

    var poolSize: Int {
        switch self {
        case .sqlite, .sqliteMemory: System.coreCount
        case .postgres: System.coreCount * 4
        }
    }

    func configure(_ app: Application) throws {
        if case .postgres = self {} else {
            // SQLite runs each statement on a thread of the application's pool, and sqlite-nio waits for
            // a lock by spinning on that thread. With the process-wide pool shared by several
            // applications (the test suite), two waiting statements could hold every thread while the
            // transaction they wait for needs one to commit: a live lock. A pool of the application's
            // own, with more threads than it has connections, always leaves the holder a thread.
            app.threadPool = NIOThreadPool(numberOfThreads: System.coreCount + 1)
        }
        // A burst (a hundred bins reporting at once) queues for the connections; a request waits up to
        // 30 s for one rather than the pool's default 10 s, after which it is told 503 (come back later).
        let wait = TimeAmount.seconds(30)
        switch self {
        case .sqlite(let path):
            app.databases.use(.sqlite(.file(path), connectionPoolTimeout: wait), as: .sqlite)
        case .sqliteMemory:
            app.databases.use(.sqlite(.memory, connectionPoolTimeout: wait), as: .sqlite)
        case .postgres(let url, let schema):
            var config = try SQLPostgresConfiguration(url: url)
            if let schema { config.searchPath = [schema] }
            // A test run (its own schema) opens dozens of applications at once: fewer connections each.
            app.databases.use(
                .postgres(
                    configuration: config, maxConnectionsPerEventLoop: schema == nil ? 4 : 2, connectionPoolTimeout: wait),
                as: .psql)
        }
    }

    /// Settings that must hold before anything is stored: WAL and full sync on SQLite
    /// (an acknowledged write survives kill -9), the test schema on PostgreSQL.
    func prepare(_ db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        switch self {
        case .sqlite:
            try await sql.raw("PRAGMA journal_mode=WAL").run()
            try await sql.raw("PRAGMA synchronous=FULL").run()
        case .sqliteMemory:
            break
        case .postgres(_, let schema):
            if let schema { try await sql.raw("CREATE SCHEMA IF NOT EXISTS \(ident: schema)").run() }
        }
    }
}

extension Database {
    /// A transaction that is run again when SQLite answers "database is locked": two connections that
    /// both read before writing cannot both upgrade, and SQLite refuses one at once instead of waiting
    /// (`busy`; in WAL mode `busyInSnapshot` when another writer committed after this transaction's
    /// first read). Nothing of the refused attempt was written, so running it again is safe. The waits
    /// grow and are jittered, up to about three seconds in all: a hundred writers of one row at once
    /// on a loaded machine were refused more than five quick retries allowed, and answered 500.
    func writeTransaction<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            do {
                return try await transaction(body)
            } catch let error as SQLiteError
                where [.busy, .busyInSnapshot].contains(error.reason) && attempt < Self.busyRetries
            {
                attempt += 1
                let wait = min(UInt64(attempt) * 5, 80) + UInt64.random(in: 0...10)
                try await Task.sleep(nanoseconds: wait * 1_000_000)
            }
        }
    }

    /// How often a refused SQLite transaction is run again.
    static var busyRetries: Int { 40 }
}
