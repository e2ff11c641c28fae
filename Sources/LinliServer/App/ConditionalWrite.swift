import Fluent
import SQLKit

extension Database {
    /// An `UPDATE … WHERE <the state it may change from>` that answers how many rows it changed.
    ///
    /// The one way Linli makes a counted transition (a refund, a pass entry, a code used, a step
    /// taken) happen once: run it inside the transaction that writes its record, and go on only
    /// when it changed exactly the row expected — a parallel repeat finds the state moved on and
    /// changes nothing. `RETURNING` works on SQLite (3.35+) and PostgreSQL alike.
    func conditionalUpdate(_ table: String, _ build: (SQLUpdateBuilder) -> SQLUpdateBuilder) async throws -> Int {
        guard let sql = self as? any SQLDatabase else { return 0 }
        return try await build(sql.update(table)).returning("id").all().count
    }
}
