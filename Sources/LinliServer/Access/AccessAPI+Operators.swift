import Fluent
import Foundation
import LinliCore
import Vapor

extension AccessAPI {
    static func registerOperators(_ app: Application, _ api: any RoutesBuilder) {
        api.register(
            .init(
                method: .POST, path: c + "/gates", operationID: "createGate", summary: "Add a gate and its terminals",
                tag: "access", authority: .community { .manageDevices($0) }, body: object, status: .created, response: object), in: app
        ) { req in
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
        api.register(
            .init(
                method: .GET, path: c + "/gates", operationID: "listGates", summary: "Gates and their terminals",
                tag: "access", authority: .community { .viewDevices($0) }, response: Schema.page(object), query: Endpoint.listQuery(.gates)), in: app
        ) { req in
            let id = try req.scope.communityID()
            return try await Gate.scoped(to: id, on: req.db).page(try req.listOptions(.gates)) {
                GateRead(
                    id: try $0.requireID(), name: $0.name, kind: $0.kind, buildingID: $0.buildingID,
                    deviceIDs: $0.deviceIDs)
            }
        }
        api.register(
            .init(
                method: .PUT, path: c + "/access-settings", operationID: "setAccessSettings",
                summary: "Server face matching (premises or further consent), match and liveness thresholds",
                tag: "access", authority: .community { .manageDevices($0) }, body: object, response: object), in: app
        ) { req in
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
        api.register(
            .init(
                method: .POST, path: c + "/credentials", operationID: "issueCredential",
                summary: "Register a card or PIN for a resident or staff member (stored as a hash)", tag: "access", authority: .community { .manageDevices($0) },
                body: object, status: .created), in: app
        ) { req in
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
        api.register(
            .init(
                method: .POST, path: c + "/deny-list", operationID: "denyPerson", summary: "Keep a person out",
                tag: "access", authority: .community { .handleAlarms($0) }, body: object, status: .created), in: app
        ) { req in
            let id = try req.scope.communityID()
            struct Input: Content {
                let personID: UUID
                let reason: String
            }
            let input = try req.decode(Input.self)
            try await deny(input.personID, reason: input.reason, in: id, on: req)
            return Response(status: .created)
        }
        api.register(
            .init(
                method: .GET, path: c + "/access-events", operationID: "listAccessEvents",
                summary: "The access log, newest first (the console exports it as CSV)", tag: "access", authority: .community { .viewDevices($0) },
                response: Schema.page(of: "AccessEvent"),
                query: Endpoint.listQuery(.accessEvents) + AccessLogFilter.parameters), in: app
        ) { req in
            let id = try req.scope.communityID()
            let options = try req.listOptions(.accessEvents)
            let filter = try AccessLogFilter(req)
            return try await filter.apply(AccessEvent.scoped(to: id, on: req.db)).page(options, map: EventRead.init)
        }
        api.register(
            .init(
                method: .DELETE, path: c + "/deny-list/{personID}", operationID: "undenyPerson",
                summary: "Take a person off the deny list", tag: "access", authority: .community { .handleAlarms($0) }, status: .noContent), in: app
        ) { req in
            let id = try req.scope.communityID()
            try await undeny(try req.id("personID"), in: id, on: req)
            return NoContent()
        }
        api.register(
            .init(
                method: .GET, path: c + "/face-data", operationID: "getFaceData",
                summary: "How many people's faces are held (the 100,000 filing threshold) and where", tag: "access", authority: .community { .manageDevices($0) },
                response: object), in: app
        ) { req in
            let id = try req.scope.communityID()
            return try await FaceDataRead.of(community: id, on: req)
        }
        api.register(
            .init(
                method: .GET, path: c + "/face-data/log", operationID: "listFaceProcessing",
                summary: "The processing log of face data: consents, enrolments, withdrawals and deletions",
                tag: "access", authority: .community { .manageDevices($0) }, response: Schema.page(of: "FaceProcessing"), query: Endpoint.listQuery(.faceProcessing)),
            in: app
        ) { req in
            let id = try req.scope.communityID()
            let options = try req.listOptions(.faceProcessing)
            let page = try await FaceProcessing.scoped(to: id, on: req.db).page(options) { $0 }
            return ListPage(items: try await FaceProcessingRead.list(page.items, on: req.db), metadata: page.metadata)
        }
    }

}
