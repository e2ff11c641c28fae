import Fluent
import Foundation
import SQLKit

/// What gate access takes back when a person leaves a community: their face vectors (logged as a
/// deletion), cards and PINs, and the lock codes they made for the home they left; terminals drop
/// them at their next sync.
enum AccessDeparture {
    static func takeBack(_ departure: Departure, hub: DeviceHub, on db: any Database) async throws {
        let person = departure.person
        let community = departure.community
        let vectors = try await FaceVector.query(on: db).filter(\.$personID == person)
            .filter(\.$communityID == community).all()
        for vector in vectors {
            try await AccessSync.record(.face, vector.id, .remove, community: community, at: departure.at, on: db)
        }
        if !vectors.isEmpty {
            try await FaceVector.query(on: db).filter(\.$personID == person).filter(\.$communityID == community)
                .delete()
            try await FaceProcessing.record(
                .delete, person: person, community: community, vectors: vectors.count, at: departure.at, on: db)
        }
        try await FaceConsent.query(on: db).filter(\.$personID == person).filter(\.$communityID == community)
            .filter(\.$withdrawnAt == nil).set(\.$withdrawnAt, to: departure.at).update()
        let credentials = try await AccessCredential.query(on: db).filter(\.$personID == person)
            .filter(\.$communityID == community).filter(\.$revoked == false).all()
        for credential in credentials {
            try await AccessSync.record(
                .init(credential.kind), credential.id, .remove, community: community, at: departure.at, on: db)
        }
        try await AccessCredential.query(on: db).filter(\.$personID == person).filter(\.$communityID == community)
            .set(\.$revoked, to: true).update()
        guard let household = departure.household else { return }
        let codes = try await LockCode.query(on: db).filter(\.$createdBy == person).filter(\.$householdID == household)
            .filter(\.$revokedAt == nil).filter(\.$validUntil > departure.at).all()
        for code in codes {
            guard let device = try await Device.find(code.deviceID, on: db), let codeID = code.id else { continue }
            let command = try await CommandQueue.enqueue(
                device: device, method: "delete_code", params: .object(["codeId": .string(codeID.uuidString)]),
                twoWay: true, expiresIn: 24 * 3600, maxRetries: 5, replyTimeout: 60, by: nil, rule: nil,
                now: departure.at, hub: hub, on: db, announce: false)
            code.revokedAt = departure.at
            code.deleteCommandID = try command.requireID()
            try await code.save(on: db)
        }
    }
}
