import Fluent
import SQLKit

/// The telemetry tables, written with SQLKit on the hot path. Keys: (device, name, ts) for raw
/// readings, (device, name) for the latest value, (device, name, period, start) for roll-ups.
/// On SQLite they are `WITHOUT ROWID` tables clustered on their key.
struct CreateTelemetry: AsyncMigration {
    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        let postgres = sql.dialect.name == "postgresql"
        let id = postgres ? "UUID" : "TEXT"
        let big = postgres ? "BIGINT" : "INTEGER"
        let real = postgres ? "DOUBLE PRECISION" : "REAL"
        let rowid = postgres ? "" : " WITHOUT ROWID"
        try await sql.raw(
            """
            CREATE TABLE telemetry (device_id \(unsafeRaw: id) NOT NULL, name TEXT NOT NULL, ts \(unsafeRaw: big) NOT NULL,
            kind TEXT NOT NULL, num \(unsafeRaw: real), str TEXT, PRIMARY KEY (device_id, name, ts))\(unsafeRaw: rowid)
            """
        ).run()
        try await sql.raw(
            """
            CREATE TABLE telemetry_latest (device_id \(unsafeRaw: id) NOT NULL, name TEXT NOT NULL, ts \(unsafeRaw: big) NOT NULL,
            kind TEXT NOT NULL, num \(unsafeRaw: real), str TEXT, PRIMARY KEY (device_id, name))\(unsafeRaw: rowid)
            """
        ).run()
        try await sql.raw(
            """
            CREATE TABLE telemetry_rollups (device_id \(unsafeRaw: id) NOT NULL, name TEXT NOT NULL, period TEXT NOT NULL,
            start \(unsafeRaw: big) NOT NULL, n \(unsafeRaw: big) NOT NULL, total \(unsafeRaw: real) NOT NULL,
            lo \(unsafeRaw: real) NOT NULL, hi \(unsafeRaw: real) NOT NULL, last_value \(unsafeRaw: real) NOT NULL,
            last_ts \(unsafeRaw: big) NOT NULL, PRIMARY KEY (device_id, name, period, start))\(unsafeRaw: rowid)
            """
        ).run()
        try await sql.raw(
            """
            CREATE TABLE device_status (device_id \(unsafeRaw: id) PRIMARY KEY, community_id \(unsafeRaw: id) NOT NULL,
            first_seen \(unsafeRaw: big) NOT NULL, last_seen \(unsafeRaw: big) NOT NULL, messages \(unsafeRaw: big) NOT NULL)
            """
        ).run()
        try await sql.raw("CREATE INDEX device_status_community ON device_status (community_id, last_seen)").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        for table in ["device_status", "telemetry_rollups", "telemetry_latest", "telemetry"] {
            try await sql.raw("DROP TABLE \(ident: table)").run()
        }
    }
}
