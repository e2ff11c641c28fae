import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

@Suite struct PlatformTests {
    @Test func everyRouteIsInTheOpenAPIDocument() async throws {
        try await withLinli { h in
            let response = try await h.send(.GET, "/openapi.json")
            #expect(response.status == .ok)
            let document = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
            #expect(document?["openapi"] as? String == "3.1.0")
            let paths = document?["paths"] as? [String: [String: Any]] ?? [:]
            let schemas = ((document?["components"] as? [String: Any])?["schemas"] as? [String: Any]) ?? [:]
            var checked = 0
            for route in h.app.routes.all {
                let parts = route.path.map { component -> String in
                    if case .parameter(let name) = component { return "{\(name)}" }
                    return component.description
                }
                let path = "/" + parts.joined(separator: "/")
                guard path.hasPrefix("/api/") || ["/healthz", "/readyz", "/metrics"].contains(path) else { continue }
                #expect(
                    paths[path]?[route.method.rawValue.lowercased()] != nil, "\(route.method) \(path) is not documented"
                )
                checked += 1
            }
            #expect(checked >= 30)
            // Every schema reference resolves.
            let text = response.text
            let refs = text.components(separatedBy: "#/components/schemas/").dropFirst().map {
                String($0.prefix { $0 != "\"" })
            }
            for ref in Set(refs) { #expect(schemas[ref] != nil, "missing schema \(ref)") }
        }
    }

    @Test func healthReadinessAndMetrics() async throws {
        try await withLinli { h in
            #expect(try await h.send(.GET, "/healthz").status == .ok)
            #expect(try await h.send(.GET, "/readyz").status == .ok)
            let me = try await h.send(.GET, "/api/v1/me", token: try await h.token("owner"))
            #expect(me.headers.first(name: "X-Request-Id") != nil)
            let metrics = try await h.send(.GET, "/metrics")
            #expect(metrics.headers.contentType?.subType == "plain")
            #expect(metrics.text.contains(#"http_requests_total{method="GET",route="/api/v1/me",status="200"} 1"#))
            #expect(metrics.text.contains("http_request_duration_seconds_bucket"))
            #expect(metrics.text.contains("linli_database_pool_connections_max"))
        }
    }

    @Test func localisationTablesMatchAndCoverEveryKey() throws {
        #expect(Set(L10n.zhCN.keys) == Set(L10n.en.keys))
        // Each feature's table has the same keys in both languages, and no key is in two tables.
        #expect(L10n.tables.count == Features.all.filter { $0.strings != nil }.count + 1)
        for table in L10n.tables {
            #expect(Set(table.zhCN.keys) == Set(table.en.keys), "\(table) differs between languages")
        }
        #expect(L10n.tables.map { $0.zhCN.count }.reduce(0, +) == L10n.zhCN.count, "a key is in two tables")
        var needed = Set<String>()
        for code in ErrorCode.allCases {
            needed.formUnion(["error.\(code.rawValue).title", "error.\(code.rawValue).detail"])
        }
        for role in StaffRole.allCases { needed.insert("role.\(role.rawValue)") }
        for relation in HouseholdRelation.allCases { needed.insert("relation.\(relation.rawValue)") }
        for reason in [
            "missing_field", "wrong_type", "missing_value", "malformed_json", "invalid_value", "too_long",
            "out_of_range", "invalid_phone", "weak_password", "wrong_password", "before_moved_in", "invalid_date",
            "invalid_page", "invalid_per", "unknown_sort", "invalid_order",
        ] { needed.insert("reason.\(reason)") }
        for reason in ResidentImportReasons.all { needed.insert("reason.import.\(reason)") }
        for column in ResidentImportReasons.columns { needed.insert("field.\(column)") }
        // Every #t("key") in the templates.
        let views = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "../../../Resources/Views")
        let files =
            FileManager.default.enumerator(at: views, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
        let regex = try Regex(#"#t\("([a-zA-Z0-9_.]+)""#)
        var templateKeys = 0
        for file in files where file.pathExtension == "leaf" {
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in text.matches(of: regex) {
                if let key = match.output[1].substring { needed.insert(String(key)); templateKeys += 1 }
            }
        }
        #expect(templateKeys > 50)
        for key in needed.sorted() {
            #expect(L10n.zhCN[key] != nil, "zh-CN lacks \(key)")
            #expect(L10n.en[key] != nil, "en lacks \(key)")
        }
    }

    /// Stored times come from the injected clock (the test's), not the system's.
    @Test func storedTimesComeFromTheInjectedClock() async throws {
        try await withLinli { h in
            h.clock.advance(by: 3600)
            let op = try await h.token("operator")
            let created = try await h.send(
                .POST, "/api/v1/communities/\(h.world.a)/buildings", token: op, raw: #"{"name":"9栋","floors":6}"#)
            #expect(created.status == .created)
            let building = try #require(try await Building.query(on: h.app.db).filter(\.$name == "9栋").first())
            #expect(building.createdAt == h.clock.now())
            let (deviceID, _) = try await h.device("smoke", "9栋烟感", token: op)
            #expect(try await Device.find(deviceID, on: h.app.db)?.createdAt == h.clock.now())
            let token = try #require(try await UserToken.query(on: h.app.db).sort(\.$createdAt, .descending).first())
            #expect(token.createdAt == h.clock.now())
            let community = try #require(try await Community.find(h.world.a, on: h.app.db))
            community.name = "礼嘉测试小区二"
            h.clock.advance(by: 60)
            try await community.save(on: h.app.db)
            #expect(community.updatedAt == h.clock.now())
        }
    }

    /// One way to ask for a list: every list answers `{items, metadata}` and takes `page` and `per`. What is
    /// not a list is named: a day's slot grid, a revenue report, a device's latest values, an import's result,
    /// the recycling figures' periods, a person's notification preferences (one per topic), the SMS gateway's
    /// next batch (at most 50).
    @Test func everyListIsPaged() async throws {
        try await withLinli { h in
            let notLists: Set<String> = [
                "listServiceSlots", "serviceRevenue", "getLatestTelemetry", "importDevices", "getRecyclingFigures",
                "listNotificationPreferences", "takeSmsOutbox",
            ]
            var lists = 0
            for endpoint in h.app.endpoints {
                guard case .object(let pairs)? = endpoint.response else { continue }
                let properties = pairs.first { $0.0 == "properties" }?.1
                if case .string("array")? = pairs.first(where: { $0.0 == "type" })?.1 {
                    #expect(notLists.contains(endpoint.operationID), "\(endpoint.operationID) answers a bare array")
                } else if case .object(let fields)? = properties, fields.contains(where: { $0.0 == "metadata" }) {
                    lists += 1
                    #expect(endpoint.query.contains { $0.name == "per" }, "\(endpoint.operationID) takes no page size")
                }
            }
            #expect(lists >= 30)
            // A list computed whole pages like one read page by page.
            let op = try await h.token("operator")
            let members = h.community + "/households/\(h.world.home)/members"
            let second = try await h.send(.GET, members + "?per=1&page=2", token: op)
            let page = try second.content.decode(ListPage<MembershipRead>.self)
            #expect(page.items.count == 1 && page.metadata.total == 2 && page.metadata.page == 2)
            let reversed = try await h.send(.GET, members + "?sort=-moved_in", token: op)
            #expect(try reversed.content.decode(ListPage<MembershipRead>.self).items.count == 2)
            #expect(try await h.send(.GET, members + "?per=1000", token: op).problem?.code == "invalid_list_query")
        }
    }

    /// One feature, one folder, and files small enough to read: none over 300 lines.
    @Test func noSourceFileIsOver300Lines() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../Sources")
        let files =
            FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
        var checked = 0
        for file in files where file.pathExtension == "swift" {
            let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            #expect(lines.count <= 301, "\(file.lastPathComponent) has \(lines.count) lines")
            checked += 1
        }
        #expect(checked > 100)
    }

    @Test func sqliteFilesUseWALAndFullSync() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("linli-\(UUID()).sqlite").path
        let app = try await makeTestApplication()
        do {
            try await configure(app, database: .sqlite(path: path))
            #expect(try await RawSQL.pragma("journal_mode", on: app.db) == "wal")
            #expect(try await RawSQL.pragma("synchronous", on: app.db) == "2")
        } catch {
            try await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
}

import LinliCore

enum ResidentImportReasons {
    static let all = [
        "not_csv", "empty_file", "missing_column", "duplicate_column", "unknown_column", "wrong_field_count",
        "missing_value", "invalid_phone", "duplicate_phone_in_file", "invalid_relation", "invalid_birth_year",
        "invalid_date", "invalid_flag", "name_too_long", "unknown_household", "phone_belongs_to_other",
        "already_member", "too_many_rows",
    ]
    static let columns = ResidentImport.Column.allCases.map(\.rawValue)
}

@Suite struct ErrorPageTests {
    @Test func browsersGetAPageAndClientsGetJSONForUnknownAddresses() async throws {
        try await withLinli { h in
            let page = try await h.send(
                .GET, "/no-such-page", headers: ["Accept": "text/html,application/xhtml+xml", "Accept-Language": "en"])
            #expect(page.status == .notFound)
            #expect(page.headers.contentType == .html)
            #expect(page.text.contains("Not found") && page.text.contains("<html lang=\"en\">"))
            let api = try await h.send(.GET, "/api/v1/no-such-thing", headers: ["Accept": "text/html"])
            #expect(api.headers.contentType?.subType == "problem+json")
        }
    }
}
