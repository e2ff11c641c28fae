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
}
