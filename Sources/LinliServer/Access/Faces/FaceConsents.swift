import Fluent
import Foundation
import LinliCore
import Vapor

/// Consent to face recognition (a person's own, or a guardian's for a child), enrolment and withdrawal.
extension AccessAPI {
    static func giveConsent(_ input: ConsentInput, on req: Request) async throws -> FaceConsent {
        let user = try req.user()
        let subject = input.personID ?? user.principal.personID
        guard user.principal.communities.contains(input.communityID) else { throw LinliError(.notFound) }
        guard input.version == FaceConsentText.version else { throw LinliError.invalid("version", "outdated_consent") }
        if subject != user.principal.personID {
            // A guardian consents for a child under 14 of one of their households: the household's owner or
            // a guardian the operators registered; a tenant sharing the flat may not.
            guard let child = try await Person.find(subject, on: req.db) else { throw LinliError(.notFound) }
            let standing = try await Guardians.standing(of: user.principal, for: subject, on: req.db)
            guard standing != .stranger else { throw LinliError(.notFound) }
            guard Guardians.isChild(child, now: req.clock.now()), standing == .guardian else {
                throw LinliError(.forbidden)
            }
        }
        let consent = FaceConsent()
        consent.communityID = input.communityID
        consent.personID = subject
        consent.version = input.version
        consent.acceptedAt = req.clock.now()
        consent.givenBy = user.principal.personID
        consent.serverMatching = input.serverMatching ?? false
        try await req.db.writeTransaction { db in
            try await consent.create(on: db)
            try await FaceProcessing.record(
                consent.serverMatching ? .serverConsent : .consent, person: subject, community: input.communityID,
                actorPerson: consent.givenBy, at: consent.acceptedAt, on: db)
        }
        if consent.serverMatching { try req.application.faceGalleries.reload(input.communityID) }
        return consent
    }

    static func activeConsent(person: UUID, community: UUID, on db: any Database) async throws -> FaceConsent? {
        try await FaceConsent.query(on: db).filter(\.$personID == person).filter(\.$communityID == community)
            .filter(\.$withdrawnAt == nil).filter(\.$version == FaceConsentText.version).first()
    }

    static func enrol(_ input: EnrolInput, from device: DeviceRef, on req: Request) async throws -> [String: String] {
        let community = device.communityID
        guard let consent = try await activeConsent(person: input.personID, community: community, on: req.db) else {
            throw LinliError.invalid("personID", "no_consent")
        }
        var v = Validation()
        v.text(input.model, "model", max: 64)
        try v.check()
        guard FaceGallery<UUID>.dimensions.contains(input.vector.count) else {
            throw AccessService.badVector("vector", "wrong_dimension")
        }
        guard input.vector.allSatisfy(\.isFinite), input.vector.contains(where: { $0 != 0 }) else {
            throw AccessService.badVector("vector", "not_finite")
        }
        let galleries = try req.application.faceGalleries
        if let dimension = try await galleries.dimension(community: community, model: input.model, on: req.db),
            dimension != input.vector.count
        {
            throw AccessService.badVector("vector", "wrong_dimension")
        }
        let row = FaceVector()
        row.id = UUID()
        row.communityID = community
        row.personID = input.personID
        row.model = input.model
        row.dimension = input.vector.count
        row.sealed = try req.application.faceVault.seal(input.vector)
        row.createdAt = req.clock.now()
        try await req.db.writeTransaction { db in
            try await row.create(on: db)
            try await AccessSync.record(.face, row.id, .add, community: community, at: row.createdAt, on: db)
            try await FaceProcessing.record(
                .enrol, person: row.personID, community: community, actorDevice: device.id, vectors: 1,
                at: row.createdAt,
                on: db)
        }
        try galleries.add(row, vector: input.vector, serverMatching: consent.serverMatching)
        return ["id": try row.requireID().uuidString]
    }

    static func withdraw(person: UUID, community: UUID, on req: Request) async throws {
        let user = try req.user()
        let consents = try await FaceConsent.query(on: req.db).filter(\.$personID == person)
            .filter(\.$communityID == community).filter(\.$withdrawnAt == nil).all()
        guard !consents.isEmpty else { throw LinliError(.notFound) }
        // The person, whoever gave the consent, or another of the child's guardians may withdraw it.
        if person != user.principal.personID, !consents.contains(where: { $0.givenBy == user.principal.personID }) {
            guard try await Guardians.standing(of: user.principal, for: person, on: req.db) == .guardian else {
                throw LinliError(.notFound)
            }
        }
        let vectors = try await FaceVector.query(on: req.db).filter(\.$personID == person).filter(
            \.$communityID == community
        ).all()
        let now = req.clock.now()
        try await req.db.writeTransaction { db in
            for consent in consents {
                consent.withdrawnAt = now
                try await consent.save(on: db)
            }
            try await FaceVector.query(on: db).filter(\.$personID == person).filter(\.$communityID == community)
                .delete()
            for vector in vectors {
                try await AccessSync.record(.face, vector.id, .remove, community: community, at: now, on: db)
            }
            try await FaceProcessing.record(
                .withdraw, person: person, community: community, actorPerson: user.principal.personID, at: now, on: db)
            try await FaceProcessing.record(
                .delete, person: person, community: community, actorPerson: user.principal.personID,
                vectors: vectors.count, at: now, on: db)
        }
        try req.application.faceGalleries.remove(vectors: vectors)
    }

}
