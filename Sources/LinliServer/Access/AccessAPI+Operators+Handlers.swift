import Fluent
import Foundation
import LinliCore
import Vapor

extension AccessAPI {
    @Sendable static func createGate(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        let input = try req.decode(GateInput.self)
        var v = Validation()
        let name = v.text(input.name, "name", max: 60) ?? ""
        if input.kind == .building, input.buildingID == nil { v.fail("buildingID", "missing_value") }
        try v.check()
        if let building = input.buildingID { _ = try await Building.find(building, in: id, on: req.db) }
        for device in input.deviceIDs { _ = try await Device.find(device, in: id, on: req.db) }
        if try await Gate.scoped(to: id, on: req.db).filter(\.$name == name).first() != nil {
            throw LinliError(.conflict)
        }
        let gate = Gate()
        gate.communityID = id
        gate.name = name
        gate.kind = input.kind
        gate.buildingID = input.buildingID
        gate.deviceIDs = input.deviceIDs
        try await req.db.writeTransaction { db in
            try await gate.create(on: db)
            try await Audit.record(.create, "gate", id: gate.id, community: id, after: name, by: req, on: db)
        }
        return Created(
            value: GateRead(
                id: try gate.requireID(), name: gate.name, kind: gate.kind, buildingID: gate.buildingID,
                deviceIDs: gate.deviceIDs))
    }

    @Sendable static func listGates(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        return try await Gate.scoped(to: id, on: req.db).page(try req.listOptions(.gates)) {
            GateRead(
                id: try $0.requireID(), name: $0.name, kind: $0.kind, buildingID: $0.buildingID,
                deviceIDs: $0.deviceIDs)
        }
    }

    @Sendable static func setAccessSettings(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        let input = try req.decode(AccessSettingsInput.self)
        var v = Validation()
        v.range(input.matchThreshold, "matchThreshold", 0.0...1.0)
        v.range(input.livenessThreshold, "livenessThreshold", 0.0...1.0)
        try v.check()
        let row = try await AccessService.settings(id, on: req.db)
        row.serverMatching = input.serverMatching
        if let threshold = input.matchThreshold { row.matchThreshold = threshold }
        if let threshold = input.livenessThreshold { row.livenessThreshold = threshold }
        if let required = input.livenessRequired { row.livenessRequired = required }
        try await req.db.writeTransaction { db in
            try await row.save(on: db)
            try await Audit.record(
                .update, "access_settings", id: row.id, community: id, after: input, by: req, on: db)
        }
        return input
    }

    @Sendable static func issueCredential(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        let input = try req.decode(CredentialInput.self)
        var v = Validation()
        let kind = CredentialKind(rawValue: input.kind)
        if kind == nil { v.fail("kind", "invalid_value") }
        if kind == .pin, !(4...8).contains(input.value.count) || !input.value.allSatisfy(\.isNumber) {
            v.fail("value", "invalid_value")
        }
        v.text(input.value, "value", max: 128)
        try v.check()
        try await requireMember(input.personID, of: id, on: req)
        let row = AccessCredential()
        row.communityID = id
        row.personID = input.personID
        row.kind = kind ?? .card
        row.valueHash = try await req.application.accessDirectory.credentialKey(id, on: req.db).hash(input.value)
        row.createdAt = req.clock.now()
        row.revoked = false
        if try await AccessCredential.query(on: req.db).filter(\.$communityID == id).filter(\.$kind == row.kind)
            .filter(\.$valueHash == row.valueHash).first() != nil
        {
            throw LinliError(.conflict)
        }
        try await req.db.writeTransaction { db in
            try await row.create(on: db)
            try await AccessSync.record(.init(row.kind), row.id, .add, community: id, at: row.createdAt, on: db)
            try await Audit.record(
                .create, "credential", id: row.id, community: id, after: input.kind, by: req, on: db)
        }
        return Response(status: .created)
    }

    @Sendable static func denyPerson(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        struct Input: Content {
            let personID: UUID
            let reason: String
        }
        let input = try req.decode(Input.self)
        try await deny(input.personID, reason: input.reason, in: id, on: req)
        return Response(status: .created)
    }

    @Sendable static func listAccessEvents(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        let options = try req.listOptions(.accessEvents)
        let filter = try AccessLogFilter(req)
        return try await filter.apply(AccessEvent.scoped(to: id, on: req.db)).page(options, map: EventRead.init)
    }

    @Sendable static func undenyPerson(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        try await undeny(try req.id("personID"), in: id, on: req)
        return NoContent()
    }

    @Sendable static func getFaceData(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        return try await FaceDataRead.of(community: id, on: req)
    }

    @Sendable static func listFaceProcessing(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        let options = try req.listOptions(.faceProcessing)
        let page = try await FaceProcessing.scoped(to: id, on: req.db).page(options) { $0 }
        return ListPage(items: try await FaceProcessingRead.list(page.items, on: req.db), metadata: page.metadata)
    }
}
