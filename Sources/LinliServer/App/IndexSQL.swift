import Fluent
import SQLKit

/// Creates secondary indexes, which Fluent's schema builder does not (the same SQL on SQLite and PostgreSQL).
enum IndexSQL {
    static func create(_ name: String, on table: String, _ columns: [String], _ database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        var builder = sql.create(index: name).on(table)
        for column in columns { builder = builder.column(column) }
        try await builder.run()
    }

    static func drop(_ name: String, _ database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.drop(index: name).run()
    }
}

/// Raw SQL the tests and tools need without depending on SQLKit themselves.
enum RawSQL {
    static func dropSchema(_ schema: String, on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.raw("DROP SCHEMA IF EXISTS \(ident: schema) CASCADE").run()
    }

    /// The value of an SQLite pragma, as text.
    static func pragma(_ name: String, on db: any Database) async throws -> String? {
        guard let sql = db as? any SQLDatabase else { return nil }
        guard let row = try await sql.raw("PRAGMA \(unsafeRaw: name)").first() else { return nil }
        if let text = try? row.decode(column: name, as: String.self) { return text }
        return (try? row.decode(column: name, as: Int.self)).map(String.init)
    }
}

extension IndexSQL {
    /// One index as a migration of its own (named after the index, so a feature may add several).
    struct Migration: AsyncMigration {
        let index: String
        let table: String
        let columns: [String]

        init(_ index: String, on table: String, _ columns: [String]) {
            self.index = index
            self.table = table
            self.columns = columns
        }

        var name: String { "IndexSQL.\(index)" }

        func prepare(on database: any Database) async throws { try await IndexSQL.create(index, on: table, columns, database) }
        func revert(on database: any Database) async throws { try await IndexSQL.drop(index, database) }
    }
}
