import Fluent
import Foundation
import LinliCore
import SQLKit
import Vapor

/// The change log edge terminals sync from: every addition or removal of a face vector, card, PIN,
/// visitor pass or deny-list entry gets the next sequence number of the server.
final class AccessChange: Model, @unchecked Sendable {
    enum Kind: String, Codable, Sendable, CaseIterable {
        case face, card, pin, pass, deny

        init(_ credential: CredentialKind) {
            switch credential {
            case .card: self = .card
            case .pin: self = .pin
            }
        }
    }

    enum Op: String, Codable, Sendable, CaseIterable { case add, remove }

    static let schema = "access_changes"
    @ID(custom: "seq", generatedBy: .database) var id: Int?
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "kind") var kind: Kind
    @Field(key: "ref_id") var refID: UUID
    @Field(key: "op") var op: Op
    @Field(key: "at") var at: Date
    init() {}
}

struct SyncItem: Content {
    let version: Int
    let kind: AccessChange.Kind
    let op: AccessChange.Op
    let id: UUID
    let personID: UUID?
    let maskedName: String?
    let model: String?
    let vector: [Float]?
    /// Cards and PINs travel keyed (`CredentialKey`); the terminal hashes what it reads the same way.
    let credentialHash: String?
    let pass: SyncPass?
}

/// A visitor pass as a terminal needs it: its window and entries, and its QR code only as a keyed hash.
struct SyncPass: Content {
    let id: UUID
    let buildingID: UUID
    let maskedName: String
    let validFrom: Date
    let validUntil: Date
    let entriesAllowed: Int
    let entriesUsed: Int
    let revoked: Bool
    let qrHash: String
}

struct SyncAnswer: Content {
    let version: Int
    let items: [SyncItem]
    let more: Bool
}

struct EdgeEvent: Content {
    let eventId: String
    let gate: UUID
    let method: String
    let allow: Bool
    let reason: String
    let personID: UUID?
    let score: Double?
    let ts: Int64
    /// `in` or `out` (an exit reader); absent: not known.
    let direction: String?
}

enum AccessSync {
    static func record(
        _ kind: AccessChange.Kind, _ id: UUID?, _ op: AccessChange.Op, community: UUID, at: Date, on db: any Database)
        async throws
    {
        guard let id else { return }
        let change = AccessChange()
        change.communityID = community
        change.kind = kind
        change.refID = id
        change.op = op
        change.at = at
        try await change.create(on: db)
    }

    /// Who a terminal's library holds: nil for everyone of the community (it serves a main, pedestrian
    /// or garage gate), else the residents of the buildings whose doors it serves and the staff.
    static func holders(for gates: [AccessDirectory.GateInfo], community: UUID, on req: Request) async throws
        -> (people: Set<UUID>, buildings: Set<UUID>)?
    {
        let buildings = Set(gates.compactMap { $0.kind == .building ? $0.building : nil })
        guard gates.allSatisfy({ $0.kind == .building && $0.building != nil }) else { return nil }
        let households = try await Household.scoped(to: community, on: req.db).filter(\.$buildingID ~~ buildings)
            .all(\.$id)
        let today = req.today
        let residents = try await Membership.scoped(to: community, on: req.db).filter(\.$householdID ~~ households)
            .all().filter { $0.movedOut.map { $0 > today } ?? true }.map(\.personID)
        let staff = try await StaffAssignment.scoped(to: community, on: req.db).all(\.$personID)
        return (Set(residents).union(staff), buildings)
    }

    /// Additions and removals since `since` for a terminal serving `gates`, at most 500 at a time.
    /// Removals go to every terminal; additions only where the person or pass may pass.
    static func changes(community: UUID, since: Int, for gates: [AccessDirectory.GateInfo], on req: Request)
        async throws -> SyncAnswer
    {
        let scope = try await holders(for: gates, community: community, on: req)
        let key = try await req.application.accessDirectory.credentialKey(community, on: req.db)
        let rows = try await AccessChange.query(on: req.db).filter(\.$communityID == community).filter(\.$id > since)
            .sort(\.$id).limit(501).all()
        let page = Array(rows.prefix(500))
        let vectors = try await FaceVector.query(on: req.db).filter(
            \.$id ~~ page.filter { $0.kind == .face }.map(\.refID)
        ).all()
        let vectorByID = FaceVector.byID(vectors)
        let credentials = try await AccessCredential.query(on: req.db)
            .filter(\.$id ~~ page.filter { $0.kind == .card || $0.kind == .pin }.map(\.refID)).all()
        let credentialByID = AccessCredential.byID(credentials)
        let passes = VisitorPass.byID(
            try await VisitorPass.query(on: req.db).filter(\.$id ~~ page.filter { $0.kind == .pass }.map(\.refID))
                .all())
        let denied = DenyEntry.byID(
            try await DenyEntry.query(on: req.db).filter(\.$id ~~ page.filter { $0.kind == .deny }.map(\.refID)).all())
        let personIDs = vectors.map(\.personID) + credentials.compactMap(\.personID) + denied.values.map(\.personID)
        let people = try await Person.byID(personIDs, on: req.db)
        let vault = try req.application.faceVault
        var items: [SyncItem] = []
        for change in page {
            let seq = change.id ?? 0
            var person: UUID?
            var vector: [Float]?
            var model: String?
            var hash: String?
            var pass: SyncPass?
            if change.op == .add {
                switch change.kind {
                case .face:
                    guard let row = vectorByID[change.refID] else { continue }  // withdrawn since: a removal follows
                    if let scope, !scope.people.contains(row.personID) { continue }
                    person = row.personID
                    model = row.model
                    vector = try vault.open(row.sealed)
                case .card, .pin:
                    guard let row = credentialByID[change.refID], !row.revoked else { continue }
                    if let scope, let holder = row.personID, !scope.people.contains(holder) { continue }
                    if let scope, let passID = row.passID, let pass = passes[passID] ?? nil,
                        !scope.buildings.contains(pass.buildingID)
                    {
                        continue
                    }
                    person = row.personID
                    hash = row.valueHash
                case .pass:
                    guard let row = passes[change.refID] else { continue }
                    if let scope, !scope.buildings.contains(row.buildingID) { continue }
                    pass = SyncPass(
                        id: change.refID, buildingID: row.buildingID, maskedName: MaskedName.of(row.visitorName),
                        validFrom: row.validFrom, validUntil: row.validUntil, entriesAllowed: row.entriesAllowed,
                        entriesUsed: row.entriesUsed, revoked: row.revoked, qrHash: key.hash("P1:" + row.qrToken))
                case .deny:
                    person = denied[change.refID]?.personID
                }
            }
            items.append(
                SyncItem(
                    version: seq, kind: change.kind, op: change.op, id: change.refID, personID: person,
                    maskedName: person.flatMap { people[$0] }.map { MaskedName.of($0.name) }, model: model,
                    vector: vector,
                    credentialHash: hash, pass: pass))
        }
        return SyncAnswer(version: page.last?.id ?? since, items: items, more: rows.count > 500)
    }

    /// Decisions a terminal made on its own, stored once per event id.
    /// A terminal reports only for the gates it serves: an event for any other gate is refused.
    static func upload(
        _ events: [EdgeEvent], from device: DeviceRef, gates served: [AccessDirectory.GateInfo], on req: Request
    ) async throws -> Int {
        guard events.count <= 1000 else { throw LinliError(.payloadTooLarge, ["limit": "1000"]) }
        let gates = Dictionary(uniqueKeysWithValues: served.map { ($0.id, $0) })
        var stored = 0
        for event in events {
            var v = Validation()
            v.text(event.eventId, "eventId", max: 100)
            if gates[event.gate] == nil { v.fail("gate", "unknown_gate") }
            if GateReason(rawValue: event.reason) == nil { v.fail("reason", "invalid_value") }
            if AccessMethod(rawValue: event.method) == nil { v.fail("method", "invalid_value") }
            if let direction = event.direction, !AccessEvent.directions.contains(direction) {
                v.fail("direction", "invalid_value")
            }
            try v.check()
        }
        let known = Set(
            try await AccessEvent.query(on: req.db).filter(\.$deviceID == device.id)
                .filter(\.$eventID ~~ events.map(\.eventId)).all(\.$eventID))
        let rows = try await req.db.writeTransaction { db in
            var rows: [AccessEvent] = []
            var seen = known
            for event in events where seen.insert(event.eventId).inserted {
                let row = AccessEvent()
                row.communityID = device.communityID
                row.gateID = event.gate
                row.deviceID = device.id
                row.eventID = event.eventId
                row.personID = event.personID
                row.method = AccessMethod(rawValue: event.method) ?? .qr
                row.allow = event.allow
                row.reason = GateReason(rawValue: event.reason) ?? .noMatch
                row.score = event.score
                row.latencyMs = 0
                row.at = Date(timeIntervalSince1970: Double(event.ts) / 1000)
                row.source = "edge"
                row.direction = event.direction
                try await row.create(on: db)
                rows.append(row)
            }
            return rows
        }
        // Known at once to the decision endpoint too, should the terminal ask it about the same event.
        let recent = try req.application.recentDecisions
        let directory = try req.application.accessDirectory
        for row in rows {
            let answer = try await AccessService.answer(row, directory: directory, on: req.db)
            _ = recent.remember(device.id.uuidString + "/" + row.eventID, answer, at: row.at)
        }
        stored = Set(events.map(\.eventId)).subtracting(known).count
        return stored
    }
}
