import Fluent
import Foundation
import SQLKit
import Vapor

/// `linli backup PATH` and `linli restore PATH` for the embedded SQLite database.
///
/// A backup is `VACUUM INTO`: one read transaction, so it is a consistent copy of the moment it began even
/// while the server keeps writing. A restore replaces the database file only while no server holds it
/// (a running server keeps an exclusive lock on `<database>.lock`), keeps the replaced file beside it,
/// and checks the backup is a whole SQLite database first. On PostgreSQL both say to use `pg_dump`.
enum Backup {
    static let keyReminder =
        "Face vectors are sealed with the face key (LINLI_FACE_KEY, or the key file linli-face.key): keep it "
        + "with the backup, apart from it; a database restored without its key keeps every face unreadable."

    /// The lock a serving process holds on its SQLite file; another server or a restore is refused.
    final class ServerLock: Sendable {
        let descriptor: Int32

        init(database path: String) throws {
            let descriptor = open(path + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else { throw Problem("cannot open \(path).lock") }
            guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
                close(descriptor)
                throw Problem("another linli server is using \(path); stop it first")
            }
            self.descriptor = descriptor
        }

        deinit { close(descriptor) }
    }

    struct Problem: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    static func backup(to target: String, database: DatabaseChoice, on db: any Database) async throws {
        guard case .sqlite = database, let sql = db as? any SQLDatabase else {
            throw Problem("linli backup copies the embedded SQLite database; on PostgreSQL use pg_dump")
        }
        guard !FileManager.default.fileExists(atPath: target) else {
            throw Problem("\(target) exists; a backup never overwrites a file")
        }
        try await sql.raw("VACUUM INTO \(bind: target)").run()
    }

    /// Replaces the database at `path` with the backup at `source`.
    static func restore(from source: String, to path: String, now: Date) throws -> String {
        let lock = try ServerLock(database: path)
        defer { withExtendedLifetime(lock) {} }
        guard let handle = FileHandle(forReadingAtPath: source) else { throw Problem("cannot read \(source)") }
        let header = handle.readData(ofLength: 16)
        try? handle.close()
        guard header == Data("SQLite format 3\0".utf8) else { throw Problem("\(source) is not a SQLite database") }
        let manager = FileManager.default
        var kept = ""
        if manager.fileExists(atPath: path) {
            kept = path + ".before-restore-\(Int(now.timeIntervalSince1970))"
            try manager.moveItem(atPath: path, toPath: kept)
            // What the old file had not yet checkpointed goes with it.
            for suffix in ["-wal", "-shm"] where manager.fileExists(atPath: path + suffix) {
                try manager.moveItem(atPath: path + suffix, toPath: kept + suffix)
            }
        }
        try manager.copyItem(atPath: source, toPath: path)
        return kept
    }
}

/// `linli backup PATH`.
struct BackupCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "path", help: "Where to write the copy (must not exist)") var path: String
    }

    var help: String { "Copies the SQLite database to PATH, consistently, also while the server runs." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        guard let database = app.storage[DatabaseChoiceKey.self] else { return }
        do {
            try await Backup.backup(to: signature.path, database: database, on: app.db)
        } catch let problem as Backup.Problem {
            context.console.error(problem.description)
            throw LinliError(.validationFailed, ["field": "path"])
        }
        context.console.success("Backed up to \(signature.path).")
        context.console.warning(Backup.keyReminder)
    }
}

/// `linli restore PATH`: the server must be stopped.
struct RestoreCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "path", help: "A backup made by `linli backup`") var path: String
    }

    var help: String { "Replaces the SQLite database with a backup (stop the server first)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard case .sqlite(let target) = DatabaseChoice.fromEnvironment() else {
            context.console.error("linli restore replaces the embedded SQLite database; on PostgreSQL use pg_restore")
            throw LinliError(.validationFailed, ["field": "path"])
        }
        do {
            let kept = try Backup.restore(from: signature.path, to: target, now: Date())
            context.console.success(
                "Restored \(target) from \(signature.path)." + (kept.isEmpty ? "" : " The replaced file is \(kept)."))
            context.console.warning(Backup.keyReminder)
        } catch let problem as Backup.Problem {
            context.console.error(problem.description)
            throw LinliError(.validationFailed, ["field": "path"])
        }
    }
}
