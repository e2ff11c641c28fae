import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

/// Every registry route, called by every role, on the right and the wrong community and household.
@Suite struct TenancyTests {
    /// Fills a registry path with ids of community A (or its household `household`).
    func concrete(
        _ path: String, _ w: World, household: UUID, community: UUID? = nil, hub: [String: String] = [:]
    ) -> String {
        hub.reduce(path) { $0.replacingOccurrences(of: "{\($1.key)}", with: $1.value) }.replacingOccurrences(
            of: "{communityID}", with: (community ?? w.a).uuidString
        )
        .replacingOccurrences(of: "{householdID}", with: household.uuidString)
        .replacingOccurrences(of: "{buildingID}", with: w.building.uuidString)
        .replacingOccurrences(of: "{personID}", with: w.owner.uuidString)
        .replacingOccurrences(of: "{membershipID}", with: UUID().uuidString)
        .replacingOccurrences(of: "{staffID}", with: UUID().uuidString)
    }

    func body(for endpoint: Endpoint) -> String? {
        guard endpoint.body != nil else { return nil }
        return endpoint.bodyContentType == "text/csv" ? "姓名,手机号,楼栋,房号,关系\n" : "{}"
    }

    @Test func everyRoleOnEveryRegistryRoute() async throws {
        try await withLinli { h in
            let registry = h.app.endpoints.filter { $0.path.contains("{communityID}") }
            #expect(registry.count >= 40)
            let hub = try await deviceHubRecords(h)
            let auditBefore = try await h.count(AuditEntry.self)
            // Who besides the operator may write through a device-hub route.
            let staffWriters: [String: Set<String>] = [
                "acknowledgeAlarm": ["guard", "property"], "clearAlarm": ["guard", "property"],
                "finishTask": ["guard", "property"], "sendCommand": ["property"], "setSharedAttributes": ["property"],
                "denyPerson": ["guard", "property"], "fileWorkOrderForResident": ["property"],
                "publishNotice": ["property", "worker"], "setCareWatch": ["worker"],
                "previewWateringScale": ["property"], "recordRecyclingCollection": ["property"],
            ]
            var tokens: [String: String] = [:]
            for role in ["owner", "neighbour", "guard", "property", "worker", "operatorB"] {
                tokens[role] = try await h.token(role)
            }
            let before = try await (
                h.count(Building.self), h.count(Household.self), h.count(Person.self), h.count(Membership.self)
            )

            for endpoint in registry {
                let isRead = endpoint.method == .GET
                let ownHousehold =
                    endpoint.path.contains("{householdID}")
                    && endpoint.path.hasSuffix("{householdID}") || endpoint.path.hasSuffix("/members")
                func call(_ role: String, household: UUID, community: UUID? = nil) async throws -> HTTPStatus {
                    let path = concrete(endpoint.path, h.world, household: household, community: community, hub: hub)
                    return try await h.send(
                        endpoint.method, path, token: tokens[role], raw: body(for: endpoint),
                        contentType: endpoint.bodyContentType == "text/csv"
                            ? HTTPMediaType(type: "text", subType: "csv") : nil
                    ).status
                }
                // The operator of community B learns nothing about community A.
                let outsider = try await call("operatorB", household: h.world.home)
                #expect(outsider == .notFound, "operatorB \(endpoint.method) \(endpoint.path) → \(outsider)")

                // A resident: their own household and community name only; never another household.
                let own = try await call("owner", household: h.world.home)
                let other = try await call("owner", household: h.world.otherHome)
                if isRead
                    && (ownHousehold || endpoint.path == "/api/v1/communities/{communityID}"
                        || ["listContacts", "listServices"].contains(endpoint.operationID))
                {
                    #expect(own == .ok, "owner \(endpoint.method) \(endpoint.path) → \(own)")
                } else if endpoint.path.contains("/people/{personID}") && isRead && endpoint.operationID != "listGuardians" {
                    #expect(own == .ok, "owner reads self → \(own)")
                } else {
                    #expect(
                        [.forbidden, .notFound].contains(own), "owner \(endpoint.method) \(endpoint.path) → \(own)")
                }
                if endpoint.path.contains("{householdID}") {
                    #expect(
                        other == .notFound, "owner on other household \(endpoint.method) \(endpoint.path) → \(other)")
                }
                // The neighbour may not read the owner as a person.
                if endpoint.path.contains("/people/{personID}") {
                    let status = try await call("neighbour", household: h.world.otherHome)
                    #expect(status == .notFound, "neighbour reads owner → \(status)")
                }

                // Staff who are not operators read their community and write nothing.
                for role in ["guard", "property", "worker"] {
                    let status = try await call(role, household: h.world.home)
                    if endpoint.path.hasSuffix("/audit")
                        || ["getProvisioning", "getFaceData", "listFaceProcessing"].contains(endpoint.operationID)
                        || (endpoint.operationID == "listWorkOrders" && role != "property")
                        || (endpoint.operationID == "listNotices" && role == "guard")
                        || [
                            "serviceRevenue", "listRecyclingReconciliations", "getRecyclingFigures", "listMeterStates",
                            "getNetworkBalance",
                        ].contains(endpoint.operationID)
                        || (role == "worker" && ["listGuardCalls", "guardFigures", "guardDeskFeed"].contains(endpoint.operationID))
                        || (role != "worker" && ["listCareWatch", "listCareChecks"].contains(endpoint.operationID))
                        || (role == "worker" && endpoint.operationID == "binRound")
                        || (role != "property" && ["listArrears", "listRecyclingCollections"].contains(endpoint.operationID))
                    {
                        #expect(status == .forbidden, "\(role) \(endpoint.path) → \(status)")
                    } else if role == "worker" && endpoint.operationID == "logCareCall" {
                        // Nobody is watched in this world: the call is about no watch of the community.
                        #expect(status == .notFound, "\(role) \(endpoint.path) → \(status)")
                    } else if endpoint.operationID == "getTelemetrySeries" {
                        #expect(status == .unprocessableEntity, "\(role) series without a key → \(status)")
                    } else if ["alarmFeed", "guardDeskFeed", "environmentFeed"].contains(endpoint.operationID) {
                        #expect(status == .badRequest, "\(role) alarm feed without an upgrade → \(status)")
                    } else if staffWriters[endpoint.operationID]?.contains(role) == true {
                        // A second guard acknowledging (or clearing) the same alarm is told it is done.
                        #expect(
                            [.ok, .created, .badRequest, .unprocessableEntity, .conflict].contains(status),
                            "\(role) \(endpoint.operationID) → \(status)")
                    } else if isRead && (endpoint.path.contains("{serviceID}") || endpoint.path.contains("{zoneID}")) {
                        // No service exists in this world: the route answers like any unknown id.
                        #expect(status == .notFound, "\(role) \(endpoint.path) → \(status)")
                    } else if isRead {
                        #expect(status == .ok, "\(role) \(endpoint.method) \(endpoint.path) → \(status)")
                    } else {
                        #expect(
                            [.forbidden, .notFound].contains(status),
                            "\(role) \(endpoint.method) \(endpoint.path) → \(status)")
                        #expect(status != .created && status != .noContent)
                    }
                }
            }
            // Nothing was written by any of those calls.
            let after = try await (
                h.count(Building.self), h.count(Household.self), h.count(Person.self), h.count(Membership.self)
            )
            #expect(before == after)
            let written = try await AuditEntry.query(on: h.app.db).all().dropFirst(auditBefore).map(\.entity)
            #expect(
                Set(written).isSubset(of: ["alarm", "task", "device_command", "device_shared_attributes"]), "\(written)"
            )
        }
    }

    /// A device, rule, alarm, task and command of community A, for the device-hub routes' ids.
    func deviceHubRecords(_ h: Harness) async throws -> [String: String] {
        let op = try await h.token("operator")
        let (device, token) = try await h.device("gas", "租户测试燃气", token: op)
        let rule = try await h.send(
            .POST, h.community + "/rules", token: op,
            raw:
                #"{"name":"燃气","key":"gas_lel","condition":{"kind":"above","value":10},"actions":[{"kind":"alarm","on":"fire","alarmType":"gas_leak","severity":"critical"},{"kind":"task","on":"fire","title":"上门","role":"property_staff"}]}"#
        )
        _ = try await h.send(.POST, "/api/v1/\(token)/telemetry", raw: #"{"gas_lel":30}"#)
        let command = try await h.send(
            .POST, h.community + "/devices/\(device)/commands", token: op, raw: #"{"method":"silence"}"#)
        let tasks = try await h.send(.GET, h.community + "/tasks", token: op).content.decode(ListPage<TaskRead>.self)
        return [
            "deviceID": device.uuidString, "ruleID": try rule.content.decode(RuleRead.self).id.uuidString,
            "alarmID": try await h.alarms(op)[0].id.uuidString, "taskID": tasks.items[0].id.uuidString,
            "commandID": String(try command.content.decode(CommandRead.self).id),
        ]
    }

    @Test func communityListShowsOnlyOwnCommunities() async throws {
        try await withLinli { h in
            let page = try await h.send(.GET, "/api/v1/communities", token: try await h.token("operatorB"))
            let items = try page.content.decode(ListPage<CommunityRead>.self).items
            #expect(items.map(\.id) == [h.world.b])
            let all = try await h.send(.GET, "/api/v1/communities", token: try await h.token("admin"))
            #expect(try all.content.decode(ListPage<CommunityRead>.self).metadata.total == 2)
        }
    }

    @Test func movingOutEndsAccessButKeepsHistory() async throws {
        try await withLinli { h in
            let op = try await h.token("operator")
            let members = try await h.send(
                .GET, "/api/v1/communities/\(h.world.a)/households/\(h.world.home)/members", token: op)
            let family = try members.content.decode(ListPage<MembershipRead>.self).items.first { $0.personID == h.world.family }!
            let moved = try await h.send(
                .PATCH, "/api/v1/communities/\(h.world.a)/households/\(h.world.home)/members/\(family.id)",
                token: op, json: ["movedOut": "2026-09-21"])
            #expect(moved.status == .ok)
            #expect(try moved.content.decode(MembershipRead.self).isCurrent == false)
            let familyToken = try await h.token("family")
            #expect(
                try await h.send(
                    .GET, "/api/v1/communities/\(h.world.a)/households/\(h.world.home)", token: familyToken
                ).status == .notFound)
            let history = try await h.send(
                .GET, "/api/v1/communities/\(h.world.a)/households/\(h.world.home)/members", token: op)
            #expect(try history.content.decode(ListPage<MembershipRead>.self).items.count == 2)
            let audit = try await h.send(.GET, "/api/v1/communities/\(h.world.a)/audit", token: op)
            let entries = try audit.content.decode(ListPage<AuditRead>.self).items
            #expect(entries.first?.action == "move_out")
            #expect(entries.first?.before?.contains("\"isCurrent\":true") == true)
            #expect(entries.first?.after?.contains("2026-09-21") == true)
            #expect(entries.first?.actorName == "operator")
        }
    }
}
