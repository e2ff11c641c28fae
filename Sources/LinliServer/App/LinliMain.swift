import Fluent
import Foundation
import LinliCore
import Vapor

/// The `linli` executable: `serve`, `migrate`, `demo`, `create-admin`, `backup`, `restore` (Vapor's own
/// flags apply).
public enum LinliMain {
    public static func run() async throws {
        var env = try Environment.detect()
        try LoggingSystem.bootstrap(from: &env)
        let arguments = env.arguments
        let command = arguments.dropFirst().first ?? "serve"
        // The simulator is a client of a running server, and help is only text: neither opens (or
        // creates) a database file.
        let onlyHelp = arguments.contains("--help") || arguments.contains("-h") || command == "help"
        // A restore replaces the database file: the application must not hold it open.
        // `qa eval` and `qa train` read and write files only.
        let offline = command == "qa" && ["eval", "train"].contains(arguments.dropFirst(2).first ?? "")
        var database =
            ["simulate", "restore"].contains(command) || onlyHelp || offline ? .sqliteMemory : DatabaseChoice.fromEnvironment()
        var demo: DemoOptions?
        if command == "demo" && !onlyHelp {
            let options = DemoOptions(arguments: Array(arguments.dropFirst(2)))
            demo = options
            if Environment.get("DATABASE_URL")?.isEmpty ?? true { database = .sqlite(path: options.path) }
            env.arguments = ["linli", "serve", "--hostname", options.hostname, "--port", "\(options.port)"]
        }
        let serves = !onlyHelp && (command == "serve" || command == "demo" || command.hasPrefix("-"))
        // One server per SQLite file: a second one (or a restore) is refused while this one runs.
        var lock: Backup.ServerLock?
        if serves, case .sqlite(let path) = database {
            do { lock = try Backup.ServerLock(database: path) } catch {
                FileHandle.standardError.write(Data("linli: \(error)\n".utf8))
                throw error
            }
            // `demo --reset` starts again, but never under a server that is using the file.
            if demo?.reset == true {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            }
        }
        defer { withExtendedLifetime(lock) {} }
        let app = try await Application.make(env)
        app.printsHelpOnly = onlyHelp
        app.runsBackgroundWork = serves
        do {
            try await configure(app, database: database)
            app.asyncCommands.use(CreateAdminCommand(), as: "create-admin")
            app.asyncCommands.use(DemoCommandHelp(), as: "demo")
            app.asyncCommands.use(BackupCommand(), as: "backup")
            app.asyncCommands.use(RestoreCommand(), as: "restore")
            for feature in Features.all {
                for (name, command) in feature.commands { app.asyncCommands.use(command, as: name) }
            }
            if serves {
                try await app.autoMigrate()
            }
            if let demo {
                let db = app.db
                try await DemoSeed.seedIfEmpty(
                    db, reset: demo.reset, logger: app.logger, today: Calendar.chinaDate(Date()))
                print(DemoSeed.banner(hostname: demo.hostname, port: demo.port, simulate: demo.simulate))
                if demo.simulate { DemoDevices.simulate(app, hostname: demo.hostname, port: demo.port) }
            }
            try await app.execute()
        } catch {
            if !(error is LinliError) { app.logger.report(error: error) }
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }
}

extension Application {
    private struct HelpOnlyKey: StorageKey { typealias Value = Bool }

    /// `linli … --help`: nothing is opened, created or started, only the help is printed.
    var printsHelpOnly: Bool {
        get { storage[HelpOnlyKey.self] ?? false }
        set { storage[HelpOnlyKey.self] = newValue }
    }

    private struct BackgroundKey: StorageKey { typealias Value = Bool }

    /// The process serves (`serve`, `demo`): background jobs run. Other commands (`migrate`, `backup`,
    /// `create-admin`) do their one thing.
    var runsBackgroundWork: Bool {
        get { storage[BackgroundKey.self] ?? false }
        set { storage[BackgroundKey.self] = newValue }
    }
}

/// `linli demo [--reset] [--port N] [--hostname H]`.
struct DemoOptions {
    var reset = false
    var port = 8080
    var hostname = "127.0.0.1"
    var path = "linli-demo.sqlite"
    var simulate = true

    init(arguments: [String]) {
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--reset": reset = true
            case "--port", "-p": port = iterator.next().flatMap(Int.init) ?? port
            case "--hostname", "-H": hostname = iterator.next() ?? hostname
            case "--database": path = iterator.next() ?? path
            case "--no-simulate": simulate = false
            default: break
            }
        }
    }
}

/// Lists `demo` in `linli --help`; `LinliMain` turns `linli demo` into seeding plus `serve` before commands run.
struct DemoCommandHelp: AsyncCommand {
    struct Signature: CommandSignature {
        @Flag(name: "reset", help: "Delete ./linli-demo.sqlite and seed it again") var reset: Bool
        @Option(name: "port", help: "Port to serve on (8080)") var port: Int?
        @Option(name: "hostname", help: "Address to serve on (127.0.0.1)") var hostname: String?
        @Flag(name: "no-simulate", help: "Do not drive the demo devices with the simulator") var noSimulate: Bool
    }

    var help: String { "Seeds the demo community into ./linli-demo.sqlite (once) and serves it." }

    func run(using context: CommandContext, signature: Signature) async throws {
        context.console.print("Run `linli demo` as the first argument to start the demo.")
    }
}

/// `linli create-admin --phone P --name N`: a platform administrator; the password comes from stdin.
struct CreateAdminCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "phone", help: "Mobile number used to sign in") var phone: String?
        @Option(name: "name", help: "Display name") var name: String?
    }

    var help: String { "Creates (or promotes) a platform administrator. Reads the password from stdin." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let raw = signature.phone, let phone = PhoneNumber(raw) else {
            context.console.error("--phone must be a mobile number, e.g. 13800000000")
            throw LinliError(.validationFailed, ["field": "phone"])
        }
        guard let name = signature.name?.trimmingCharacters(in: .whitespaces), !name.isEmpty else {
            context.console.error("--name is required")
            throw LinliError(.validationFailed, ["field": "name"])
        }
        let password: String
        if isatty(0) == 1 {
            password = context.console.ask("Password (8+ characters):", isSecure: true)
        } else {
            password = readLine(strippingNewline: true) ?? ""
        }
        guard password.count >= 8 else {
            context.console.error("The password needs at least 8 characters.")
            throw LinliError(.validationFailed, ["field": "password"])
        }
        let app = context.application
        try await app.autoMigrate()
        let hash = try await app.password.async.hash(password)
        let existing = try await Person.query(on: app.db).filter(\.$phone == phone.digits).first()
        let person = existing ?? Person(name: name, phone: phone.digits)
        person.name = name
        person.isAdmin = true
        person.passwordHash = hash
        try await app.db.writeTransaction { db in
            try await person.save(on: db)
            // A new password ends the person's other sign-ins, as a password change does.
            if existing != nil, let id = person.id {
                try await Credentials.revokeSignIns(of: id, keeping: nil, on: db)
            }
        }
        if let id = person.id { app.events.publish(PersonChanged(person: id)) }
        context.console.success("Administrator \(name) (\(phone.digits)) is ready.")
    }
}
