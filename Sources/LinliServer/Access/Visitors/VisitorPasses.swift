import Fluent
import Foundation
import LinliCore
import Vapor

/// Visitor passes, the resident's rotating QR secret and their gate history.
extension AccessAPI {
    /// Decisions about a person and about their households' visitor passes.
    static func history(for principal: Principal, on db: any Database) async throws -> QueryBuilder<AccessEvent> {
        let passes = try await VisitorPass.query(on: db).madeInHomes(of: principal).all(\.$id)
        return AccessEvent.query(on: db).group(.or) { either in
            either.filter(\.$personID == principal.personID)
            if !passes.isEmpty { either.filter(\.$passID ~~ passes) }
        }
    }

    /// Revokes a pass of one of the caller's households, and its PIN; terminals drop both at their next sync.
    static func revokePass(_ id: UUID, on req: Request) async throws -> VisitorPass {
        guard let pass = try await VisitorPass.find(id, on: req.db) else { throw LinliError(.notFound) }
        try req.authorize(.viewHouseholdRecord(household: pass.householdID, madeAt: pass.createdAt))
        pass.revoked = true
        let pins = try await AccessCredential.query(on: req.db).filter(\.$passID == pass.requireID()).all()
        let now = req.clock.now()
        try await req.db.writeTransaction { db in
            try await pass.save(on: db)
            try await AccessCredential.query(on: db).filter(\.$passID == pass.requireID()).set(\.$revoked, to: true)
                .update()
            try await AccessSync.record(.pass, pass.id, .remove, community: pass.communityID, at: now, on: db)
            for pin in pins {
                try await AccessSync.record(.pin, pin.id, .remove, community: pass.communityID, at: now, on: db)
            }
        }
        return pass
    }

    static func qrSecret(for person: UUID, on db: any Database) async throws -> QRSecret {
        if let row = try await QRSecret.query(on: db).filter(\.$personID == person).first() { return row }
        let row = QRSecret()
        row.personID = person
        row.handle = Secret.alphanumeric(12)
        row.secret = Data([UInt8].random(count: 32))
        try await row.create(on: db)
        return row
    }

    static func createPass(_ input: PassInput, on req: Request) async throws -> PassCreated {
        let user = try req.user()
        try req.authorize(.actForHousehold(input.householdID))
        guard let household = try await Household.find(input.householdID, on: req.db) else {
            throw LinliError(.notFound)
        }
        let community = household.communityID
        var v = Validation()
        let name = v.text(input.visitorName, "visitorName", max: 50) ?? ""
        v.range(input.entries, "entries", 1...50)
        if input.validUntil <= input.validFrom { v.fail("validUntil", "out_of_range") }
        if input.validUntil.timeIntervalSince(input.validFrom) > 30 * 86_400 { v.fail("validUntil", "out_of_range") }
        if let phone = input.visitorPhone, PhoneNumber(phone) == nil { v.fail("visitorPhone", "invalid_phone") }
        try v.check()
        let pass = VisitorPass()
        pass.id = UUID()
        pass.communityID = community
        pass.householdID = input.householdID
        pass.buildingID = household.buildingID
        pass.createdBy = user.principal.personID
        pass.visitorName = name
        pass.visitorPhone = input.visitorPhone.flatMap(PhoneNumber.init)?.digits
        pass.validFrom = input.validFrom
        pass.validUntil = input.validUntil
        pass.entriesAllowed = input.entries
        pass.entriesUsed = 0
        pass.revoked = false
        pass.qrToken = Secret.alphanumeric(24)
        pass.createdAt = req.clock.now()
        let key = try await req.application.accessDirectory.credentialKey(community, on: req.db)
        let pin = try await req.db.writeTransaction { db -> String in
            try await pass.create(on: db)
            var pin = String(format: "%06d", Int.random(in: 0..<1_000_000))
            for _ in 0..<10 {
                let candidate = String(format: "%06d", Int.random(in: 0..<1_000_000))
                if try await AccessCredential.query(on: db).filter(\.$communityID == community).filter(\.$kind == .pin)
                    .filter(\.$valueHash == key.hash(candidate)).first() == nil
                {
                    pin = candidate
                    break
                }
            }
            let credential = AccessCredential()
            credential.communityID = community
            credential.passID = pass.id
            credential.kind = .pin
            credential.valueHash = key.hash(pin)
            credential.createdAt = req.clock.now()
            credential.revoked = false
            try await credential.create(on: db)
            try await AccessSync.record(.pass, pass.id, .add, community: community, at: pass.createdAt, on: db)
            try await AccessSync.record(.pin, credential.id, .add, community: community, at: pass.createdAt, on: db)
            return pin
        }
        return PassCreated(pass: try PassRead(pass), pin: pin)
    }
}
