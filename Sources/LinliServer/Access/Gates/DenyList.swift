import Fluent
import Foundation
import LinliCore
import Vapor

/// The deny list guards keep.
extension AccessAPI {
    /// Puts a person on a community's deny list (audited; terminals get it at their next sync).
    static func deny(_ person: UUID, reason: String, in community: UUID, on req: Request) async throws {
        try req.authorize(.handleAlarms(community))
        try await requireMember(person, of: community, on: req)
        var v = Validation()
        let reason = v.text(reason, "reason", max: 200) ?? ""
        try v.check()
        if try await DenyEntry.query(on: req.db).filter(\.$communityID == community).filter(\.$personID == person)
            .first() != nil
        {
            throw LinliError(.conflict)
        }
        let row = DenyEntry()
        row.communityID = community
        row.personID = person
        row.reason = reason
        row.createdAt = req.clock.now()
        try await req.db.writeTransaction { db in
            try await row.create(on: db)
            try await AccessSync.record(.deny, row.id, .add, community: community, at: row.createdAt, on: db)
            try await Audit.record(
                .create, "deny_list", id: row.id, community: community, after: reason, by: req, on: db)
        }
    }

    /// Takes a person off a community's deny list (audited; terminals drop the entry at their next sync).
    static func undeny(_ person: UUID, in community: UUID, on req: Request) async throws {
        try req.authorize(.handleAlarms(community))
        guard
            let row = try await DenyEntry.query(on: req.db).filter(\.$communityID == community)
                .filter(\.$personID == person).first()
        else { throw LinliError(.notFound) }
        try await req.db.writeTransaction { db in
            try await row.delete(on: db)
            try await AccessSync.record(.deny, row.id, .remove, community: community, at: req.clock.now(), on: db)
            try await Audit.record(
                .delete, "deny_list", id: row.id, community: community, before: row.reason, by: req, on: db)
        }
    }

    /// A person who lives or works in the community, or a 404.
    static func requireMember(_ person: UUID, of community: UUID, on req: Request) async throws {
        let lives = try await Membership.query(on: req.db).filter(\.$personID == person).filter(
            \.$communityID == community
        )
        .first()
        let works = try await StaffAssignment.query(on: req.db).filter(\.$personID == person)
            .filter(\.$communityID == community).first()
        guard lives != nil || works != nil else { throw LinliError(.notFound) }
    }

}
