import Fluent
import Foundation
import LinliCore
import Vapor

extension Replacements {
    @Sendable static func recordMeterReplacement(_ req: Request) async throws -> some AsyncResponseEncodable {
        let community = try req.scope.communityID()
        let device = try await Device.find(try req.id("deviceID"), in: community, on: req.db)
        guard Usage.Kind.allCases.contains(where: { $0.deviceType == device.type }) else {
            throw LinliError.invalid("deviceID", "not_a_meter")
        }
        let input = try req.decode(ReplacementInput.self)
        var v = Validation()
        let now = req.clock.now()
        if let at = input.at { if at > now.addingTimeInterval(60) { v.fail("at", "in_the_future") } } else { v.fail("at", "missing_value") }
        for (field, value) in [("oldFinal", input.oldFinal), ("newInitial", input.newInitial)] {
            guard let value else { v.fail(field, "missing_value"); continue }
            if !value.isFinite || value < 0 || value > 1e9 { v.fail(field, "out_of_range") }
        }
        try v.check()
        guard let at = input.at, let oldFinal = input.oldFinal, let newInitial = input.newInitial else {
            throw LinliError.invalid("at", "missing_value")
        }
        let row = MeterReplacement()
        row.id = UUID()
        row.communityID = community
        row.deviceID = try device.requireID()
        row.at = at
        row.oldFinal = oldFinal
        row.newInitial = newInitial
        row.recordedBy = try req.user().principal.personID
        do {
            try await req.db.writeTransaction { tx in
                try await row.create(on: tx)
                try await Audit.record(.create, "meter_replacement", id: row.id, community: community, after: input, by: req, on: tx)
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw LinliError(.conflict, issues: [FieldIssue(field: "at", reason: "duplicate")])
        }
        return Created(
            value: ReplacementRead(id: try row.requireID(), deviceID: row.deviceID, at: at, oldFinal: oldFinal, newInitial: newInitial))
    }
}
