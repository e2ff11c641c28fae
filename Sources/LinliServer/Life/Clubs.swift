import Fluent
import Foundation
import LinliCore
import SQLKit
import Vapor

struct ClubInput: Content {
    let name: String
    let description: String?
    let joinPolicy: Club.JoinPolicy?
    let audienceGroup: String?
    let leaderIDs: [UUID]?
}

struct ClubRead: Content {
    let id: UUID
    let communityID: UUID
    let name: String
    let description: String
    let joinPolicy: String
    let audienceGroup: String?
    let status: String
    let members: Int
    /// The reader's own place in it (`leader`, `member`, `pending`), nil when not in it.
    let mine: String?
}

struct MembershipInput: Content {
    let showName: Bool?
}

struct ClubMembershipRead: Content {
    let clubID: UUID
    let role: String
    let status: String
    let showName: Bool
}

struct ClubMemberRead: Content {
    let personID: UUID
    let name: String
    let role: String
    let status: String
    /// Only for leaders and organisers.
    let phone: String?
}

/// Clubs (社团): made by organisers, or proposed by a resident and approved by a worker; joined freely
/// or on a leader's approval; seen by the community or one group.
enum Clubs {
    static func isLeader(_ person: UUID, of club: UUID, on db: any Database) async throws -> Bool {
        try await ClubMember.query(on: db).filter(\.$clubID == club).filter(\.$personID == person)
            .filter(\.$role == .leader).filter(\.$status == .active).first() != nil
    }

    /// Whether the caller may manage the club: an organiser of its community or one of its leaders.
    static func manages(_ club: Club, _ req: Request) async throws -> Bool {
        if req.can(.organiseEvents(club.communityID)) { return true }
        return try await isLeader(try req.user().principal.personID, of: try club.requireID(), on: req.db)
    }

    /// Whether the caller sees the club: its managers, and residents it is meant for once it is active
    /// (a proposal: its proposer too).
    static func sees(_ club: Club, _ req: Request) async throws -> Bool {
        if try await manages(club, req) { return true }
        guard let viewer = try await LifeAudience.viewer(req, community: club.communityID) else { return false }
        if club.status == .proposed { return club.proposedBy == (try req.user().principal.personID) }
        guard club.status == .active else { return false }
        return club.audienceGroup.map { viewer.groups.contains($0) } ?? true
    }

    /// The path's club as the caller may see it, else 404.
    static func visible(_ req: Request) async throws -> Club {
        guard let club = try await Club.find(try req.id("clubID"), on: req.db), try await sees(club, req) else {
            throw LinliError(.notFound)
        }
        return club
    }

    static func read(_ club: Club, mine: ClubMember?, on db: any Database) async throws -> ClubRead {
        let id = try club.requireID()
        let members = try await ClubMember.query(on: db).filter(\.$clubID == id).filter(\.$status == .active).count()
        let place = mine.map { $0.status == .pending ? "pending" : $0.role.rawValue }
        return ClubRead(
            id: id, communityID: club.communityID, name: club.name, description: club.details,
            joinPolicy: club.joinPolicy.rawValue, audienceGroup: club.audienceGroup, status: club.status.rawValue,
            members: members, mine: place)
    }

    /// Adds a person (leader or member); a person already in it keeps their place (409).
    static func add(_ person: UUID, to club: Club, role: ClubMember.Role, status: ClubMember.Status, showName: Bool, now: Date, on db: any Database)
        async throws -> ClubMember
    {
        let row = ClubMember()
        row.clubID = try club.requireID()
        row.communityID = club.communityID
        row.personID = person
        row.role = role
        row.status = status
        row.showName = showName
        row.joinedAt = now
        do {
            try await row.create(on: db)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw LinliError(.conflict, issues: [FieldIssue(field: "clubID", reason: "already_member")])
        }
        return row
    }

    /// The caller joins: at once for an open club, pending a leader's approval otherwise (the leaders
    /// are told). Only residents of the community join an active club.
    static func join(_ club: Club, showName: Bool, _ req: Request) async throws -> ClubMember {
        guard club.status == .active, !LifeAudience.homes(try req.user().principal, in: club.communityID).isEmpty else {
            throw LinliError(.conflict, issues: [FieldIssue(field: "clubID", reason: "not_open")])
        }
        let pending = club.joinPolicy == .approval
        let now = req.clock.now()
        let person = try req.user().principal.personID
        return try await req.db.writeTransaction { tx in
            let row = try await add(person, to: club, role: .member, status: pending ? .pending : .active, showName: showName, now: now, on: tx)
            if pending {
                let leaders = try await ClubMember.query(on: tx).filter(\.$clubID == (try club.requireID())).filter(\.$role == .leader).all(\.$personID)
                for leader in leaders {
                    try await Notifier.send("life.note.joinRequest", .life, to: .person(leader), community: club.communityID, now: now, on: tx)
                }
            }
            return row
        }
    }

    static func create(_ input: ClubInput, community: UUID, by: UUID, organiser: Bool, now: Date, today: String, on db: any Database)
        async throws -> Club
    {
        var v = Validation()
        let name = v.text(input.name, "name", max: 40) ?? ""
        let details = v.text(input.description?.nilIfEmpty, "description", max: 2000, required: false, multiline: true) ?? ""
        if let group = input.audienceGroup, !Audience.groups.contains(group) { v.fail("audienceGroup", "invalid_value") }
        if !organiser, input.leaderIDs?.isEmpty == false { v.fail("leaderIDs", "not_allowed") }
        try v.check()
        let leaders = organiser ? Array(Set(input.leaderIDs ?? [])) : [by]
        if !leaders.isEmpty {
            let living = try await Membership.query(on: db).filter(\.$communityID == community).filter(\.$personID ~~ leaders).all()
                .filter { $0.isCurrent(on: today) }
            guard Set(living.map(\.personID)) == Set(leaders) else { throw LinliError.invalid("leaderIDs", "not_resident") }
        }
        return try await db.writeTransaction { tx in
            if try await Club.scoped(to: community, on: tx).filter(\.$name == name).first() != nil {
                throw LinliError(.conflict, issues: [FieldIssue(field: "name", reason: "taken")])
            }
            let club = Club()
            club.communityID = community
            club.name = name
            club.details = details
            club.joinPolicy = input.joinPolicy ?? .open
            club.audienceGroup = input.audienceGroup
            club.status = organiser ? .active : .proposed
            club.proposedBy = by
            club.createdAt = now
            try await club.create(on: tx)
            for leader in leaders {
                _ = try await add(leader, to: club, role: .leader, status: .active, showName: true, now: now, on: tx)
            }
            if !organiser {
                try await Notifier.send("life.note.clubProposed", .life, to: .role(.communityWorker), community: community, now: now, on: tx)
            }
            return club
        }
    }
}
