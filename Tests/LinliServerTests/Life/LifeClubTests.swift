import Fluent
import Foundation
import LinliCore
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

/// Clubs and audiences: who joins how, who sees whose name and phone, a club's events for its members
/// only and checked in by its leaders, and events meant for some buildings or groups (404 to the others).
@Suite struct LifeClubTests {
    struct ClubLine: Codable {
        let id: UUID
        let status: String
        let mine: String?
    }

    func club(_ h: Harness, _ body: [String: String], leaders: [UUID] = [], as who: String = "worker") async throws -> TestingHTTPResponse {
        var json = body.map { #""\#($0.key)":"\#($0.value)""# }
        if !leaders.isEmpty { json.append(#""leaderIDs":[\#(leaders.map { #""\#($0)""# }.joined(separator: ","))]"#) }
        return try await h.send(.POST, h.community + "/clubs", token: try await h.token(who), raw: "{" + json.joined(separator: ",") + "}")
    }

    @Test func joiningSeeingMembersAndApprovals() async throws {
        try await withLinli { h in
            let made = try await club(h, ["name": "合唱团", "joinPolicy": "approval"], leaders: [h.world.neighbour])
            #expect(made.status == .created, "\(made.text)")
            let id = try made.content.decode(ClubLine.self).id
            let owner = try await h.token("owner")
            let family = try await h.token("family")
            let leader = try await h.token("neighbour")
            let joined = try await h.send(.POST, "/api/v1/clubs/\(id)/membership", token: owner, json: ["showName": true])
            let joinedStatus = try joined.content.decode(ClubMembershipRead.self).status
            #expect(joined.status == .created && joinedStatus == "pending")
            #expect(try await h.send(.POST, "/api/v1/clubs/\(id)/membership", token: owner, raw: "{}").status == .conflict)
            // A pending member sees no one; the leader sees everyone with phones and lets her in.
            #expect(try await h.send(.GET, "/api/v1/clubs/\(id)/members", token: owner).status == .notFound)
            let all = try await h.send(.GET, "/api/v1/clubs/\(id)/members", token: leader).content.decode(ListPage<ClubMemberRead>.self)
            #expect(all.items.count == 2 && all.items.allSatisfy { $0.phone != nil })
            #expect(try await h.send(.POST, "/api/v1/clubs/\(id)/members/\(h.world.owner)/approval", token: family).status == .notFound)
            #expect(try await h.send(.POST, "/api/v1/clubs/\(id)/members/\(h.world.owner)/approval", token: leader).status == .ok)
            _ = try await h.send(.POST, "/api/v1/clubs/\(id)/membership", token: family, json: ["showName": false])
            _ = try await h.send(.POST, "/api/v1/clubs/\(id)/members/\(h.world.family)/approval", token: leader)
            // Members see the names of those who agreed (the leader and the owner), never a phone.
            let seen = try await h.send(.GET, "/api/v1/clubs/\(id)/members", token: family).content.decode(ListPage<ClubMemberRead>.self)
            #expect(Set(seen.items.map(\.name)) == ["周杰", "王建华"] && seen.items.allSatisfy { $0.phone == nil })
            let outsider = try await h.token("bResident")
            #expect(try await h.send(.GET, "/api/v1/clubs/\(id)/membership", token: outsider).status == .notFound)
            #expect(try await h.send(.POST, "/api/v1/clubs/\(id)/membership", token: outsider, raw: "{}").status == .notFound)
            #expect(try await h.send(.GET, "/api/v1/clubs/\(id)/members", token: outsider).status == .notFound)
        }
    }

    @Test func aResidentProposesAClubAndAWorkerApprovesIt() async throws {
        try await withLinli { h in
            let proposed = try await club(h, ["name": "书画社"], as: "owner")
            #expect(proposed.status == .created)
            let line = try proposed.content.decode(ClubLine.self)
            #expect(line.status == "proposed" && line.mine == "leader")
            let neighbour = try await h.token("neighbour")
            #expect(try await h.send(.POST, "/api/v1/clubs/\(line.id)/membership", token: neighbour, raw: "{}").status == .notFound)
            #expect(try await club(h, ["name": "x"], leaders: [h.world.family], as: "owner").status == .unprocessableEntity)
            let approve = h.community + "/clubs/\(line.id)/approval"
            #expect(try await h.send(.POST, approve, token: neighbour).status == .forbidden)
            #expect(try await h.send(.POST, approve, token: try await h.token("worker")).status == .ok)
            #expect(try await h.send(.POST, approve, token: try await h.token("worker")).status == .conflict)
            #expect(try await h.send(.POST, "/api/v1/clubs/\(line.id)/membership", token: neighbour, raw: "{}").status == .created)
            let other = try await h.send(.GET, "/api/v1/communities/\(h.world.b)/clubs", token: try await h.token("bResident"))
                .content.decode(ListPage<ClubLine>.self)
            #expect(other.items.isEmpty)
        }
    }

    @Test func aClubsEventIsForItsMembersAndItsLeadersRunTheDoor() async throws {
        try await withLinli { h in
            let id = try await club(h, ["name": "太极拳队"], leaders: [h.world.neighbour]).content.decode(ClubLine.self).id
            let leader = try await h.token("neighbour")
            let owner = try await h.token("owner")
            try await h.venue("中心广场")
            let starts = h.clock.now().addingTimeInterval(86_400)
            let body = #"{"title":"晨练","place":"中心广场","startsAt":"\#(Harness.iso.string(from: starts))","endsAt":"\#(Harness.iso.string(from: starts.addingTimeInterval(3600)))","capacity":10}"#
            #expect(try await h.send(.POST, "/api/v1/clubs/\(id)/events", token: owner, raw: body).status == .notFound)
            let made = try await h.send(.POST, "/api/v1/clubs/\(id)/events", token: leader, raw: body)
            #expect(made.status == .created, "\(made.text)")
            let event = try made.content.decode(LifeEventRead.self).id
            #expect(try await h.register(event, owner).status == .notFound)
            _ = try await h.send(.POST, "/api/v1/clubs/\(id)/membership", token: owner, raw: "{}")
            let ticket = try await h.register(event, owner).content.decode(RegistrationRead.self).ticket!.code
            let door = h.community + "/events/\(event)/check-ins"
            #expect(try await h.send(.POST, door, token: owner, json: ["code": ticket]).status == .notFound)
            #expect(try await h.send(.POST, door, token: leader, json: ["code": ticket]).status == .created)
            let figures = try await h.send(.GET, h.community + "/clubs/\(id)/figures", token: try await h.token("worker"))
                .content.decode(LifeFigures.self)
            #expect(figures.signUps == 1 && figures.attended == 1)
        }
    }

    @Test func anAudienceOfBuildingsOrGroupsHidesTheEventFromOthers() async throws {
        try await withLinli { h in
            let elderly = try await h.event(capacity: 5, extra: #""audience":{"groups":["elderly"]}"#)
            let owner = try await h.token("owner")
            #expect(try await h.register(elderly, owner).status == .notFound)
            let old = try await h.residents(1, birthYear: 1950)
            #expect(try await h.register(elderly, old[0].token).status == .created)
            let op = try await h.token("operator")
            let b = try await h.send(
                .POST, h.community + "/events", token: op,
                raw: #"{"title":"x","place":"中心广场","startsAt":"2030-01-01T10:00:00Z","endsAt":"2030-01-01T11:00:00Z","capacity":5,"audience":{"buildings":["\#(UUID())"]}}"#)
            #expect(b.status == .unprocessableEntity)
            let mine = try await h.event(capacity: 5, hoursAhead: 120, extra: #""audience":{"buildings":["\#(h.world.building)"]}"#)
            #expect(try await h.register(mine, owner).status == .created)
            let listed = try await h.send(.GET, "/api/v1/me/events", token: owner).content.decode(ListPage<LifeEventRead>.self)
            #expect(!listed.items.contains { $0.id == elderly } && listed.items.contains { $0.id == mine })
        }
    }
}
