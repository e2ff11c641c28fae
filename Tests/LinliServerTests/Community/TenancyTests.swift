import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

/// The registry's own tenancy cases; every route × every persona is `TenancyMatrixTests`, generated from
/// the endpoints' declarations.
@Suite struct TenancyTests {
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
