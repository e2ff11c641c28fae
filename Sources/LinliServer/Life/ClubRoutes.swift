import Foundation
import LinliCore
import Vapor

extension CommunityLife {
    static func registerClubAPI(_ app: Application, _ api: any RoutesBuilder) {
        let clubs = RegistryAPI.c + "/clubs"
        let club = "/api/v1/clubs/{clubID}"
        func add<R: AsyncResponseEncodable>(_ e: Endpoint, _ handler: @escaping @Sendable (Request) async throws -> R) {
            api.register(e, in: app, handler)
        }
        add(
            .init(
                method: .POST, path: clubs, operationID: "createClub",
                summary: "Create a club (organisers, with its leaders) or propose one (a resident, who leads it once approved)",
                tag: "life", authority: .community { .viewCommunity($0) }, body: ClubSchemas.clubInput, status: .created,
                response: Schema.ref("Club")), createClub)
        add(
            .init(
                method: .GET, path: clubs, operationID: "listClubs", summary: "The clubs the caller may see, with their place in each",
                tag: "life", authority: .community { .viewCommunity($0) }, response: Schema.page(of: "Club"),
                query: Endpoint.listQuery(.clubs)), listClubs)
        add(
            .init(
                method: .POST, path: clubs + "/{clubID}/approval", operationID: "approveClub", summary: "Approve a proposed club",
                tag: "life", authority: .community(object: "clubID") { .organiseEvents($0) }, response: Schema.ref("Club")), approveClub)
        add(
            .init(
                method: .GET, path: clubs + "/{clubID}/figures", operationID: "clubFigures",
                summary: "The figures of the club's events", tag: "life", authority: .community(object: "clubID") { .organiseEvents($0) },
                response: Schema.ref("LifeFigures")), clubFigures)
        add(
            .init(
                method: .GET, path: club + "/membership", operationID: "getClubMembership", summary: "My place in the club",
                tag: "life", authority: .object("clubID"), response: Schema.ref("ClubMembership")), getMembership)
        add(
            .init(
                method: .POST, path: club + "/membership", operationID: "joinClub",
                summary: "Join the club: at once, or pending a leader's approval", tag: "life", authority: .object("clubID"),
                body: ClubSchemas.membershipInput, status: .created, response: Schema.ref("ClubMembership")), joinClub)
        add(
            .init(
                method: .DELETE, path: club + "/membership", operationID: "leaveClub", summary: "Leave the club", tag: "life",
                authority: .object("clubID"), status: .noContent), leaveClub)
        add(
            .init(
                method: .GET, path: club + "/members", operationID: "listClubMembers",
                summary: "Members: all with phones for leaders, names of those who agreed for members", tag: "life",
                authority: .object("clubID"), response: Schema.page(of: "ClubMember"), query: Endpoint.listQuery(.clubs)),
            listClubMembers)
        add(
            .init(
                method: .POST, path: club + "/members/{personID}/approval", operationID: "approveClubMember",
                summary: "A leader lets a pending member in", tag: "life", authority: .object("clubID"),
                response: Schema.ref("ClubMembership")), approveMember)
        add(
            .init(
                method: .POST, path: club + "/events", operationID: "createClubEvent",
                summary: "A club's event, for its members (the club's leaders)", tag: "life", authority: .object("clubID"),
                body: LifeSchemas.eventInput, status: .created, response: Schema.ref("LifeEvent")), createClubEvent)
    }
}

enum ClubSchemas {
    static let clubInput = Schema.object(
        [
            ("name", Schema.string(min: 1, max: 40)), ("description", Schema.string(max: 2000)),
            ("joinPolicy", Schema.enumeration(Club.JoinPolicy.allCases.map(\.rawValue))),
            ("audienceGroup", Schema.enumeration(Audience.groups.sorted())), ("leaderIDs", Schema.array(Schema.uuid)),
        ], required: ["name"])
    static let membershipInput = Schema.object([("showName", Schema.bool)])

    static let all: [(String, JSONValue)] = [
        (
            "Club",
            Schema.object(
                [
                    ("id", Schema.uuid), ("communityID", Schema.uuid), ("name", Schema.string()), ("description", Schema.string()),
                    ("joinPolicy", Schema.string()), ("audienceGroup", Schema.nullable(Schema.string())), ("status", Schema.string()),
                    ("members", Schema.integer()), ("mine", Schema.nullable(Schema.string())),
                ], required: ["id", "name", "status"])
        ),
        (
            "ClubMembership",
            Schema.object(
                [("clubID", Schema.uuid), ("role", Schema.string()), ("status", Schema.string()), ("showName", Schema.bool)],
                required: ["clubID", "role", "status"])
        ),
        (
            "ClubMember",
            Schema.object(
                [
                    ("personID", Schema.uuid), ("name", Schema.string()), ("role", Schema.string()), ("status", Schema.string()),
                    ("phone", Schema.nullable(Schema.string())),
                ], required: ["personID", "role", "status"])
        ),
    ]
}
