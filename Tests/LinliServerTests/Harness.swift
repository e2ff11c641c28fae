import Fluent
import Foundation
import LinliCore
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

/// The test database: a fresh in-memory SQLite, or a fresh schema on the PostgreSQL of
/// `LINLI_TEST_DATABASE_URL`.
func testDatabase() -> (DatabaseChoice, schema: String?) {
    if let url = ProcessInfo.processInfo.environment["LINLI_TEST_DATABASE_URL"], !url.isEmpty {
        let schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        return (.postgres(url: url, schema: String(schema)), String(schema))
    }
    return (.sqliteMemory, nil)
}

/// Tests log warnings and errors only; `LINLI_TEST_LOG=info` (or `debug`, `trace`) shows more.
let testLogLevel = ProcessInfo.processInfo.environment["LINLI_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .warning

/// An application for a test, logging at `testLogLevel`.
func makeTestApplication() async throws -> Application {
    let app = try await Application.make(.testing)
    app.logger.logLevel = testLogLevel
    return app
}

/// Builds the app exactly as production does, migrates, seeds a small world, runs `body`, shuts down.
func withLinli(_ body: (Harness) async throws -> Void) async throws {
    let app = try await makeTestApplication()
    let clock = ManualClock(Date(timeIntervalSince1970: 1_790_000_000))  // 2026-09-21
    let (database, schema) = testDatabase()
    do {
        try await configure(app, database: database, clock: clock)
        try await app.autoMigrate()
        let world = try await World.make(on: app.db)
        try await body(Harness(app: app, clock: clock, world: world))
    } catch {
        try? await drop(schema, app)
        try await app.asyncShutdown()
        throw error
    }
    try? await drop(schema, app)
    try await app.asyncShutdown()
}

private func drop(_ schema: String?, _ app: Application) async throws {
    guard let schema else { return }
    try await RawSQL.dropSchema(schema, on: app.db)
}

/// A small registry: community A (two buildings' worth of households, every role) and community B.
struct World {
    static let password = "secret-pass"
    let a: UUID, b: UUID
    let building: UUID, home: UUID, otherHome: UUID, emptyHome: UUID, bHome: UUID
    let owner: UUID, family: UUID, neighbour: UUID
    let phones: [String: String]

    static func make(on db: any Database) async throws -> World {
        let hash = try Bcrypt.hash(password, cost: 4)
        let a = Community(id: UUID(), name: "礼嘉测试小区", address: "重庆")
        let b = Community(id: UUID(), name: "另一个小区", address: "成都")
        try await a.create(on: db)
        try await b.create(on: db)
        let building = Building(id: UUID(), communityID: a.id!, name: "1栋", floors: 10)
        let bBuilding = Building(id: UUID(), communityID: b.id!, name: "A栋", floors: 6)
        try await building.create(on: db)
        try await bBuilding.create(on: db)
        let home = Household(
            id: UUID(), communityID: a.id!, buildingID: building.id!, floor: 1, room: "101", areaM2: 88)
        let other = Household(
            id: UUID(), communityID: a.id!, buildingID: building.id!, floor: 1, room: "102", areaM2: 90)
        let empty = Household(
            id: UUID(), communityID: a.id!, buildingID: building.id!, floor: 2, room: "201", areaM2: 70)
        let bHome = Household(
            id: UUID(), communityID: b.id!, buildingID: bBuilding.id!, floor: 1, room: "101", areaM2: 70)
        for h in [home, other, empty, bHome] { try await h.create(on: db) }
        var phones: [String: String] = [:]
        func person(_ key: String, _ phone: String, _ name: String) async throws -> Person {
            let p = Person(id: UUID(), name: name, phone: phone, passwordHash: hash)
            try await p.create(on: db)
            phones[key] = phone
            return p
        }
        let owner = try await person("owner", "13900000001", "王建华")
        let family = try await person("family", "13900000004", "陈静")
        let neighbour = try await person("neighbour", "13900000003", "周杰")
        let bResident = try await person("bResident", "13900000009", "钱多")
        for (p, h, r) in [
            (owner, home, HouseholdRelation.owner), (family, home, .family), (neighbour, other, .tenant),
            (bResident, bHome, .owner),
        ] {
            try await Membership(
                communityID: h.communityID, householdID: h.id!, personID: p.id!, relation: r, movedIn: "2020-01-01"
            ).create(on: db)
        }
        for (key, phone, role, community) in [
            ("operator", "13800000000", StaffRole.operator_, a.id!), ("property", "13800000001", .propertyStaff, a.id!),
            ("guard", "13800000002", .guard_, a.id!), ("worker", "13800000003", .communityWorker, a.id!),
            ("operatorB", "13800000100", .operator_, b.id!),
        ] {
            let p = try await person(key, phone, key)
            try await StaffAssignment(communityID: community, personID: p.id!, role: role).create(on: db)
        }
        let admin = try await person("admin", "13700000000", "admin")
        admin.isAdmin = true
        try await admin.save(on: db)
        return World(
            a: a.id!, b: b.id!, building: building.id!, home: home.id!, otherHome: other.id!, emptyHome: empty.id!,
            bHome: bHome.id!, owner: owner.id!, family: family.id!, neighbour: neighbour.id!, phones: phones)
    }
}

struct Harness {
    let app: Application
    let clock: ManualClock
    let world: World

    /// A bearer token for one of the world's people (`owner`, `operator`, `guard`, ...).
    func token(_ who: String) async throws -> String {
        let response = try await send(
            .POST, "/api/v1/auth/token", json: ["phone": world.phones[who]!, "password": World.password])
        #expect(response.status == .ok, "sign-in of \(who)")
        return try response.content.decode(TokenResponse.self).token
    }

    func send(
        _ method: HTTPMethod, _ path: String, token: String? = nil, json: (any Encodable)? = nil,
        raw: String? = nil, contentType: HTTPMediaType? = nil, headers: HTTPHeaders = [:], overHTTP: Bool = false
    ) async throws -> TestingHTTPResponse {
        var headers = headers
        if let token { headers.bearerAuthorization = BearerAuthorization(token: token) }
        var body: ByteBuffer?
        if let json {
            body = ByteBuffer(data: try JSONEncoder().encode(json))
            headers.contentType = .json
        }
        if let raw {
            body = ByteBuffer(string: raw)
            headers.contentType = contentType ?? .json
        }
        let tester = overHTTP ? try app.testing(method: .running(hostname: "127.0.0.1", port: 0)) : try app.testing()
        return try await tester.sendRequest(method, path, headers: headers, body: body) { request in
            request.url = URI(string: path)
        }
    }

    func count<M: Model>(_ model: M.Type) async throws -> Int { try await M.query(on: app.db).count() }

    /// More servers on this test's PostgreSQL schema, as `linli serve` runs them side by side; each is
    /// configured, booted (with `boot`) and shut down after `body`. On SQLite the test is wrong: it says so.
    func withOtherServers(
        _ count: Int = 1, boot: Bool = true, _ body: ([Harness]) async throws -> Void
    ) async throws {
        guard case .postgres(let url, let schema)? = app.storage[DatabaseChoiceKey.self] else {
            Issue.record("not on PostgreSQL")
            return
        }
        var others: [Application] = []
        do {
            for _ in 0..<count {
                let other = try await makeTestApplication()
                others.append(other)
                try await configure(other, database: .postgres(url: url, schema: schema), clock: clock)
                if boot { try await other.asyncBoot() }
            }
            try await body(others.map { Harness(app: $0, clock: clock, world: world) })
        } catch {
            for other in others { try? await other.asyncShutdown() }
            throw error
        }
        for other in others { try await other.asyncShutdown() }
    }
}

/// Whether tests run on the PostgreSQL of `LINLI_TEST_DATABASE_URL` (several-server tests need it).
let onPostgres = ProcessInfo.processInfo.environment["LINLI_TEST_DATABASE_URL"]?.isEmpty == false

/// Waits (real time) up to `seconds` for `condition`: for what another server learns by the event bus.
func eventually(within seconds: Double, _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try await condition() { return true }
        try await Task.sleep(nanoseconds: 20_000_000)
    }
    return try await condition()
}

extension TestingHTTPResponse {
    var problem: Problem? { try? JSONDecoder().decode(Problem.self, from: Data(buffer: body)) }
    var text: String { String(buffer: body) }
}
